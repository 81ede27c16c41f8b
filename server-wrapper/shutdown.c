/* shutdown.c: the wrapper's graceful stop, all of it inside the pod's
 * termination grace period (leave + stop + remove timeouts):
 *
 *   0. the quorum guard: while leaving would leave the Raft configuration
 *      short of a working majority (another server is down, or stopping
 *      ahead of us), wait for it, up to --quorum-wait;
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
 * grace period (the manifests size it: quorum wait + hand-over + leave +
 * stop + remove + 2 budgets).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "cluster_view.h"
#include "dkron_cli.h"
#include "handover.h"
#include "k8s_pod.h"
#include "log.h"
#include "proc.h"
#include "shutdown_policy.h"
#include "wrapper.h"

#define SHUTDOWN_API_BUDGET_MS 2000LL
#define QUORUM_POLL_MS         500L
#define QUORUM_API_MS          1000LL
#define QUORUM_LOG_EVERY_MS    5000LL

/* What the RaftPeerRemoved Event says of a removal's cause. */
static const char *removal_why(enum removal r)
{
  switch (r) {
    case REMOVAL_SCALED_DOWN:
      return "its ordinal is at or above spec.replicas (scaled down)";
    case REMOVAL_LEAVE_FAILED:
      return "its graceful leave failed, so the leader might never drop it";
    case REMOVAL_ALWAYS:
      return "--remove-on-exit=always";
    case REMOVAL_NONE:
      break;
  }
  return "no reason";
}

/* Removes this node from Raft through the current leader, for cause. */
static void remove_self(struct wrapper *w, enum removal cause)
{
  const struct wrapper_config *cfg = w->cfg;
  const struct dkron_remove_opts opts = {
    .dkron_bin = cfg->dkron,
    .peer_urls = (const char *const *)w->peer_urls,
    .n_peer_urls = w->n_peer_urls,
    .peer_id = cfg->pod_name,
    .deadline_ms = cfg->remove_timeout,
    .http_timeout_ms = cfg->leader_query_timeout};
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
  else {
    LOG_INFOF("removed %s from Raft", cfg->pod_name);
    metric_inc(w->metrics.peers_removed, (const char *[]){removal_name(cause)});
    events_emit(w->events, false, "RaftPeerRemoved", "Leave",
                "removed %s from Raft: %s", cfg->pod_name, removal_why(cause));
  }
}

/* The shutdown's pause: sleeps ms on the signalfd (0: only reads what is
 * pending), ended early by dkron's exit. Signals read meanwhile: SIGCHLD
 * reaps (dkron, or an orphan); another SIGTERM or SIGINT is dropped, since
 * the graceful path is under way and only its own deadlines end it; the
 * others go on to dkron. True when dkron is not running (it exited: then
 * w->child.exited and its status are set). */
static bool nap_on_signals(struct wrapper *w, long ms)
{
  long long until = clock_ms() + ms;

  for (;;) {
    struct pollfd pfd = {.fd = w->sigfd, .events = POLLIN};
    long long left = clock_left_ms(until, ms);
    int sig;

    if (w->child.pid <= 0)
      return true;
    if (poll(&pfd, 1, (int)left) > 0) {
      while ((sig = proc_signal_read(w->sigfd)) > 0) {
        switch (child_handle_signal(&w->child, sig)) {
          case CHILD_EXITED:
            LOG_WARNF("dkron (pid %ld) exited with status %d during the "
                      "shutdown",
                      (long)w->child.last, w->child.status);
            break;
          case CHILD_STOP:
            LOG_INFOF("received %s again: already leaving, within the grace "
                      "period",
                      strsignal(sig));
            break;
          case CHILD_FORWARDED:
            LOG_INFOF("forwarding %s to dkron", strsignal(sig));
            break;
          case CHILD_NONE:
            break;
        }
      }
    }
    if (w->child.pid <= 0)
      return true;
    if (clock_ms() >= until)
      return false;
  }
}

/* True when the API says pod name is being deleted; false when it is not,
 * or the API cannot tell within QUORUM_API_MS (then Raft and Serf alone
 * judge). */
static bool pod_terminating(struct wrapper *w, const char *name)
{
  struct k8s_pod pod;
  struct dk_err err;
  bool terminating = false;

  if (!w->kube)
    return false;
  memset(&pod, 0, sizeof(pod));
  dk_err_clear(&err);
  w->api_deadline = clock_ms() + QUORUM_API_MS;
  if (k8s_get_pod(w->kube, name, NULL, &pod, &err) == DK_OK)
    terminating = pod.terminating;
  w->api_deadline = 0;
  k8s_pod_free(&pod);
  return terminating;
}

/* Counts our Raft configuration's voters and the other working ones, and
 * asks the policy (replicas: spec.replicas, or -1); true when leaving
 * keeps quorum (or nothing can be known: no leader, no view). */
static bool quorum_allows_leaving(struct wrapper *w, long replicas, char *why,
                                  size_t len)
{
  struct cluster_view v;
  long voters = 0, others = 0, staying = 0;
  bool self_voter = false, ok = true;

  cluster_view_read(w, &v);
  if (!v.members_read) {
    snprintf(why, len, "no cluster view (%s): not waiting",
             !v.leader_known  ? "no leader known"
             : !v.config_read ? v.config_err.msg
                              : v.members_err.msg);
    goto out;
  }
  for (size_t i = 0; i < v.peers.n; i++) {
    const struct dkron_raft_peer *p = &v.peers.items[i];

    if (!p->voter)
      continue;
    voters++;
    if (strcmp(p->id, w->cfg->pod_name) == 0) {
      self_voter = true;
    } else if (cluster_view_working(&v, p, w->cfg->rpc_port)) {
      bool terminating = pod_terminating(w, p->id);

      others += guard_counts_voter(
        true, terminating, k8s_ordinal_from_name(p->id), w->cfg->ordinal);
      staying += !terminating;
    }
  }
  ok =
    leave_keeps_quorum(voters, replicas, self_voter, others, staying, why, len);
out:
  cluster_view_free(&v);
  return ok;
}

/* The quorum guard: while leaving would leave the Raft configuration short
 * of a working majority (another voter is down: a drain, a crash, a
 * StatefulSet rollout that does not look below its target), wait for it
 * to come back, up to --quorum-wait. Every call is bounded by what is left
 * of the wait (w->call_deadline), and the pauses wake when dkron exits:
 * with no dkron left there is nothing to guard. */
static void guard_quorum(struct wrapper *w, long replicas, long long start,
                         long long deadline)
{
  long long next_log = 0;
  char why[DK_ERR_MSG_LEN + 64];

  if (quorum_allows_leaving(w, replicas, why, sizeof(why))) {
    LOG_INFOF("quorum guard: %s", why);
    return;
  }
  for (;;) {
    long long now = clock_ms();
    bool safe;

    if (now >= deadline) {
      LOG_WARNF("leaving anyway after waiting %lld ms (--quorum-wait): %s",
                now - start, why);
      return;
    }
    if (next_log == 0)
      events_emit(w->events, true, "QuorumGuard", "Leave",
                  "waiting up to %ld ms before leaving: %s",
                  w->cfg->quorum_wait, why);
    if (now >= next_log) {
      LOG_WARNF("waiting before leaving: %s", why);
      next_log = now + QUORUM_LOG_EVERY_MS;
    }
    if (nap_on_signals(w, (long)clock_left_ms(deadline, QUORUM_POLL_MS))) {
      LOG_WARNF("the quorum guard stops waiting after %lld ms: dkron is "
                "gone",
                clock_ms() - start);
      return;
    }
    if (clock_ms() >= deadline)
      continue;
    safe = quorum_allows_leaving(w, replicas, why, sizeof(why));
    if (safe && clock_ms() < deadline)
      break;
  }
  LOG_INFOF("quorum is safe after %lld ms: %s", clock_ms() - start, why);
}

static void wait_for_quorum(struct wrapper *w, long replicas)
{
  long long start = clock_ms();

  if (w->cfg->quorum_wait == 0)
    return; /* --quorum-wait=0: the guard is off */
  w->call_deadline = start + w->cfg->quorum_wait;
  guard_quorum(w, replicas, start, w->call_deadline);
  w->call_deadline = 0;
}

int wrapper_shutdown(struct wrapper *w, int signo)
{
  const struct wrapper_config *cfg = w->cfg;
  long long start = clock_ms();
  struct shutdown_facts facts = {.ordinal = cfg->ordinal,
                                 .replicas = -1, /* not read yet */
                                 .leave_ok = false,
                                 .mode = cfg->remove_mode};
  char reason[256];
  struct dk_err err;
  enum removal removal;
  enum dk_code rc;
  bool had_dkron, gone;
  int status, exit_code;

  LOG_INFOF("received %s: leaving the cluster", strsignal(signo));
  had_dkron = w->child.pid > 0;
  /* From here, only the budgets and timeouts end a step: a second SIGTERM
   * (an impatient kubelet or operator) must not turn the graceful leave of
   * a restart into an abandoned one, and that into a removal. */
  w->stopping = true;
  status_server_stopping(w->status, "shutting down");
  w->api_deadline = clock_ms() + SHUTDOWN_API_BUDGET_MS;
  facts.replicas = wrapper_replicas(w);
  w->api_deadline = 0;
  wait_for_quorum(w, facts.replicas);
  gone = had_dkron && nap_on_signals(w, 0);
  if (!gone)
    handover_leadership(w);
  w->api_deadline = clock_ms() + SHUTDOWN_API_BUDGET_MS;
  leadership_set_label(w, ROLE_FOLLOWER);
  w->api_deadline = 0;
  dk_err_clear(&err);
  gone = had_dkron && nap_on_signals(w, 0);
  rc = gone ? dk_err_set(&err, DK_ECONNECT,
                         "dkron exited before it could leave (status %d)",
                         w->child.status)
            : dkron_leave(w->local, cfg->leave_timeout, &err);
  facts.leave_ok = rc == DK_OK;
  facts.leave_interrupted = rc == DK_ECANCELED;
  if (facts.leave_ok)
    LOG_KV(LOG_INFO, FIELDS(LOG_NUM("duration_ms", clock_ms() - start)),
           "left the cluster in %lld ms", clock_ms() - start);
  else if (facts.leave_interrupted)
    LOG_WARNF("graceful leave abandoned: %s", err.msg);
  else
    LOG_WARNF("graceful leave failed: %s", err.msg);
  status = had_dkron && nap_on_signals(w, 0)
             ? w->child.status
             : child_stop(&w->child, SIGTERM, cfg->stop_timeout);
  LOG_INFOF("dkron exited with status %d", status);
  removal = shutdown_should_remove(&facts, reason, sizeof(reason));
  LOG_INFOF("%s", reason);
  if (removal != REMOVAL_NONE)
    remove_self(w, removal);
  exit_code = status < 0 ? 1 : status;
  LOG_KV(LOG_INFO,
         FIELDS(LOG_NUM("duration_ms", clock_ms() - start),
                LOG_NUM("exit_code", exit_code)),
         "shutdown finished in %lld ms", clock_ms() - start);
  return exit_code;
}
