/* live_servers.c: see live_servers.h. */
#include "live_servers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "backoff.h"

const char *live_server_reject(const struct k8s_pod *pod, bool require_ready)
{
  if (pod->terminating)
    return "terminating";
  if (pod->phase != K8S_PHASE_RUNNING)
    return "not running";
  if (!pod->pod_ip || !*pod->pod_ip)
    return "no pod IP";
  if (require_ready && !pod->ready)
    return "not ready";
  return NULL;
}

void live_summarize(const struct k8s_pod *pods, size_t n, bool require_ready,
                    struct live_summary *out)
{
  memset(out, 0, sizeof(*out));
  out->matched = n;
  for (size_t i = 0; i < n; i++) {
    out->running += pods[i].phase == K8S_PHASE_RUNNING;
    out->ready += pods[i].ready;
    out->terminating += pods[i].terminating;
    out->live += live_server_reject(&pods[i], require_ready) == NULL;
  }
}

void live_summary_text(const struct live_summary *s, char *buf, size_t len)
{
  snprintf(buf, len,
           "%zu pod%s match, %zu running, %zu ready, %zu terminating, %zu live",
           s->matched, s->matched == 1 ? "" : "s", s->running, s->ready,
           s->terminating, s->live);
}

bool live_none_left(char *const *joined, char *const *live)
{
  if (!joined || !joined[0])
    return false;
  for (size_t i = 0; joined[i]; i++) {
    for (size_t k = 0; live && live[k]; k++) {
      if (strcmp(joined[i], live[k]) == 0)
        return false;
    }
  }
  return true;
}

static int compare_strings(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char **live_join_addrs(const struct k8s_pod *pods, size_t n_pods,
                       bool require_ready, long serf_port, size_t *n)
{
  char **out = calloc(n_pods + 1, sizeof(*out));
  size_t k = 0;

  *n = 0;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n_pods; i++) {
    if (live_server_reject(&pods[i], require_ready))
      continue;
    out[k] = host_port(pods[i].pod_ip, serf_port);
    if (!out[k]) {
      argv_free(out);
      return NULL;
    }
    k++;
  }
  qsort(out, k, sizeof(*out), compare_strings);
  *n = k;
  return out;
}

size_t live_ask_order(size_t n, size_t max, uint64_t *rng, size_t *order)
{
  size_t count = n < max ? n : max;
  size_t start = n ? (size_t)(backoff_random(rng) % n) : 0;

  for (size_t i = 0; i < count; i++)
    order[i] = (start + i) % n;
  return count;
}
