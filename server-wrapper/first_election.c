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
 */
#include "clock.h"
#include "dkron_cli.h"
#include "log.h"
#include "raft_wire.h"
#include "wrapper.h"

#define FIRST_ELECTION_POLL_MS 200LL
#define FIRST_ELECTION_GIVE_UP 120000LL
#define FIRST_ELECTION_CLI_MS  2000L
#define FIRST_ELECTION_RAFT_MS 1000L

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
  if (voters == 0)
    return; /* not bootstrapped here (yet) */
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
