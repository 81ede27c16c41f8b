/* cluster_view.h: the cluster as its Raft leader sees it, read through
 * our own dkron: who leads (GET /v1/leader), the leader's Raft
 * configuration (`raft list-peers` against its rpc address) and its Serf
 * members (its GET /v1/members; our own when we lead).
 *
 * Readiness (voter_check.c), the leadership hand-over (handover.c) and the
 * quorum guard of the shutdown (shutdown.c) all judge from one such view.
 * Each read is bounded: about two HTTP timeouts and one CLI run, and by
 * w->call_deadline when it is set.
 */
#ifndef WRAPPER_CLUSTER_VIEW_H
#define WRAPPER_CLUSTER_VIEW_H

#include <stdbool.h>

#include "dkron.h"
#include "dkron_cli.h"

struct wrapper;

struct cluster_view {
  bool api_answers;  /* our dkron answered GET /v1/leader */
  bool leader_known; /* and named a leader: */
  struct dkron_member leader;
  bool leader_is_us;
  bool config_read; /* the leader's Raft configuration: */
  struct dkron_raft_peers peers;
  struct dk_err config_err; /* why not, when !config_read */
  bool members_read;        /* the leader's Serf members: */
  struct dkron_members members;
  struct dk_err members_err; /* why not, when !members_read */
};

/* Reads the view; the members only once the configuration was read. */
void cluster_view_read(struct wrapper *w, struct cluster_view *v);
void cluster_view_free(struct cluster_view *v);

/* True when Raft peer p is a voter whose Serf member is alive at the
 * address the configuration holds for it (a voter that can vote now). */
bool cluster_view_working(const struct cluster_view *v,
                          const struct dkron_raft_peer *p, long rpc_port);

#endif
