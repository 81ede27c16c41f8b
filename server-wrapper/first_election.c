/* first_election.c: the first election of a new cluster, without the
 * heartbeat timeout.
 *
 * With --bootstrap-expect=N, the dkron server that sees N servers first
 * writes the Raft configuration (BootstrapCluster) and then, like every
 * follower, waits a randomised heartbeat timeout (1 to 2 s) before it
 * stands for election; the others have no configuration and cannot stand
 * at all. The wrapper that launched dkron with --bootstrap-expect looks
 * every FIRST_ELECTION_POLL_MS: once its own Raft configuration lists
 * voters and no leader is known, it sends its own Raft TimeoutNow
 * (raft_wire.h), and the election happens at once. The other servers grant
 * the vote as they would after the timeout (empty configuration: a
 * bootstrap). Once, and only on a first bootstrap.
 *
 * A bootstrap that never starts. dkron (v4.0.9) runs its bootstrap check
 * only on a Serf member-join event. Serf coalesces a member's events over
 * 3 s and delivers the latest kind: a join followed within that window by
 * the member's tag update (dkron sets its rpc_addr tag right after
 * joining) arrives as a member-update. When all servers start within a
 * second or two of each other (as after the wrapper's DNS wait), every
 * server may see only updates: all are alive members, none writes the
 * Raft configuration, and nothing ever will. The wrapper of ordinal 0
 * watches for that: launched with --bootstrap-expect=N, no leader and no
 * voters after BOOTSTRAP_STUCK_MS while at least N servers are alive
 * members, it restarts its dkron (at most BOOTSTRAP_MAX_RESTARTS times).
 * Restarted, dkron joins servers whose tags no longer change, sees their
 * member-join events, and bootstraps; the others vote for it.
 */
#include <signal.h>
#include <string.h>

#include "clock.h"
#include "dkron_cli.h"
#include "log.h"
#include "proc.h"
#include "raft_wire.h"
#include "wrapper.h"

#define FIRST_ELECTION_POLL_MS 200LL
#define FIRST_ELECTION_GIVE_UP 120000LL
#define FIRST_ELECTION_CLI_MS  2000L
#define FIRST_ELECTION_RAFT_MS 1000L
#define BOOTSTRAP_STUCK_MS     10000LL
#define BOOTSTRAP_MAX_RESTARTS 3

/* Alive members that are servers. */
static size_t alive_servers(struct wrapper *w)
{
  struct dkron_members members = {NULL, 0};
  struct dk_err err;
  size_t n = 0;

  dk_err_clear(&err);
  if (dkron_members(w->local, &members, &err) == DK_OK)
    for (size_t i = 0; i < members.n; i++)
      n += members.items[i].server && members.items[i].status == DKRON_ALIVE;
  dkron_members_free(&members);
  return n;
}

static void check_stuck(struct wrapper *w, long long now)
{
  size_t alive;

  if (w->cfg->ordinal != 0 || w->bootstrap_restarts >= BOOTSTRAP_MAX_RESTARTS ||
      now - w->launched < BOOTSTRAP_STUCK_MS)
    return;
  alive = alive_servers(w);
  if (alive < (size_t)w->bootstrap_expect)
    return;
  LOG_KV(LOG_WARN, FIELDS(LOG_STR("reason", "bootstrap_stuck")),
         "bootstrap: %zu servers are alive members, but %lld s after the "
         "start none has written the Raft configuration: dkron saw their "
         "joins only as updates (Serf coalesces a join with the tag update "
         "that follows it), and it bootstraps on a join; restarting dkron "
         "so that it sees them join",
         alive, (now - w->launched) / 1000);
  events_emit(w->events, true, "BootstrapStuck", "Bootstrap",
              "%zu servers alive, no Raft configuration %lld s after the "
              "start: restarting dkron so that it bootstraps",
              alive, (now - w->launched) / 1000);
  w->bootstrap_stuck = true;
  w->bootstrap_restarts++;
}

struct step first_election_restart(struct wrapper *w)
{
  int status, sig;

  w->bootstrap_stuck = false;
  w->first_election_pending = false;
  (void)proc_stop_take_signal();
  status = child_stop(&w->child, SIGTERM, w->cfg->stop_timeout);
  if ((sig = proc_stop_take_signal()) != 0) {
    LOG_INFOF("received %s while dkron restarted: not starting it again "
              "(status %d)",
              strsignal(sig), status);
    metric_set(w->metrics.common.dkron_up, NULL, 0);
    return step_exit(status < 0 ? 1 : status);
  }
  LOG_INFOF("bootstrap: dkron stopped (status %d); starting it again", status);
  metric_set(w->metrics.common.dkron_up, NULL, 0);
  return wrapper_launch(w, w->bootstrap_expect);
}

void first_election_poll(struct wrapper *w, long long now)
{
  struct dkron_raft_peers peers = {NULL, 0};
  struct dkron_member leader;
  enum dkron_leader_state state = DKRON_LEADER_ERROR;
  struct dk_err err;
  size_t voters = 0;

  if (!w->first_election_pending || now < w->next_first_election)
    return;
  w->next_first_election = now + FIRST_ELECTION_POLL_MS;
  if (now - w->launched > FIRST_ELECTION_GIVE_UP) {
    w->first_election_pending = false;
    return;
  }
  dk_err_clear(&err);
  dkron_leader(w->local, &leader, &state, &err);
  dkron_member_clear(&leader);
  if (state == DKRON_LEADER_FOUND) {
    w->first_election_pending = false; /* someone stood already */
    return;
  }
  if (state != DKRON_LEADER_NONE ||
      dkron_list_peers(w->cfg->dkron, w->rpc_addr, FIRST_ELECTION_CLI_MS,
                       &peers, &err) != DK_OK)
    return; /* dkron not up yet */
  for (size_t i = 0; i < peers.n; i++)
    voters += peers.items[i].voter;
  dkron_raft_peers_free(&peers);
  if (voters == 0) {
    check_stuck(w, now); /* not bootstrapped here (yet) */
    return;
  }
  w->first_election_pending = false;
  dk_err_clear(&err);
  if (raft_timeout_now(w->cfg->pod_ip, w->cfg->rpc_port, FIRST_ELECTION_RAFT_MS,
                       &err) == DK_OK)
    LOG_INFOF("bootstrap: Raft is configured with %zu voters and no leader "
              "yet; standing for election now instead of after a heartbeat "
              "timeout",
              voters);
  else
    LOG_WARNF("bootstrap: could not start the first election at once (%s); "
              "Raft starts it after its heartbeat timeout",
              err.msg);
}
