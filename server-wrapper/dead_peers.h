/* dead_peers.h: which stale Raft peers the leader removes.
 *
 * dkron never removes a failed server from Raft (only Left members), so a
 * server that crashed and was then scaled away stays a voter forever and
 * eats into quorum. While we lead, each cycle compares `raft list-peers`
 * with the pods that should exist (ordinals 0..replicas-1) and picks at
 * most one peer to remove. A peer qualifies when:
 *   - its pod should not exist (not <sts>-<i> for i < replicas);
 *   - it is not ourselves;
 *   - its serf member has been failed, left or absent for at least the
 *     threshold (tracked across cycles; alive resets the clock);
 *   - removing it leaves at least quorum(replicas) = replicas/2+1 voters.
 */
#ifndef WRAPPER_DEAD_PEERS_H
#define WRAPPER_DEAD_PEERS_H

#include <stdbool.h>
#include <stddef.h>

struct raft_peer_view {
  const char *id; /* raft ServerID = dkron node name = pod name */
  bool voter;
};

struct member_view {
  const char *name;
  int status; /* serf: 1 alive, 2 leaving, 3 left, 4 failed */
};

/* Remembers since when each non-alive peer has been seen non-alive. */
struct dead_peer_tracker {
  struct dead_peer_seen {
    char *id;
    long since_ms;
  } * seen;
  size_t n;
};

void dead_peers_init(struct dead_peer_tracker *t);
void dead_peers_free(struct dead_peer_tracker *t);

struct dead_peer_params {
  const char *statefulset; /* pod names are <statefulset>-<ordinal> */
  long replicas;           /* spec.replicas now */
  const char *self;        /* our node name */
  long threshold_ms;       /* how long non-alive before removal */
  long now_ms;
};

/* Returns the id of the peer to remove (pointing into peers[]), or NULL.
 * Fills why (one log line) when a peer is chosen or held back by the
 * quorum guard. Returns NULL with why[0] == '\0' when nothing qualifies. */
const char *dead_peers_select(struct dead_peer_tracker *t,
                              const struct dead_peer_params *p,
                              const struct raft_peer_view *peers,
                              size_t n_peers, const struct member_view *members,
                              size_t n_members, char *why, size_t why_len);

/* True when name is <statefulset>-<i> with 0 <= i < replicas. */
bool dead_peers_is_desired(const char *statefulset, long replicas,
                           const char *name);

#endif
