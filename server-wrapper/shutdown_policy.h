/* shutdown_policy.h: whether a stopping server also leaves Raft for good.
 *
 * Removing the node from Raft on every stop is the most complained-about
 * pattern of peer charts: a restart then shrinks and regrows the voter set.
 * A graceful serf leave already lets dkron v4's leader drop the peer and
 * re-add it (with its new address) when the same name returns. So the
 * wrapper removes the peer only when the pod is going away for good:
 *   - its ordinal is at or above the StatefulSet's spec.replicas;
 *   - the graceful leave failed (the leader may never see it leave);
 *   - the operator asked for it on every stop (remove mode "always": no
 *     persistent volumes, or dkron v3).
 */
#ifndef WRAPPER_SHUTDOWN_POLICY_H
#define WRAPPER_SHUTDOWN_POLICY_H

#include <stdbool.h>
#include <stddef.h>

enum remove_mode { REMOVE_AUTO, REMOVE_ALWAYS };

struct shutdown_facts {
  long ordinal;  /* our StatefulSet ordinal */
  long replicas; /* spec.replicas now, or -1 if it could not be read */
  bool leave_ok; /* POST /v1/leave succeeded */
  enum remove_mode mode;
};

/* Returns true when the peer must be removed; reason gets one log line. */
bool shutdown_should_remove(const struct shutdown_facts *f, char *reason,
                            size_t len);

/* Parses "auto" / "always"; -1 if unknown. */
int remove_mode_parse(const char *text, enum remove_mode *out);

#endif
