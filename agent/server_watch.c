/* server_watch.c: see server_watch.h. */
#include "server_watch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "argv.h"
#include "backoff.h"
#include "clock.h"
#include "dns.h"
#include "k8s.h"
#include "log.h"

#define BACKOFF_MIN_MS           1000L
#define BACKOFF_MAX_MS           30000L
#define FALLBACK_DNS_DEADLINE_MS 5000L
#define WATCH_TIMEOUT_S          300 /* client-go's least; the server ends it */
/* A watch that ends sooner than this without moving the resourceVersion
 * did not work (client-go's "very short watch"): it is not re-opened at
 * once. The pauses after one take a random part of at most half the
 * window (equal jitter), so a server that ends every watch at once sees
 * them spaced out however the draws fall. */
#define WATCH_MIN_MS       1000L
#define WATCH_RETRY_JITTER 0.5

struct server_watch {
  struct server_watch_opts opts;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t wake;
  atomic_int stop;
  /* thread-owned */
  struct backoff backoff; /* before the next list */
  /* A watch expired (410) before it worked, and the list was made again
   * at once: the next such expiry waits the backoff. */
  bool gone_unworked;
  struct k8s_client *kube;
  struct k8s_pod *pods;
  size_t n_pods;
  /* published, under mu */
  char **join;
  char **ips;
  size_t n;
  struct live_summary summary;
  bool listed, from_dns;
  unsigned long generation;
};

static int should_stop(void *user)
{
  struct server_watch *w = user;
  return atomic_load(&w->stop);
}

/* Sleeps up to ms, waking early when the watch is stopped. */
static void nap(struct server_watch *w, long ms)
{
  struct timespec until;

  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&w->mu);
  while (!atomic_load(&w->stop) &&
         pthread_cond_timedwait(&w->wake, &w->mu, &until) == 0)
    ;
  pthread_mutex_unlock(&w->mu);
}

static bool same_set(char **a, char **b)
{
  size_t i = 0;

  if (!a || !b)
    return a == b;
  for (; a[i] && b[i]; i++) {
    if (strcmp(a[i], b[i]) != 0)
      return false;
  }
  return !a[i] && !b[i];
}

/* Publishes a new live set (taking ownership of join and ips). */
static void publish(struct server_watch *w, char **join, char **ips, size_t n,
                    const struct live_summary *summary, bool from_dns)
{
  char text[160];
  bool changed;

  pthread_mutex_lock(&w->mu);
  changed = !same_set(w->join, join) || w->from_dns != from_dns;
  argv_free(w->join);
  argv_free(w->ips);
  w->join = join;
  w->ips = ips;
  w->n = n;
  w->summary = *summary;
  w->from_dns = from_dns;
  w->listed = w->listed || !from_dns;
  if (changed)
    w->generation++;
  pthread_mutex_unlock(&w->mu);
  if (!changed)
    return;
  live_summary_text(summary, text, sizeof(text));
  char *line = join ? argv_join(join) : NULL;
  LOG_INFOF("live servers%s: %s (%s)", from_dns ? " (from DNS fallback)" : "",
            line && *line ? line : "none", text);
  free(line);
}

/* The live IPs alone, for HTTP questions to the servers. */
static char **live_ips(const struct k8s_pod *pods, size_t n, bool ready)
{
  struct argv_builder b;

  argv_init(&b);
  for (size_t i = 0; i < n; i++) {
    if (!live_server_reject(&pods[i], ready))
      argv_push(&b, "%s", pods[i].pod_ip);
  }
  return argv_take(&b, NULL);
}

static void publish_pods(struct server_watch *w)
{
  struct live_summary summary;
  size_t n = 0;
  char **join, **ips;

  live_summarize(w->pods, w->n_pods, w->opts.require_ready, &summary);
  join = live_join_addrs(w->pods, w->n_pods, w->opts.require_ready,
                         w->opts.serf_port, &n);
  ips = live_ips(w->pods, w->n_pods, w->opts.require_ready);
  if (!join || !ips) {
    LOG_ERRORF("out of memory updating the live servers");
    argv_free(join);
    argv_free(ips);
    return;
  }
  publish(w, join, ips, n, &summary, false);
}

static void clear_pods(struct server_watch *w)
{
  for (size_t i = 0; i < w->n_pods; i++)
    k8s_pod_free(&w->pods[i]);
  free(w->pods);
  w->pods = NULL;
  w->n_pods = 0;
}

/* Applies one watch event to the pod set. */
static int on_event(const struct k8s_watch_event *ev, void *user)
{
  struct server_watch *w = user;
  size_t i = 0;

  while (i < w->n_pods && strcmp(w->pods[i].name, ev->pod->name) != 0)
    i++;
  if (ev->type == K8S_EVENT_DELETED) {
    if (i < w->n_pods) {
      k8s_pod_free(&w->pods[i]);
      w->pods[i] = w->pods[--w->n_pods];
    }
  } else if (i < w->n_pods) {
    k8s_pod_free(&w->pods[i]);
    w->pods[i] = *ev->pod;
    memset(ev->pod, 0, sizeof(*ev->pod));
  } else {
    struct k8s_pod *grown =
      realloc(w->pods, (w->n_pods + 1) * sizeof(*w->pods));
    if (!grown)
      return 1;
    w->pods = grown;
    w->pods[w->n_pods++] = *ev->pod;
    memset(ev->pod, 0, sizeof(*ev->pod));
  }
  publish_pods(w);
  return atomic_load(&w->stop);
}

/* DNS fallback: the servers from the headless Service's A records. */
static void use_dns_fallback(struct server_watch *w)
{
  const struct dns_opts opts = {.query_timeout_ms =
                                  DNS_DEFAULT_QUERY_TIMEOUT_MS,
                                .tries = DNS_DEFAULT_TRIES,
                                .servers = w->opts.dns_server};
  struct dns_query q = {.name = w->opts.fallback_service};
  struct dns_resolver *r = NULL;
  struct live_summary summary = {0};
  struct argv_builder join, ips;
  struct dk_err err;

  dk_err_clear(&err);
  if (dns_resolver_new(&opts, &r, &err) != DK_OK ||
      dns_resolve(r, &q, 1, &err) != DK_OK || q.result.status != DNS_OK) {
    LOG_WARNF("DNS fallback %s failed: %s", w->opts.fallback_service,
              err.msg[0] ? err.msg : dns_status_name(q.result.status));
    dns_resolver_free(r);
    return;
  }
  dns_resolver_free(r);
  argv_init(&join);
  argv_init(&ips);
  for (size_t i = 0; i < q.result.naddrs; i++) {
    char *hp = host_port(q.result.addrs[i], w->opts.serf_port);
    argv_push(&join, "%s", hp ? hp : "");
    argv_push(&ips, "%s", q.result.addrs[i]);
    free(hp);
  }
  summary.matched = summary.live = q.result.naddrs;
  LOG_WARNF("the Kubernetes API is unreachable: using the %zu addresses of "
            "%s from DNS until it answers",
            q.result.naddrs, w->opts.fallback_service);
  publish(w, argv_take(&join, NULL), argv_take(&ips, NULL), q.result.naddrs,
          &summary, true);
}

static bool connect_trouble(enum dk_code code)
{
  return code == DK_ECONNECT || code == DK_ETIMEOUT || code == DK_ETLS;
}

/* Creates the Kubernetes client; false (logged) when it cannot. */
static bool ensure_client(struct server_watch *w)
{
  const struct k8s_overrides ov = {.api_url = w->opts.kube_api_url,
                                   .token_file = w->opts.kube_token_file,
                                   .ca_file = w->opts.kube_ca_file,
                                   .namespace = w->opts.namespace};
  struct dk_err err;

  if (w->kube)
    return true;
  dk_err_clear(&err);
  w->kube = k8s_client_in_cluster(&ov, NULL, w->opts.api_requests, NULL, &err);
  if (!w->kube)
    LOG_ERRORF("cannot use the Kubernetes API: %s", err.msg);
  return w->kube != NULL;
}

/* True when the watch moved the resourceVersion on (an event or a
 * bookmark arrived): it worked, whatever ended it. before is NULL when
 * there was no memory to copy it: then no progress is assumed. */
static bool watch_progressed(const char *before, const char *after)
{
  return before && after && strcmp(before, after) != 0;
}

/* A 410 Gone: the resourceVersion expired, which is no failure, so the
 * list is made again at once, as client-go does. Only when a watch
 * expires again before any watch worked since the last at-once relist
 * (a server that answers 410 to every watch) does the relist wait the
 * backoff, so that it is not repeated in a tight loop. */
static void gone(struct server_watch *w, bool worked, long *delay_ms)
{
  if (worked || !w->gone_unworked) {
    w->gone_unworked = !worked;
    *delay_ms = 0;
    LOG_INFOF("the watch expired (410 Gone): listing again at once");
    return;
  }
  *delay_ms = backoff_next_jitter_ms(&w->backoff, WATCH_RETRY_JITTER);
  LOG_INFOF("the watch expired (410 Gone): listing again in %ld ms (it "
            "expired again before any watch delivered something)",
            *delay_ms);
}

/* One list followed by watches until a relist is needed. Returns the code
 * that ended it (DK_OK only when stopping) and sets *delay_ms to the wait
 * before the next list: the backoff, reset only by a watch that worked, so
 * a list that cannot be watched, or a watch refused at once, is not
 * repeated at once. */
static enum dk_code list_and_watch(struct server_watch *w, long *delay_ms)
{
  const struct k8s_list_opts lopts = {.label_selector = w->opts.selector};
  const struct k8s_watch_opts wopts = {
    .label_selector = w->opts.selector,
    .timeout_seconds = WATCH_TIMEOUT_S,
    .idle_timeout_ms =
      w->opts.watch_idle_ms > 0 ? w->opts.watch_idle_ms : SERVER_WATCH_IDLE_MS,
    .on_event = on_event,
    .should_stop = should_stop,
    .user = w};
  struct k8s_pod_list list;
  struct dk_err err;
  enum dk_code rc;
  char *rv;

  dk_err_clear(&err);
  rc = k8s_list_pods(w->kube, &lopts, &list, &err);
  if (rc == DK_EFORBIDDEN)
    events_emit(w->opts.events, true, "Forbidden", "ListServers", "%s",
                err.msg);
  if (rc != DK_OK) {
    *delay_ms = backoff_next_ms(&w->backoff);
    LOG_WARNF("listing the dkron servers failed (retry in %ld ms): %s",
              *delay_ms, err.msg);
    k8s_pod_list_free(&list);
    return rc;
  }
  clear_pods(w);
  w->pods = list.items;
  w->n_pods = list.n;
  rv = list.resource_version;
  list.items = NULL;
  list.n = 0;
  list.resource_version = NULL;
  k8s_pod_list_free(&list);
  publish_pods(w);
  if (!rv) {
    *delay_ms = backoff_next_ms(&w->backoff);
    LOG_WARNF("the API server's pod list has no metadata.resourceVersion, so "
              "it cannot be watched: listing again in %ld ms (is "
              "--kube-api-url a Kubernetes API server?)",
              *delay_ms);
    return DK_EPARSE;
  }
  for (;;) {
    char *before = strdup(rv);
    long long started = clock_ms();
    long long lasted;
    bool opened, silent, worked;

    dk_err_clear(&err);
    rc = k8s_watch_pods(w->kube, &wopts, &rv, &err);
    lasted = clock_ms() - started;
    /* the server answered 2xx: the stream was open, however it ended */
    opened = rc == DK_OK || (err.http_status >= 200 && err.http_status < 300);
    silent = rc == DK_ETIMEOUT && opened; /* the idle limit ended it */
    worked = watch_progressed(before, rv) || (opened && lasted >= WATCH_MIN_MS);
    if (worked) {
      backoff_reset(&w->backoff);
      w->gone_unworked = false;
    }
    free(before);
    if (atomic_load(&w->stop)) {
      rc = DK_OK;
      break;
    }
    if (rc == DK_OK || silent) {
      metric_inc(w->opts.watch_restarts, NULL);
      if (silent)
        LOG_DEBUGF("the watch was silent for %ld ms (no event, no bookmark): "
                   "re-opening it",
                   wopts.idle_timeout_ms);
      if (!worked) {
        long pause = backoff_next_jitter_ms(&w->backoff, WATCH_RETRY_JITTER);

        LOG_WARNF("the watch ended after %lld ms with nothing delivered (a "
                  "watch lasts at least %ld ms): watching again in %ld ms",
                  lasted, WATCH_MIN_MS, pause);
        nap(w, pause);
        if (atomic_load(&w->stop))
          break; /* rc is DK_OK */
      }
      continue; /* the watch ended: resume from rv */
    }
    if (rc == DK_EGONE) {
      gone(w, worked, delay_ms);
      break;
    }
    *delay_ms = backoff_next_ms(&w->backoff);
    LOG_WARNF("watching the dkron servers failed (listing again in %ld ms): "
              "%s",
              *delay_ms, err.msg);
    break;
  }
  free(rv);
  return rc;
}

static void *watch_main(void *arg)
{
  struct server_watch *w = arg;
  bool fallback_tried = false;

  while (!atomic_load(&w->stop)) {
    long delay_ms = 0;
    enum dk_code rc = DK_EINVAL;

    if (ensure_client(w))
      rc = list_and_watch(w, &delay_ms);
    else
      delay_ms = backoff_next_ms(&w->backoff);
    if (atomic_load(&w->stop))
      break;
    metric_inc(w->opts.watch_relists,
               (const char *[]){rc == DK_EGONE ? "gone" : "error"});
    if (!w->listed && !fallback_tried && connect_trouble(rc) &&
        w->opts.fallback_service) {
      fallback_tried = true;
      use_dns_fallback(w);
    }
    nap(w, delay_ms);
  }
  return NULL;
}

struct server_watch *server_watch_start(const struct server_watch_opts *opts,
                                        struct dk_err *err)
{
  struct server_watch *w = calloc(1, sizeof(*w));

  if (!w) {
    dk_err_set(err, DK_ENOMEM, "out of memory");
    return NULL;
  }
  w->opts = *opts;
  backoff_init(&w->backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
  atomic_init(&w->stop, 0);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->wake, NULL);
  if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
    free(w);
    dk_err_set(err, DK_ENOMEM, "cannot start the server-watch thread");
    return NULL;
  }
  return w;
}

void server_watch_stop(struct server_watch *w)
{
  if (!w)
    return;
  pthread_mutex_lock(&w->mu);
  atomic_store(&w->stop, 1);
  pthread_cond_broadcast(&w->wake);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  clear_pods(w);
  k8s_client_free(w->kube);
  argv_free(w->join);
  argv_free(w->ips);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->mu);
  free(w);
}

/* Copies a NULL-terminated string array. */
static char **copy_strings(char **src)
{
  struct argv_builder b;

  argv_init(&b);
  for (size_t i = 0; src && src[i]; i++)
    argv_push(&b, "%s", src[i]);
  return argv_take(&b, NULL);
}

unsigned long server_watch_generation(struct server_watch *w)
{
  unsigned long g;

  pthread_mutex_lock(&w->mu);
  g = w->generation;
  pthread_mutex_unlock(&w->mu);
  return g;
}

int server_watch_snapshot(struct server_watch *w, struct live_snapshot *out)
{
  memset(out, 0, sizeof(*out));
  pthread_mutex_lock(&w->mu);
  out->join = copy_strings(w->join);
  out->ips = copy_strings(w->ips);
  out->n = w->n;
  out->summary = w->summary;
  out->listed = w->listed;
  out->from_dns = w->from_dns;
  out->generation = w->generation;
  pthread_mutex_unlock(&w->mu);
  if (!out->join || !out->ips) {
    live_snapshot_free(out);
    return -1;
  }
  return 0;
}

void live_snapshot_free(struct live_snapshot *s)
{
  argv_free(s->join);
  argv_free(s->ips);
  s->join = s->ips = NULL;
  s->n = 0;
}
