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
 *   - the graceful leave failed (the leader may never see it leave); a
 *     leave abandoned before dkron answered is not one: it may well have
 *     left, and the leader's dead-peer cleanup removes it if not;
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
  /* The leave was abandoned before dkron answered (the caller stopped
   * it): its outcome is unknown, which is not a failed leave. */
  bool leave_interrupted;
};

/* Why a stopping server removes itself from Raft, if it does. */
enum removal {
  REMOVAL_NONE,         /* a restart: the leader drops and re-adds it */
  REMOVAL_SCALED_DOWN,  /* ordinal at or above spec.replicas */
  REMOVAL_LEAVE_FAILED, /* the leader may never see it leave */
  REMOVAL_ALWAYS        /* --remove-on-exit=always */
};

/* Whether (and why) the peer must be removed; reason gets one log line. */
enum removal shutdown_should_remove(const struct shutdown_facts *f,
                                    char *reason, size_t len);

/* The removal's name in metrics ("scaled_down", "leave_failed",
 * "always"; "none"). */
const char *removal_name(enum removal r);

/* The quorum guard: whether this server may leave now. voters counts the
 * voters of the leader's Raft configuration (this server included when it
 * is one); others_working the other voters that are alive at the address
 * the configuration holds (guard_counts_voter); others_staying those of
 * them whose pods are not stopping at all; replicas is the StatefulSet's
 * spec.replicas (-1 when unknown). Until the leader drops a departed
 * server from the configuration, it needs a majority of it working, or it
 * steps down; and a server that left earlier (drained, restarting) has
 * already been dropped and will be added back. So the cluster's size is
 * the larger of the two, and leaving is safe when the other working voters
 * are a majority of it. There is nothing to wait for when the cluster
 * cannot spare a server (1 or 2), or when every other voter is stopping
 * too (the whole cluster is going down). why gets one log line. */
bool leave_keeps_quorum(long voters, long replicas, bool self_voter,
                        long others_working, long others_staying, char *why,
                        size_t len);

/* Whether the quorum guard counts another voter as staying: it works
 * (alive at its Raft address), and its pod is not on its way out ahead of
 * ours. When two servers stop at once (a drain and a rollout, two
 * deletes), each would count the other as working and both would leave:
 * so the one with the higher ordinal goes first (a rollout's order), and
 * the other waits until it is back. */
bool guard_counts_voter(bool working, bool terminating, long ordinal,
                        long self_ordinal);

/* Parses "auto" / "always"; -1 if unknown. */
int remove_mode_parse(const char *text, enum remove_mode *out);

#endif
