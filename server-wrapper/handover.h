/* handover.h: the leader hands leadership to a chosen follower before it
 * leaves.
 *
 * dkron's own leave shuts Raft down on the leader; the followers notice
 * only after a heartbeat timeout (1-2 s) and elect whoever stands first.
 * Instead, when the leader's wrapper gets SIGTERM, it sends Raft's
 * TimeoutNow (raft_wire.h) to one follower, waits until its own dkron is
 * no longer the leader, and only then leaves: the next leader is elected
 * in milliseconds, while the old one still runs.
 *
 * Which follower: a StatefulSet's rolling update restarts pods from the
 * highest ordinal down, so the pods above ours are already updated and
 * the lowest ordinal is restarted last. handover_pick prefers the highest
 * ordinal above ours, else the lowest one: leadership then moves at most
 * twice in a rollout (once, or once more at the very end). Only voters at
 * their current address whose Serf member is alive qualify.
 */
#ifndef WRAPPER_HANDOVER_H
#define WRAPPER_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>

struct handover_candidate {
  const char *name;
  long ordinal;
  const char *ip; /* its Raft address's IP */
  bool eligible;  /* a voter, at its current address, alive */
};

/* Orders candidates best first (eligible ones only; stable for equal
 * ones); returns how many are eligible. */
size_t handover_rank(struct handover_candidate *c, size_t n, long self_ordinal);

struct wrapper;

/* While we lead: picks a successor, sends it TimeoutNow and waits until
 * our dkron is a follower, within about HANDOVER_BUDGET_MS. Logs what it
 * did; true when leadership moved. */
bool handover_leadership(struct wrapper *w);

#endif
