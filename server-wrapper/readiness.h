/* readiness.h: when a dkron server is ready, that is, a working voter.
 *
 * Ready means all of these hold:
 *   - dkron's HTTP API answers;
 *   - this node knows the current leader;
 *   - the leader's Raft configuration lists this node as a voter at its
 *     current address (pod IP:rpc port);
 *   - the leader sees this node as an alive Serf member at its pod IP.
 * dkron's own GET /health says only the first; a rolling update that moved
 * on with it would restart the next server while this one has no Raft seat
 * yet, and lose quorum.
 *
 * readiness_judge is pure: facts in, verdict and a one-line text out (the
 * /readyz body). The wrapper gathers the facts (voter_check.c).
 */
#ifndef WRAPPER_READINESS_H
#define WRAPPER_READINESS_H

#include <stdbool.h>
#include <stddef.h>

struct readiness_facts {
  const char *self;     /* our node name */
  const char *self_ip;  /* our pod IP */
  const char *want_rpc; /* "<pod IP>:<rpc port>", our Raft address */
  bool api_answers;     /* our dkron answered GET /v1/leader at all */
  const char *leader;   /* the leader's name; NULL when none is known */
  /* The leader's Raft configuration; NULL config_error means it was read. */
  const char *config_error;
  bool listed;             /* we are in it */
  const char *listed_addr; /* our address there (when listed) */
  bool voter;              /* and a voter */
  /* The leader's view of our Serf membership; NULL members_error means it
   * was read. */
  const char *members_error;
  int member_status;       /* enum dkron_member_status; 0 when absent */
  const char *member_addr; /* our Serf address there */
};

/* True when ready. text gets "a voter at <addr> (leader <name>)" or the
 * first condition that fails, with what was seen. */
bool readiness_judge(const struct readiness_facts *f, char *text, size_t len);

#endif
