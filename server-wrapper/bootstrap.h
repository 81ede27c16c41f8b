/* bootstrap.h: whether this server passes --bootstrap-expect, and why.
 *
 * Rule: pass --bootstrap-expect=N only when no other peer reports a leader
 * AND the local data dir holds no Raft state. N is the initial cluster
 * size, the same on every server. N=1 is only ever given to ordinal 0 of a
 * single-replica cluster: two servers in bootstrap mode never elect a
 * leader (dkron#673, #1092).
 */
#ifndef WRAPPER_BOOTSTRAP_H
#define WRAPPER_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "dkron.h"

/* What one other peer's GET /v1/leader said. */
struct peer_probe {
  const char *peer; /* the peer's name (FQDN) */
  enum dkron_leader_state answer;
  const char *leader; /* DKRON_LEADER_FOUND: the leader's node name */
};

struct bootstrap_decision {
  long expect;     /* 0: do not pass --bootstrap-expect */
  const char *why; /* a short stable code, for the metric and the Event */
  /* One line for the log, naming every peer's answer (owned; NULL only
   * when out of memory). */
  char *reason;
};

/* Fills out; free it with bootstrap_decision_free. */
void bootstrap_decide(const struct peer_probe *probes, size_t n_probes,
                      bool has_raft_state, long cluster_size, long ordinal,
                      struct bootstrap_decision *out);
void bootstrap_decision_free(struct bootstrap_decision *d);

/* True when <data_dir>/raft holds a non-empty raft.db or any snapshot. */
bool bootstrap_has_raft_state(const char *data_dir);

#endif
