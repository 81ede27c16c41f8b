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
  struct step s = launcher_config_load(&cfg, argc, argv);

  if (!step_goes_on(s))
    return s.exit_code;
  log_setup_names("dkron-agent-launcher", cfg.log_level, cfg.log_format);
  log_set_pod(cfg.pod_name);
  s = launcher_start(&l, &cfg);
  if (step_goes_on(s))
    s = launcher_run(&l);
  launcher_finish(&l);
  return s.exit_code;
}
