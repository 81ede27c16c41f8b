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

#include <stddef.h>

#include "gossip.h"

struct wrapper;

enum reclaim_need {
  RECLAIM_NOT_HELD,  /* the peer has no entry of our name */
  RECLAIM_SAME_ADDR, /* at our own address: dkron's refute suffices */
  RECLAIM_FREE,      /* left already: the new address is accepted */
  RECLAIM_LEAVE,     /* alive or suspect at the old address: send "left" */
  RECLAIM_REVIVE     /* dead there: "alive" one incarnation on, then "left" */
};

/* What to send about held (the peer's entry of our name, or NULL) when
 * our address is pod_ip: fills push[0..*n) (at most 2; they borrow held's
 * name, meta and version bytes) and returns why. */
enum reclaim_need reclaim_plan(const struct gossip_node *held,
                               const char *pod_ip, struct gossip_node push[2],
                               size_t *n);

/* The step: every peer whose address the DNS wait found is asked, within
 * a few seconds in all. Logs and posts an Event of what it did. */
void wrapper_reclaim_name(struct wrapper *w);

#endif
