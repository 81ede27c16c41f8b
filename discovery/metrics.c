/* metrics.c: see metrics.h. */
#include "metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"

struct series {
  char *values[METRICS_MAX_LABELS];
  double value;
  long long stamp; /* METRIC_AGE: clock_ms() of the last touch */
};

struct metric {
  struct metrics *registry;
  struct metric *next;
  enum metric_type type;
  char *name;
  char *help;
  size_t n_labels;
  char *labels[METRICS_MAX_LABELS];
  struct series series[METRICS_MAX_SERIES];
  size_t n_series;
  bool overflow_logged;
};

struct metrics {
  pthread_mutex_t lock; /* guards every family's series */
  struct metric *first;
  struct metric *last;
};

struct metrics *metrics_new(void)
{
  struct metrics *m = calloc(1, sizeof(*m));

  if (m)
    pthread_mutex_init(&m->lock, NULL);
  return m;
}

static void series_clear(struct series *s, size_t n_labels)
{
  for (size_t i = 0; i < n_labels; i++)
    free(s->values[i]);
}

static void family_free(struct metric *f)
{
  for (size_t i = 0; i < f->n_series; i++)
    series_clear(&f->series[i], f->n_labels);
  for (size_t i = 0; i < f->n_labels; i++)
    free(f->labels[i]);
  free(f->name);
  free(f->help);
  free(f);
}

void metrics_free(struct metrics *m)
{
  struct metric *next;

  if (!m)
    return;
  for (struct metric *f = m->first; f; f = next) {
    next = f->next;
    family_free(f);
  }
  pthread_mutex_destroy(&m->lock);
  free(m);
}

static bool name_char(char c, bool first, bool colon_ok)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
    return true;
  if (c == ':')
    return colon_ok;
  return !first && c >= '0' && c <= '9';
}

static bool valid_name(const char *s, size_t n, bool colon_ok)
{
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!name_char(s[i], i == 0, colon_ok))
      return false;
  return true;
}

/* Splits "a,b" into f->labels; false on a bad or reserved name. */
static bool parse_labels(struct metric *f, const char *labels)
{
  const char *p = labels;

  while (p && *p) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);

    if (f->n_labels == METRICS_MAX_LABELS || !valid_name(p, n, false) ||
        (n >= 2 && p[0] == '_' && p[1] == '_'))
      return false;
    f->labels[f->n_labels] = strndup(p, n);
    if (!f->labels[f->n_labels])
      return false;
    f->n_labels++;
    p = end ? end + 1 : NULL;
  }
  return true;
}

struct metric *metrics_add(struct metrics *m, enum metric_type type,
                           const char *name, const char *help,
                           const char *labels)
{
  struct metric *f;

  if (!m)
    return NULL;
  f = calloc(1, sizeof(*f));
  if (!f)
    return NULL;
  f->registry = m;
  f->type = type;
  f->name = strdup(name);
  f->help = strdup(help ? help : "");
  if (!f->name || !f->help || !valid_name(name, strlen(name), true) ||
      !parse_labels(f, labels)) {
    LOG_ERRORF("metrics: cannot declare %s (a bad name or label list, or "
               "out of memory); it is not exported",
               name);
    family_free(f);
    return NULL;
  }
  pthread_mutex_lock(&m->lock);
  if (m->last)
    m->last->next = f;
  else
    m->first = f;
  m->last = f;
  pthread_mutex_unlock(&m->lock);
  return f;
}

static bool same_values(const struct series *s, size_t n,
                        const char *const *values)
{
  for (size_t i = 0; i < n; i++) {
    const char *v = values[i] ? values[i] : "";

    if (strcmp(s->values[i], v) != 0)
      return false;
  }
  return true;
}

/* The series for values, made when new; NULL when the family is full or
 * memory is out. Called with the lock held. */
static struct series *series_of(struct metric *f, const char *const *values)
{
  struct series *s;

  for (size_t i = 0; i < f->n_series; i++)
    if (same_values(&f->series[i], f->n_labels, values))
      return &f->series[i];
  if (f->n_series == METRICS_MAX_SERIES) {
    if (!f->overflow_logged)
      LOG_WARNF("metrics: %s has %d series already; further label values "
                "are not counted",
                f->name, METRICS_MAX_SERIES);
    f->overflow_logged = true;
    return NULL;
  }
  s = &f->series[f->n_series];
  memset(s, 0, sizeof(*s));
  for (size_t i = 0; i < f->n_labels; i++) {
    s->values[i] = strdup(values[i] ? values[i] : "");
    if (!s->values[i]) {
      series_clear(s, i);
      return NULL;
    }
  }
  f->n_series++;
  return s;
}

enum update { ADD, SET, TOUCH };

static void update(struct metric *f, const char *const *values, enum update how,
                   double v)
{
  struct series *s;

  if (!f)
    return;
  pthread_mutex_lock(&f->registry->lock);
  s = series_of(f, values);
  if (s) {
    if (how == ADD)
      s->value += v;
    else if (how == SET)
      s->value = v;
    else
      s->stamp = clock_ms();
  }
  pthread_mutex_unlock(&f->registry->lock);
}

void metric_inc(struct metric *f, const char *const *values)
{
  metric_add(f, values, 1.0);
}

void metric_add(struct metric *f, const char *const *values, double by)
{
  if (f && f->type != METRIC_AGE && by >= 0)
    update(f, values, ADD, by);
}

void metric_set(struct metric *f, const char *const *values, double v)
{
  if (f && f->type == METRIC_GAUGE)
    update(f, values, SET, v);
}

void metric_touch(struct metric *f, const char *const *values)
{
  if (f && f->type == METRIC_AGE)
    update(f, values, TOUCH, 0);
}

double metric_value(struct metric *f, const char *const *values)
{
  double v = 0;

  if (!f)
    return 0;
  pthread_mutex_lock(&f->registry->lock);
  for (size_t i = 0; i < f->n_series; i++)
    if (same_values(&f->series[i], f->n_labels, values)) {
      v = f->type == METRIC_AGE
            ? (double)(clock_ms() - f->series[i].stamp) / 1000.0
            : f->series[i].value;
      break;
    }
  pthread_mutex_unlock(&f->registry->lock);
  return v;
}

void metrics_add_build_info(struct metrics *m, const char *program)
{
  struct metric *info =
    metrics_add(m, METRIC_GAUGE, "dkron_k8s_build_info",
                "The program and its version; always 1.", "program,version");

  metric_set(info, (const char *[]){program, DKRON_K8S_VERSION}, 1);
}

void metrics_add_common(struct metrics *m, const char *program,
                        const char *dkron_api_help, struct common_metrics *out)
{
  metrics_add_build_info(m, program);
  out->api_requests =
    metrics_add(m, METRIC_COUNTER, "dkron_k8s_api_requests_total",
                "Kubernetes API requests, by RBAC verb and HTTP status "
                "(error: no answer).",
                "verb,code");
  out->dkron_api_errors =
    dkron_api_help
      ? metrics_add(m, METRIC_COUNTER, "dkron_k8s_dkron_api_errors_total",
                    dkron_api_help, "path,error")
      : NULL;
  out->dkron_up = metrics_add(m, METRIC_GAUGE, "dkron_k8s_dkron_up",
                              "1 while the dkron child process runs.", NULL);
  out->events = metrics_add(m, METRIC_COUNTER, "dkron_k8s_events_total",
                            "Kubernetes Events, by result (posted; dropped: "
                            "rate limit, repeat or full queue; failed).",
                            "result");
}

/* ---- the exposition format ---------------------------------------------- */

/* HELP text escapes \ and newline; label values also escape ". */
static void add_escaped(struct dynbuf *out, const char *s, bool quote)
{
  for (; *s; s++) {
    if (*s == '\\')
      dynbuf_adds(out, "\\\\");
    else if (*s == '\n')
      dynbuf_adds(out, "\\n");
    else if (quote && *s == '"')
      dynbuf_adds(out, "\\\"");
    else
      dynbuf_add(out, s, 1);
  }
}

static void add_value(struct dynbuf *out, double v)
{
  if (isnan(v))
    dynbuf_adds(out, "NaN");
  else if (isinf(v))
    dynbuf_adds(out, v > 0 ? "+Inf" : "-Inf");
  else if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
    dynbuf_addf(out, "%lld", (long long)v);
  else
    dynbuf_addf(out, "%.15g", v);
}

static void add_sample(struct dynbuf *out, const struct metric *f,
                       const struct series *s, double v)
{
  dynbuf_adds(out, f->name);
  if (f->n_labels) {
    dynbuf_adds(out, "{");
    for (size_t i = 0; i < f->n_labels; i++) {
      dynbuf_addf(out, "%s%s=\"", i ? "," : "", f->labels[i]);
      add_escaped(out, s->values[i], true);
      dynbuf_adds(out, "\"");
    }
    dynbuf_adds(out, "}");
  }
  dynbuf_adds(out, " ");
  add_value(out, v);
  dynbuf_adds(out, "\n");
}

static void add_family(struct dynbuf *out, const struct metric *f,
                       long long now)
{
  static const struct series none;

  dynbuf_addf(out, "# HELP %s ", f->name);
  add_escaped(out, f->help, false);
  dynbuf_addf(out, "\n# TYPE %s %s\n", f->name,
              f->type == METRIC_COUNTER ? "counter" : "gauge");
  if (f->n_labels == 0 && f->n_series == 0 && f->type != METRIC_AGE)
    add_sample(out, f, &none, 0);
  for (size_t i = 0; i < f->n_series; i++) {
    const struct series *s = &f->series[i];

    if (f->type != METRIC_AGE)
      add_sample(out, f, s, s->value);
    else if (s->stamp)
      add_sample(out, f, s, (double)(now - s->stamp) / 1000.0);
  }
}

enum dk_code metrics_render(struct metrics *m, struct dynbuf *out)
{
  long long now = clock_ms();

  if (!m)
    return DK_OK;
  pthread_mutex_lock(&m->lock);
  for (const struct metric *f = m->first; f; f = f->next)
    add_family(out, f, now);
  pthread_mutex_unlock(&m->lock);
  return out->failed;
}
