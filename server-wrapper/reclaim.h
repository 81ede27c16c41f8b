/* reclaim.h: taking our node name back at the peers' gossip before dkron
 * starts, after the last pod of our name ended without leaving.
 *
 * Why: dkron names a server by its pod name, and Serf's memberlist keeps
 * one entry per name. When a server pod is lost (its node died, it was
 * SIGKILLed, force-deleted) its entry stays at the old pod IP, alive until
 * the probes fail, then dead. memberlist (state.go aliveNode) accepts the
 * name at a new address only when the old entry is "left"; dkron sets no
 * DeadNodeReclaimTime, so a dead entry holds the name until it is purged
 * GossipToTheDeadTime (30 s) later, and the replacement is taken in at the
 * next state exchange after that: 60-86 s in which the new server is no
 * voter and the cluster runs one failure away from losing quorum.
 *
 * What: the new pod has the name, so the old incarnation is gone (the
 * StatefulSet makes a pod of the name again only once the old pod object
 * is deleted). Before dkron starts, the wrapper asks each peer server's
 * memberlist (gossip.h) what it holds under our name. Where that entry is
 * at another address and not "left", it tells the peer what a graceful
 * leave of that incarnation would have told it: the entry has left (for a
 * dead entry, first that it was alive one incarnation later, since
 * memberlist ignores news of a dead node). The peer re-gossips the leave;
 * its Serf marks the old member failed (not left: no Serf leave intent
 * came, so the leader keeps the Raft seat), and when our dkron joins, the
 * name moves to the new address at once and the leader's reconcile gives
 * the seat the new address.
 *
 * Never fatal: a peer that cannot be asked only costs the old wait.
 */
#ifndef WRAPPER_RECLAIM_H
#define WRAPPER_RECLAIM_H

#include <stdbool.h>

struct wrapper;

/* The step: every peer whose address the DNS wait found is asked, within
 * a few seconds in all. Logs and posts an Event of what it did. True when
 * some peer still held our last incarnation at another address: it ended
 * without leaving, while the cluster ran on. */
bool wrapper_reclaim_name(struct wrapper *w);

/* The Raft side of the same return: the last pod ended without leaving,
 * so this server's Raft seat, if it has one, is at the old pod IP (Raft's
 * address is the Serf address of the member); give it up through the
 * leader before dkron starts. The leader's replication to the old address may
 * be blocked in a dial to it: raft's transport dials with dkron's 30 s timeout,
 * a lost pod's IP answers nothing, and the heartbeat that is stuck there holds
 * back the first one to the new address. With the seat given up, the leader's
 * reconcile adds the server back at its new address when it joins, with fresh
 * replication, as after the leave of a rollout (2 to 3 s). The quorum is the
 * same: the old seat was a voter that could not vote. Called only when
 * wrapper_reclaim_name found our last incarnation in the peers' gossip, so that
 * a whole cluster restarting (fresh gossip everywhere, no leader yet) is not
 * held up by a search for a leader. */
void wrapper_give_up_stale_seat(struct wrapper *w);

/* The last step of the return, before dkron starts: dkron's leader dials
 * a Raft peer at the address its server lookup holds for the peer's ID,
 * not at the address in the Raft configuration (agent.go: the transport's
 * ServerAddressProvider). That lookup follows Serf's member events, which
 * dkron's Serf hands over in batches (CoalescePeriod 3 s, QuiescentPeriod
 * 1 s), while the leader's reconcile reads Serf's members as they are. If
 * our dkron joins before the peers' dkron has taken in the old
 * incarnation's failure (which drops its lookup entry), the reconcile can
 * add us back while the lookup still names the old pod IP, and the leader's
 * new replication then sits in a 30 s dial to it (measured: 28 s from
 * dkron's start to a voter, in about one return of three). So the wrapper
 * lets a batch pass from its pushes (wrapper_reclaim_name) before dkron
 * starts. Goes on when the time has passed; stops cleanly on SIGTERM. */
struct step wrapper_let_peers_drop_old_address(struct wrapper *w);

struct dkron_members;

/* While dkron runs: the leader's Serf holds this live server failed or
 * left (a stale leave or death of an earlier incarnation reached the peers
 * after the new one joined, or a probe failed under load). dkron's
 * memberlist refutes that only once the news reaches it, which may take
 * until its next state exchange (30 s or more); meanwhile the leader sends
 * it no Raft traffic, and a left member loses its Raft seat. The wrapper
 * refutes for it at every alive server of members: "alive" one
 * incarnation on, at our address. Logs what it did; true when some
 * server took it. */
bool wrapper_refute_for_dkron(struct wrapper *w,
                              const struct dkron_members *members);

#endif
