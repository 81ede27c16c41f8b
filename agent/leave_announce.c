/* leave_announce.c: see leave_announce.h. */
#include "leave_announce.h"

#include <stdio.h>

#include "clock.h"
#include "gossip.h"
#include "log.h"

/* The pod is terminating: short, and bounded in all. */
#define ANNOUNCE_PEER_TIMEOUT_MS 500L
#define ANNOUNCE_BUDGET_MS       2000LL

void leave_announce(const struct launcher_config *cfg,
                    const struct live_snapshot *snap)
{
  long long deadline = clock_ms() + ANNOUNCE_BUDGET_MS;
  size_t asked = 0, told = 0, failed = 0;
  char held_as[16] = "";

  if (snap->n == 0)
    return;
  if (gossip_dkron_encrypts(cfg->dkron_args, cfg->n_dkron_args)) {
    LOG_INFOF("gossip is encrypted (--encrypt): not telling the servers "
              "that this worker has left; they find out when memberlist's "
              "probes fail");
    return;
  }
  for (size_t i = 0; i < snap->n && clock_ms() < deadline; i++) {
    struct gossip_leave_result res;
    struct dk_err err;

    asked++;
    dk_err_clear(&err);
    if (gossip_leave_at(snap->ips[i], cfg->serf_port, cfg->pod_name, NULL, 0,
                        ANNOUNCE_PEER_TIMEOUT_MS, &res, &err) != DK_OK) {
      failed++;
      LOG_WARNF("could not tell server %s that this worker has left: %s",
                snap->ips[i], err.msg);
    } else if (res.need == GOSSIP_SEND_LEFT) {
      told++;
      if (!held_as[0])
        snprintf(held_as, sizeof(held_as), "%s",
                 gossip_state_name(res.old_state));
    }
  }
  if (told > 0)
    LOG_KV(LOG_INFO,
           FIELDS(LOG_NUM("servers", asked), LOG_NUM("told", told),
                  LOG_NUM("failed", failed)),
           "dkron exited before its leave went out (the servers held this "
           "worker %s): told %zu of %zu servers it has left, so the leader "
           "stops sending it executions now",
           held_as, told, asked);
  else
    LOG_INFOF("the servers already know this worker has left (%zu asked, "
              "%zu could not be asked)",
              asked, failed);
}
