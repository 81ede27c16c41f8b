/* dkron-server-wrapper: the entrypoint of the dkron server StatefulSet.
 *
 *   config → wait for peer DNS → reclaim our name (the peers' gossip, a
 *   stale Raft seat) →
 *   bootstrap decision → launch dkron →
 *   supervise (signals, reaping, leader label, dead peers) → shutdown
 */
#include "log.h"
#include "reclaim.h"
#include "wrapper.h"

int main(int argc, char **argv)
{
  struct wrapper_config cfg;
  struct wrapper w;
  struct step s = wrapper_config_load(&cfg, argc, argv);

  if (!step_goes_on(s))
    return s.exit_code;
  log_setup_names("dkron-server-wrapper", cfg.log_level, cfg.log_format);
  log_set_pod(cfg.pod_name);
  s = wrapper_start(&w, &cfg);
  if (step_goes_on(s))
    s = wrapper_wait_for_peers(&w);
  if (step_goes_on(s) && wrapper_reclaim_name(&w)) {
    wrapper_give_up_stale_seat(&w);
    s = wrapper_let_peers_drop_old_address(&w);
  }
  if (step_goes_on(s))
    s = wrapper_launch(&w, wrapper_decide_bootstrap(&w));
  if (step_goes_on(s))
    s = wrapper_supervise(&w);
  wrapper_finish(&w);
  wrapper_config_free(&cfg);
  return s.exit_code;
}
