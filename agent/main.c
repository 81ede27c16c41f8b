/* dkron-agent-launcher: the entrypoint of the dkron worker Deployments.
 *
 *   config → watch the live dkron servers → launch `dkron agent --join` →
 *   verify membership, re-join when cut off → stop with dkron
 */
#include "launcher.h"
#include "log.h"

int main(int argc, char **argv)
{
  struct launcher_config cfg;
  struct launcher l;
  int code = launcher_config_load(&cfg, argc, argv);

  if (code >= 0)
    return code;
  log_setup_names("dkron-agent-launcher", cfg.log_level, cfg.log_format);
  log_set_pod(cfg.pod_name);
  code = 1;
  if (launcher_start(&l, &cfg) == 0)
    code = launcher_run(&l);
  launcher_finish(&l);
  return code;
}
