/* status_server.c: see status_server.h. */
#include "status_server.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dynbuf.h"

#define TEXT_MAX           512
#define REQUEST_MEMORY     (16 * 1024) /* bounds a request head */
#define DEFAULT_IDLE_S     2U
#define DEFAULT_MAX_CONNS  64U
#define DEFAULT_PER_IP     8U
#define DEFAULT_STALE_MS   30000L
#define CONTENT_TYPE_PLAIN "text/plain; charset=utf-8"
#define CONTENT_TYPE_JSON  "application/json"
#define METHOD_NOT_ALLOWED "method not allowed: use GET or HEAD\n"
#define NOT_FOUND \
  "not found: use /readyz, /healthz, /metrics or /members/<name>\n"
#define MEMBERS_PREFIX "/members/"
#define METRICS_MAX    (4 * 1024 * 1024)

struct status_server {
  struct MHD_Daemon *daemon;
  long port;
  long stale_ms;
  struct metrics *metrics; /* not owned; NULL: /metrics is 404 */
  pthread_mutex_t lock;    /* guards the fields below */
  bool ready;
  char ready_text[TEXT_MAX];
  long long last_beat; /* clock_ms() */
  bool stopping;
  bool started;
  char start_text[TEXT_MAX];
  bool members_known;  /* set_members was called */
  char **member_names; /* sorted, with member_status alongside */
  char **member_status;
  size_t n_members;
};

/* Fills body (a line) and returns the status of one path, or 0 for an
 * unknown path. */
static unsigned status_of(struct status_server *s, const char *url, char *body,
                          size_t cap)
{
  unsigned code = 0;
  long long silent;

  pthread_mutex_lock(&s->lock);
  if (strcmp(url, "/readyz") == 0) {
    code = s->ready ? 200 : 503;
    snprintf(body, cap, "%s\n", s->ready_text);
  } else if (strcmp(url, "/healthz") == 0) {
    silent = clock_ms() - s->last_beat;
    code = 503;
    if (s->stopping) {
      code = 200;
      snprintf(body, cap, "ok (shutting down)\n");
    } else if (silent > s->stale_ms) {
      snprintf(body, cap, "the main loop has not run for %lld ms\n", silent);
    } else if (!s->started) {
      snprintf(body, cap, "starting: %s\n", s->start_text);
    } else {
      code = 200;
      snprintf(body, cap, "ok\n");
    }
  }
  pthread_mutex_unlock(&s->lock);
  return code;
}

static void members_clear(struct status_server *s)
{
  for (size_t i = 0; i < s->n_members; i++) {
    free(s->member_names[i]);
    free(s->member_status[i]);
  }
  free(s->member_names);
  free(s->member_status);
  s->member_names = s->member_status = NULL;
  s->n_members = 0;
}

static int compare_names(const void *a, const void *b)
{
  return strcmp(((const struct status_member *)a)->name,
                ((const struct status_member *)b)->name);
}

void status_server_set_members(struct status_server *s,
                               const struct status_member *members, size_t n)
{
  struct status_member *sorted;
  char **names, **status;
  size_t k = 0;

  if (!s)
    return;
  sorted = calloc(n + 1, sizeof(*sorted));
  names = calloc(n + 1, sizeof(*names));
  status = calloc(n + 1, sizeof(*status));
  if (sorted && names && status) {
    memcpy(sorted, members, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), compare_names);
    for (; k < n; k++) {
      names[k] = strdup(sorted[k].name);
      status[k] = strdup(sorted[k].status ? sorted[k].status : "unknown");
      if (!names[k] || !status[k])
        break;
    }
  }
  free(sorted);
  if (k < n || !names || !status) { /* out of memory: keep the last view */
    for (size_t i = 0; names && status && i < n; i++) {
      free(names[i]); /* calloc'd: the slots not reached are NULL */
      free(status[i]);
    }
    free(names);
    free(status);
    return;
  }
  pthread_mutex_lock(&s->lock);
  members_clear(s);
  s->member_names = names;
  s->member_status = status;
  s->n_members = n;
  s->members_known = true;
  pthread_mutex_unlock(&s->lock);
}

/* Fills body with the JSON answer about one member; returns the status. */
static unsigned member_of(struct status_server *s, const char *name, char *body,
                          size_t cap)
{
  unsigned code = 404;
  size_t lo = 0, hi;

  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
          *p == '.' || (*p >= 'A' && *p <= 'Z') || *p == '_')) {
      snprintf(body, cap, "not a node name\n");
      return 400;
    }
  pthread_mutex_lock(&s->lock);
  if (!s->members_known) {
    pthread_mutex_unlock(&s->lock);
    snprintf(body, cap, "the members are not known yet\n");
    return 503;
  }
  hi = s->n_members;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(s->member_names[mid], name);

    if (c == 0) {
      code = 200;
      snprintf(body, cap, "{\"name\":\"%s\",\"status\":\"%s\"}", name,
               s->member_status[mid]);
      break;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  pthread_mutex_unlock(&s->lock);
  if (code == 404)
    snprintf(body, cap, "{\"name\":\"%s\",\"member\":false}", name);
  return code;
}

static enum MHD_Result send_response(struct MHD_Connection *conn, unsigned code,
                                     struct MHD_Response *r,
                                     const char *content_type)
{
  enum MHD_Result ok;

  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
  ok = MHD_queue_response(conn, code, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code,
                             const char *body)
{
  return send_response(conn, code,
                       MHD_create_response_from_buffer(
                         strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY),
                       CONTENT_TYPE_PLAIN);
}

/* The registry in the text exposition format, rendered for this scrape. */
static enum MHD_Result reply_metrics(struct MHD_Connection *conn,
                                     struct metrics *m)
{
  struct dynbuf b;
  size_t len = 0;
  char *text;

  dynbuf_init(&b, METRICS_MAX);
  metrics_render(m, &b);
  text = dynbuf_take(&b, &len);
  if (!text)
    return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                 "the metrics could not be rendered (out of memory)\n");
  return send_response(
    conn, MHD_HTTP_OK,
    MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE),
    METRICS_CONTENT_TYPE);
}

/* Answers every request at its first call: probes carry no body, and one
 * that does is answered (and the connection closed) without reading it. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **req_ctx)
{
  char body[TEXT_MAX + 64];
  unsigned code;

  (void)version;
  (void)upload;
  (void)upload_size;
  (void)req_ctx;
  if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
    return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED);
  if (strncmp(url, MEMBERS_PREFIX, strlen(MEMBERS_PREFIX)) == 0 &&
      strlen(url) > strlen(MEMBERS_PREFIX) && strlen(url) < 300) {
    code = member_of(cls, url + strlen(MEMBERS_PREFIX), body, sizeof(body));
    return send_response(conn, code,
                         MHD_create_response_from_buffer(strlen(body), body,
                                                         MHD_RESPMEM_MUST_COPY),
                         code == 200 || code == 404 ? CONTENT_TYPE_JSON
                                                    : CONTENT_TYPE_PLAIN);
  }
  if (strcmp(url, "/metrics") == 0 && ((struct status_server *)cls)->metrics)
    return reply_metrics(conn, ((struct status_server *)cls)->metrics);
  code = status_of(cls, url, body, sizeof(body));
  if (code == 0)
    return reply(conn, MHD_HTTP_NOT_FOUND, NOT_FOUND);
  return reply(conn, code, body);
}

static struct MHD_Daemon *listen_on(struct status_server *s,
                                    const struct status_server_opts *o,
                                    unsigned extra_flags)
{
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | extra_flags;

  return MHD_start_daemon(
    flags, (uint16_t)o->port, NULL, NULL, on_request, s,
    MHD_OPTION_CONNECTION_TIMEOUT, o->idle_s ? o->idle_s : DEFAULT_IDLE_S,
    MHD_OPTION_CONNECTION_LIMIT,
    o->max_conns ? o->max_conns : DEFAULT_MAX_CONNS,
    MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip ? o->per_ip : DEFAULT_PER_IP,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_MEMORY, MHD_OPTION_END);
}

struct status_server *status_server_start(const struct status_server_opts *o,
                                          struct dk_err *err)
{
  struct status_server *s;
  const union MHD_DaemonInfo *info;

  if (o->port < 0 || o->port > 65535) {
    dk_err_set(err, DK_EINVAL, "status port %ld is out of range (0-65535)",
               o->port);
    return NULL;
  }
  s = calloc(1, sizeof(*s));
  if (!s) {
    dk_err_set(err, DK_ENOMEM, "out of memory");
    return NULL;
  }
  pthread_mutex_init(&s->lock, NULL);
  s->stale_ms = o->stale_ms > 0 ? o->stale_ms : DEFAULT_STALE_MS;
  s->metrics = o->metrics;
  s->last_beat = clock_ms();
  s->started = true;
  snprintf(s->ready_text, sizeof(s->ready_text), "starting");
  /* Both families on one socket; a pod without IPv6 gets IPv4 only. */
  s->daemon = listen_on(s, o, MHD_USE_DUAL_STACK);
  if (!s->daemon)
    s->daemon = listen_on(s, o, 0);
  if (!s->daemon) {
    dk_err_set(err, DK_EIO,
               "cannot listen on status port %ld (in use, or not allowed); "
               "set the status port to a free one, or 0 to turn it off",
               o->port);
    status_server_stop(s);
    return NULL;
  }
  info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  s->port = info ? info->port : o->port;
  return s;
}

void status_server_stop(struct status_server *s)
{
  if (!s)
    return;
  if (s->daemon)
    MHD_stop_daemon(s->daemon);
  members_clear(s);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

long status_server_port(const struct status_server *s)
{
  return s->port;
}

void status_server_set_ready(struct status_server *s, bool ready,
                             const char *text)
{
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->ready = ready;
  snprintf(s->ready_text, sizeof(s->ready_text), "%s", text ? text : "");
  pthread_mutex_unlock(&s->lock);
}

void status_server_set_started(struct status_server *s, bool started,
                               const char *why)
{
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->started = started;
  snprintf(s->start_text, sizeof(s->start_text), "%s", why ? why : "");
  pthread_mutex_unlock(&s->lock);
}

void status_server_beat(struct status_server *s)
{
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->last_beat = clock_ms();
  pthread_mutex_unlock(&s->lock);
}

void status_server_stopping(struct status_server *s, const char *why)
{
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->stopping = true;
  s->ready = false;
  snprintf(s->ready_text, sizeof(s->ready_text), "%s", why);
  pthread_mutex_unlock(&s->lock);
}
