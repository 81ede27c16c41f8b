/* dkron-server-wrapper: the entrypoint of the dkron server StatefulSet.
 *
 *   config → wait for peer DNS → bootstrap decision → launch dkron →
 *   supervise (signals, reaping, leader label, dead peers) → shutdown
 */
#include "log.h"
#include "wrapper.h"

int main(int argc, char **argv)
{
  struct wrapper_config cfg;
  struct wrapper w;
  int code = wrapper_config_load(&cfg, argc, argv);

  if (code >= 0)
    return code;
  log_setup_names("dkron-server-wrapper", cfg.log_level, cfg.log_format);
  log_set_pod(cfg.pod_name);
  code = 1;
  if (wrapper_start(&w, &cfg) != 0)
    goto out;
  code = wrapper_wait_for_peers(&w);
  if (code != 0) {
    code = code == 2 ? 0 : 1; /* stopped before launch: a clean exit */
    goto out;
  }
  code = wrapper_launch(&w, wrapper_decide_bootstrap(&w));
  if (code != 0)
    goto out;
  code = wrapper_supervise(&w);
out:
  wrapper_finish(&w);
  wrapper_config_free(&cfg);
  return code;
}
