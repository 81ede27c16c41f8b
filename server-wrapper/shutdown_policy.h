/* shutdown_policy.h: whether a stopping server also removes itself from
 * Raft, beyond its graceful leave.
 *
 * A graceful serf leave already makes dkron v4's leader drop the peer from
 * Raft on its next reconcile, and add it again (at its new address) when
 * the same name returns: a restart leaves the voter set and rejoins it
 * within seconds (see --reconcile-interval). The wrapper's own
 * `raft remove-peer` is for when that may not happen, that is, when the
 * pod is going away for good:
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
