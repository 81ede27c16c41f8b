/* metrics.h: a process's Prometheus metrics, in the text exposition format
 * 0.0.4, written by hand.
 *
 * A registry owns metric families (a name, a help text, a type and label
 * names), each with its series (one value per set of label values). The
 * program declares its families once at start-up and keeps the handles;
 * any thread may update them while the status server's thread renders the
 * registry (one lock). Updates through a NULL handle do nothing, so code
 * runs the same with metrics turned off.
 *
 * Names follow Prometheus' conventions: the dkron_k8s_ prefix, units in
 * the name (_seconds), _total on counters. The number of series per family
 * is capped (METRICS_MAX_SERIES): label values must come from small, known
 * sets (an HTTP verb, a status code, a reason), never from user input.
 */
#ifndef DK_METRICS_H
#define DK_METRICS_H

#include <stddef.h>

#include "dynbuf.h"

#define METRICS_MAX_LABELS   4
#define METRICS_MAX_SERIES   64
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum metric_type {
  METRIC_COUNTER, /* only goes up; starts at 0 */
  METRIC_GAUGE,   /* set to any value; starts at 0 */
  METRIC_AGE      /* a gauge: seconds since metric_touch(), absent before */
};

struct metrics;
struct metric;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m); /* NULL is fine */

/* Declares a family. labels: comma-separated label names ("verb,code"),
 * NULL or "" for none. Returns NULL when m is NULL, when out of memory, or
 * when a name is not a valid Prometheus name (a programming error, also
 * logged). The registry owns the family. */
struct metric *metrics_add(struct metrics *m, enum metric_type type,
                           const char *name, const char *help,
                           const char *labels);

/* values: one per label name, in their order (NULL for a family without
 * labels). A NULL value is rendered as "". */
void metric_inc(struct metric *f, const char *const *values);
/* Counters: by < 0 is ignored (a counter never goes down). */
void metric_add(struct metric *f, const char *const *values, double by);
/* Gauges only. */
void metric_set(struct metric *f, const char *const *values, double v);
/* Age gauges only: the event happened now. */
void metric_touch(struct metric *f, const char *const *values);

/* The current value of one series (0 when it has none); for tests and for
 * callers that derive a value. */
double metric_value(struct metric *f, const char *const *values);

/* The families every program of the project exports, declared once:
 *   dkron_k8s_build_info{program,version}  1
 *   dkron_k8s_api_requests_total{verb,code}
 *   dkron_k8s_dkron_api_errors_total{path,error}  (dkron_api_help says
 *                                                  which calls)
 *   dkron_k8s_dkron_up
 *   dkron_k8s_events_total{result}
 * Any out pointer may be NULL (that family is not declared). */
struct common_metrics {
  struct metric *api_requests;
  struct metric *dkron_api_errors;
  struct metric *dkron_up;
  struct metric *events;
};
void metrics_add_common(struct metrics *m, const char *program,
                        const char *dkron_api_help, struct common_metrics *out);
/* dkron_k8s_build_info{program,version} 1 alone. */
void metrics_add_build_info(struct metrics *m, const char *program);

/* Appends the whole registry in the exposition format: families in the
 * order they were declared, series in the order they first appeared. A
 * family without labels always has its one sample. */
enum dk_code metrics_render(struct metrics *m, struct dynbuf *out);

#endif
