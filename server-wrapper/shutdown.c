/* shutdown.c: the wrapper's graceful stop, all of it inside the pod's
 * termination grace period (leave + stop + remove timeouts):
 *
 *   1. while leader, hand leadership to a chosen follower (handover.h),
 *      so that the next leader is elected at once, not after a heartbeat
 *      timeout;
 *   2. label this pod follower (the leader Service must stop routing here);
 *      best effort: the next leader clears a stale leader label anyway;
 *   3. POST /v1/leave, bounded: dkron leaves serf, so the leader's next
 *      reconcile (--reconcile-interval) drops it from Raft, and adds it
 *      again at its new address when it returns;
 *   4. SIGTERM dkron, wait (it finishes its running jobs), SIGKILL at the
 *      stop timeout;
 *   5. only when the pod goes away for good (shutdown_policy.h), find the
 *      leader through the other peers and `raft remove-peer` this node.
 * Every step polls a condition with a deadline; nothing sleeps blindly. The
 * two Kubernetes API calls (label, spec.replicas) get SHUTDOWN_API_BUDGET_MS
 * each, so that an unreachable API server cannot push the whole past the
 * grace period (the manifests size it: leave + stop + remove + 2 budgets).
 */
#include <signal.h>
#include <string.h>

#include "clock.h"
#include "dkron_cli.h"
#include "handover.h"
#include "log.h"
#include "proc.h"
#include "shutdown_policy.h"
#include "wrapper.h"

#define SHUTDOWN_API_BUDGET_MS 2000LL

/* Removes this node from Raft through the current leader. */
static void remove_self(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  struct dkron_remove_opts opts = {cfg->dkron,
                                   (const char *const *)w->peer_urls,
                                   w->n_peer_urls,
                                   cfg->pod_name,
                                   0,
                                   cfg->remove_timeout,
                                   cfg->leader_query_timeout,
                                   0,
                                   0};
  enum dkron_remove_outcome outcome;
  struct dk_err err;

  dk_err_clear(&err);
  if (w->n_peer_urls == 0) {
    LOG_INFOF("no other peers to ask for the leader; nothing to remove");
    return;
  }
  if (dkron_remove_peer_via_leader(&opts, &outcome, &err) != DK_OK)
    LOG_ERRORF("could not remove %s from Raft: %s; the leader's dead-peer "
               "cleanup will remove it later",
               cfg->pod_name, err.msg);
  else if (outcome == DKRON_PEER_ALREADY_GONE)
    LOG_INFOF("%s was already out of the Raft configuration", cfg->pod_name);
  else
    LOG_INFOF("removed %s from Raft", cfg->pod_name);
}

int wrapper_shutdown(struct wrapper *w, int signo)
{
  const struct wrapper_config *cfg = w->cfg;
  long long start = clock_ms();
  struct shutdown_facts facts = {cfg->ordinal, -1, false, cfg->remove_mode};
  char reason[256];
  struct dk_err err;
  int status;

  LOG_INFOF("received %s: leaving the cluster", strsignal(signo));
  if (w->status)
    status_server_stopping(w->status, "shutting down");
  handover_leadership(w);
  w->api_deadline = clock_ms() + SHUTDOWN_API_BUDGET_MS;
  leadership_set_label(w, ROLE_FOLLOWER);
  w->api_deadline = 0;
  dk_err_clear(&err);
  facts.leave_ok = dkron_leave(w->local, cfg->leave_timeout, &err) == DK_OK;
  if (facts.leave_ok)
    LOG_INFOF("left the cluster in %lld ms", clock_ms() - start);
  else
    LOG_WARNF("graceful leave failed: %s", err.msg);
  status = proc_stop(w->child, SIGTERM, cfg->stop_timeout);
  LOG_INFOF("dkron exited with status %d", status);
  w->child = 0;
  w->api_deadline = clock_ms() + SHUTDOWN_API_BUDGET_MS;
  facts.replicas = wrapper_replicas(w);
  w->api_deadline = 0;
  if (shutdown_should_remove(&facts, reason, sizeof(reason))) {
    LOG_INFOF("%s", reason);
    remove_self(w);
  } else {
    LOG_INFOF("%s", reason);
  }
  LOG_INFOF("shutdown finished in %lld ms", clock_ms() - start);
  return status < 0 ? 1 : status;
}
