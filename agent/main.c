/* dkron-agent-launcher: the entrypoint of the dkron worker Deployments.
 *
 *   config → watch the live dkron servers → launch `dkron agent --join` →
 *   verify membership, re-join when cut off → stop with dkron
 */
#include "launcher.h"
#include "log.h"

static void setup_logging(const struct launcher_config *cfg)
{
  enum log_level level = LOG_INFO;
  enum log_format format = LOG_FORMAT_TEXT;

  log_parse_level(cfg->log_level, &level);
  log_parse_format(cfg->log_format, &format);
  log_setup("dkron-agent-launcher", level, format);
}

int main(int argc, char **argv)
{
  struct launcher_config cfg;
  struct launcher l;
  int code = launcher_config_load(&cfg, argc, argv);

  if (code >= 0)
    return code;
  setup_logging(&cfg);
  code = 1;
  if (launcher_start(&l, &cfg) == 0)
    code = launcher_run(&l);
  launcher_finish(&l);
  return code;
}
