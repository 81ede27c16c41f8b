/* leader_label.h: keeps this pod's leader label true to GET /v1/isleader.
 *
 * A pure state machine; the caller polls isleader, feeds the result with
 * label_observe(), patches the label when told to, and reports the outcome
 * with label_patched(). Rules:
 *   - 200 means leader, 404 means follower (judged by status code only);
 *   - errors keep the current value, but after LABEL_MAX_ERRORS in a row
 *     the pod is labelled follower: a server whose API is down must not
 *     keep attracting leader traffic;
 *   - patch only on change; a failed patch never stops anything else. It
 *     is retried soon (within LABEL_RETRY_MS, with jitter) while the API
 *     server does not answer (no answer, or a 5xx): the label is right
 *     again as soon as the API is back. A refusal (a 4xx: RBAC, admission,
 *     429) backs off: 1 s doubling to 30 s, each delay uniform in its upper
 *     half;
 *   - on shutdown the label goes to follower.
 */
#ifndef WRAPPER_LEADER_LABEL_H
#define WRAPPER_LEADER_LABEL_H

#include <stdbool.h>

#include "backoff.h"

#define LABEL_MAX_ERRORS     3
#define LABEL_RETRY_MS       500L
#define LABEL_BACKOFF_MIN_MS 1000L
#define LABEL_BACKOFF_MAX_MS 30000L

enum label_role { ROLE_UNKNOWN = 0, ROLE_LEADER, ROLE_FOLLOWER };
enum isleader_result { ISLEADER_YES, ISLEADER_NO, ISLEADER_ERROR };
enum patch_outcome {
  PATCH_OK,
  PATCH_NO_ANSWER, /* the API server did not answer, or answered 5xx */
  PATCH_REFUSED    /* it answered with a 4xx */
};

struct label_state {
  enum label_role applied; /* what the pod's label says (as we set it) */
  enum label_role desired;
  int errors;         /* consecutive isleader errors */
  long backoff_ms;    /* the window of the last refused patch's delay, or 0 */
  long next_patch_ms; /* do not patch before this time */
  /* After a refused patch: 1 s doubling to 30 s, equal jitter; reset by an
   * answer. Its generator (rng) also jitters the quick retry. */
  struct backoff backoff;
};

void label_init(struct label_state *s);

/* Feeds one isleader result. Returns the role to patch now, or
 * ROLE_UNKNOWN when no patch is due. */
enum label_role label_observe(struct label_state *s, enum isleader_result r,
                              long now_ms);

/* Records the outcome of patching `role`. */
void label_patched(struct label_state *s, enum label_role role,
                   enum patch_outcome outcome, long now_ms);

/* Shutdown: returns the role to patch (ROLE_FOLLOWER) or ROLE_UNKNOWN if
 * the label already says follower. Ignores backoff. */
enum label_role label_shutdown(struct label_state *s);

#endif
