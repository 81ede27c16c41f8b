/* events.h: Kubernetes Events for the decisions a person asks about later
 * (`kubectl describe pod`, `kubectl get events`).
 *
 * The recorder posts events.k8s.io/v1 Events about our own pod from a
 * thread of its own, with a Kubernetes client of its own, so that posting
 * never blocks nor fails the work: events_emit only copies the event into
 * a small queue and returns. A full queue drops the event (logged at debug
 * level and counted); so do the rate limits: a token bucket over all
 * events (EVENTS_BURST at once, then one per EVENTS_REFILL_MS), and the
 * same reason and note again within EVENTS_REPEAT_MS. A refused post (403:
 * no RBAC rule for events) is logged once with the rule to add, and the
 * work goes on.
 */
#ifndef DK_EVENTS_H
#define DK_EVENTS_H

#include <stdbool.h>

#include "k8s.h"
#include "metrics.h"

#define EVENTS_QUEUE       16
#define EVENTS_BURST       20
#define EVENTS_REFILL_MS   30000L
#define EVENTS_REPEAT_MS   60000L
#define EVENTS_STOP_MS     2000L       /* what events_stop gives the queue */
#define EVENTS_THREAD_NAME "dk-events" /* its name, for ps and tests */

struct events_opts {
  const struct k8s_config *kube; /* copied into the recorder's own client */
  const char *controller;        /* reportingController */
  const char *pod;               /* our pod: regarding and instance */
  const char *pod_uid;           /* NULL or "" when unknown */
  struct metric *api_requests;   /* {verb, code}; NULL: not counted */
  struct metric *events;         /* {result}: posted, dropped, failed */
};

struct events;

/* NULL (and err set) when the client cannot be made or the thread cannot
 * start; events_emit and events_stop accept NULL, so callers run the same
 * without Events. */
struct events *events_start(const struct events_opts *o, struct dk_err *err);
/* Posts what is queued for at most EVENTS_STOP_MS, then stops. */
void events_stop(struct events *ev);

/* Queues one Event. reason and action are CamelCase words; the note is
 * printf-style, one sentence (cut at 1 KiB). */
void events_emit(struct events *ev, bool warning, const char *reason,
                 const char *action, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));

#endif
