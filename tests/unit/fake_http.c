/* fake_http.c: the in-process HTTP(S) test server declared in fake_http.h.
 *
 * libmicrohttpd runs one thread per connection, so a handler may block
 * (delays, slow chunks, held-open streams) without stalling other clients.
 * Every wait is on a condition variable that fake_server_stop broadcasts,
 * so stopping never waits for a long scripted stall to run out.
 *
 * Routes and scripts are deep-copied when installed; each request takes
 * its own copy of the response it serves, so set_script may replace a
 * script while an earlier response is still being streamed.
 */
#include "fake_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* An owned copy of a struct fake_response. */
struct owned_response {
  unsigned status;
  char *body;
  size_t body_len;
  char *content_type;
  char *headers;
  unsigned delay_ms;
  int truncate;
  char **chunks; /* NULL unless streamed */
  size_t n_chunks;
  unsigned chunk_delay_ms;
  unsigned hold_open_ms;
};

struct owned_route {
  char *method;
  char *path;
  struct owned_response *script;
  size_t n_script;
  size_t next; /* index of the next response to serve */
};

/* Per-request state, created when the URI arrives and freed when the
 * request completes (or at stop, for requests MHD never completed). */
struct req_state {
  struct fake_server *fs;
  struct req_state *prev, *next; /* in fs->live */
  struct fake_request rec;
  size_t body_len;
  int started;  /* the handler has seen the headers */
  int answered; /* a response was queued */
};

/* Streaming state for a callback response; freed by MHD. */
struct stream_state {
  struct fake_server *fs;
  struct owned_response resp;
  size_t chunk;     /* current chunk index */
  size_t chunk_off; /* bytes of that chunk already sent */
  int chunk_waited; /* chunk_delay_ms already spent for this chunk */
};

struct fake_server {
  struct MHD_Daemon *daemon;
  unsigned short port;
  char url[64];
  char *tls_cert;
  char *tls_key;
  pthread_mutex_t mu;
  pthread_cond_t stop_cv;
  int stopping;
  struct owned_route *routes;
  size_t n_routes;
  struct fake_request *log;
  size_t n_log, cap_log;
  struct req_state *live;
  unsigned connections;
};

/* strdup that keeps NULL as NULL; *failed is set when memory runs out. */
static char *dup_or_null(const char *s, int *failed)
{
  char *copy;

  if (!s)
    return NULL;
  copy = strdup(s);
  if (!copy)
    *failed = 1;
  return copy;
}

static void response_release(struct owned_response *r)
{
  free(r->body);
  free(r->content_type);
  free(r->headers);
  if (r->chunks) {
    for (size_t i = 0; i < r->n_chunks; i++)
      free(r->chunks[i]);
    free(r->chunks);
  }
  memset(r, 0, sizeof(*r));
}

/* Copies src (fake or owned form) into dst; 0 on success, -1 on OOM with
 * dst left empty. */
static int response_copy_fields(struct owned_response *dst, unsigned status,
                                const char *body, const char *content_type,
                                const char *headers, const char *const *chunks,
                                size_t n_chunks)
{
  int failed = 0;

  dst->status = status;
  dst->body = dup_or_null(body, &failed);
  dst->body_len = body ? strlen(body) : 0;
  dst->content_type = dup_or_null(content_type, &failed);
  dst->headers = dup_or_null(headers, &failed);
  if (chunks && !failed) {
    dst->chunks = calloc(n_chunks ? n_chunks : 1, sizeof(char *));
    failed = dst->chunks == NULL;
    dst->n_chunks = dst->chunks ? n_chunks : 0;
    for (size_t i = 0; i < dst->n_chunks && !failed; i++)
      dst->chunks[i] = dup_or_null(chunks[i] ? chunks[i] : "", &failed);
  }
  if (failed) {
    response_release(dst);
    return -1;
  }
  return 0;
}

static int response_from_fake(struct owned_response *dst,
                              const struct fake_response *src)
{
  memset(dst, 0, sizeof(*dst));
  if (response_copy_fields(dst, src->status, src->body, src->content_type,
                           src->headers, src->chunks, src->n_chunks) != 0)
    return -1;
  dst->delay_ms = src->delay_ms;
  dst->truncate = src->truncate;
  dst->chunk_delay_ms = src->chunk_delay_ms;
  dst->hold_open_ms = src->hold_open_ms;
  return 0;
}

static int response_clone(struct owned_response *dst,
                          const struct owned_response *src)
{
  memset(dst, 0, sizeof(*dst));
  if (response_copy_fields(dst, src->status, src->body, src->content_type,
                           src->headers, (const char *const *)src->chunks,
                           src->n_chunks) != 0)
    return -1;
  dst->delay_ms = src->delay_ms;
  dst->truncate = src->truncate;
  dst->chunk_delay_ms = src->chunk_delay_ms;
  dst->hold_open_ms = src->hold_open_ms;
  return 0;
}

static void script_free(struct owned_response *script, size_t n)
{
  if (!script)
    return;
  for (size_t i = 0; i < n; i++)
    response_release(&script[i]);
  free(script);
}

/* Deep-copies a script; NULL on OOM (or for an empty script). */
static struct owned_response *script_copy(const struct fake_response *script,
                                          size_t n)
{
  struct owned_response *copy;

  if (n == 0)
    return NULL;
  copy = calloc(n, sizeof(*copy));
  if (!copy)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (response_from_fake(&copy[i], &script[i]) != 0) {
      script_free(copy, i);
      return NULL;
    }
  }
  return copy;
}

static void routes_free(struct owned_route *routes, size_t n)
{
  if (!routes)
    return;
  for (size_t i = 0; i < n; i++) {
    free(routes[i].method);
    free(routes[i].path);
    script_free(routes[i].script, routes[i].n_script);
  }
  free(routes);
}

/* Deep-copies the route table; NULL on OOM. */
static struct owned_route *routes_copy(const struct fake_route *routes,
                                       size_t n)
{
  struct owned_route *copy = calloc(n ? n : 1, sizeof(*copy));
  int failed = 0;

  if (!copy)
    return NULL;
  for (size_t i = 0; i < n && !failed; i++) {
    copy[i].method = dup_or_null(routes[i].method, &failed);
    copy[i].path = dup_or_null(routes[i].path, &failed);
    copy[i].n_script = routes[i].n_script;
    copy[i].script = script_copy(routes[i].script, routes[i].n_script);
    if (routes[i].n_script && !copy[i].script)
      failed = 1;
    if (!copy[i].method || !copy[i].path)
      failed = 1;
  }
  if (failed) {
    routes_free(copy, n);
    return NULL;
  }
  return copy;
}

/* Blocks up to ms milliseconds, returning early (1) if the server is
 * stopping, so scripted stalls never delay fake_server_stop. */
static int wait_or_stop(struct fake_server *fs, unsigned ms)
{
  struct timespec deadline;
  int stopping;

  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += (time_t)(ms / 1000u);
  deadline.tv_nsec += (long)(ms % 1000u) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&fs->mu);
  while (!fs->stopping) {
    if (pthread_cond_timedwait(&fs->stop_cv, &fs->mu, &deadline) == ETIMEDOUT)
      break;
  }
  stopping = fs->stopping;
  pthread_mutex_unlock(&fs->mu);
  return stopping;
}

/* Copies at most cap-1 bytes of src into dst, always NUL-terminated. */
static void copy_bounded(char *dst, size_t cap, const char *src)
{
  size_t n = src ? strnlen(src, cap - 1) : 0;

  if (n)
    memcpy(dst, src, n);
  dst[n] = '\0';
}

/* MHD URI-log hook: the only place the raw query string is visible, so the
 * per-request state is created here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
  struct fake_server *fs = cls;
  struct req_state *st = calloc(1, sizeof(*st));
  const char *q;

  (void)con;
  if (!st)
    return NULL;
  st->fs = fs;
  q = uri ? strchr(uri, '?') : NULL;
  copy_bounded(st->rec.query, sizeof(st->rec.query), q ? q + 1 : "");
  pthread_mutex_lock(&fs->mu);
  st->next = fs->live;
  if (fs->live)
    fs->live->prev = st;
  fs->live = st;
  pthread_mutex_unlock(&fs->mu);
  return st;
}

/* Unlinks st from the live list (caller holds fs->mu) and frees it. */
static void req_state_free_locked(struct fake_server *fs, struct req_state *st)
{
  if (st->prev)
    st->prev->next = st->next;
  else
    fs->live = st->next;
  if (st->next)
    st->next->prev = st->prev;
  free(st);
}

/* MHD completion hook: the request is over, free its state. */
static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct fake_server *fs = cls;
  struct req_state *st = *req_cls;

  (void)con;
  (void)toe;
  if (!st)
    return;
  pthread_mutex_lock(&fs->mu);
  req_state_free_locked(fs, st);
  pthread_mutex_unlock(&fs->mu);
  *req_cls = NULL;
}

/* MHD connection hook: counts accepted connections. */
static void on_connection(void *cls, struct MHD_Connection *con,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
  struct fake_server *fs = cls;

  (void)con;
  (void)socket_context;
  if (toe != MHD_CONNECTION_NOTIFY_STARTED)
    return;
  pthread_mutex_lock(&fs->mu);
  fs->connections++;
  pthread_mutex_unlock(&fs->mu);
}

/* Appends upload bytes to the recorded body, keeping what fits. */
static void record_upload(struct req_state *st, const char *data, size_t len)
{
  size_t room = sizeof(st->rec.body) - 1 - st->body_len;
  size_t n = len < room ? len : room;

  memcpy(st->rec.body + st->body_len, data, n);
  st->body_len += n;
  st->rec.body[st->body_len] = '\0';
}

/* Appends the finished request to the server's log (caller holds fs->mu). */
static void log_request_locked(struct fake_server *fs,
                               const struct fake_request *rec)
{
  if (fs->n_log == fs->cap_log) {
    size_t cap = fs->cap_log ? fs->cap_log * 2 : 16;
    struct fake_request *grown = realloc(fs->log, cap * sizeof(*grown));

    if (!grown) {
      fprintf(stderr, "fake_http: out of memory logging a request\n");
      return;
    }
    fs->log = grown;
    fs->cap_log = cap;
  }
  fs->log[fs->n_log++] = *rec;
}

/* Exact method+path match (caller holds fs->mu). */
static struct owned_route *
find_route_locked(struct fake_server *fs, const char *method, const char *path)
{
  for (size_t i = 0; i < fs->n_routes; i++) {
    if (strcmp(fs->routes[i].method, method) == 0 &&
        strcmp(fs->routes[i].path, path) == 0)
      return &fs->routes[i];
  }
  return NULL;
}

/* Logs the request and copies the response it should get into out: the
 * route's next scripted response (the last one repeats), or a 404. */
static int pick_response(struct fake_server *fs, const struct fake_request *rec,
                         struct owned_response *out)
{
  struct owned_route *route;
  int rc;

  pthread_mutex_lock(&fs->mu);
  log_request_locked(fs, rec);
  route = find_route_locked(fs, rec->method, rec->path);
  if (route && route->n_script) {
    size_t i =
      route->next < route->n_script ? route->next : route->n_script - 1;

    route->next++;
    rc = response_clone(out, &route->script[i]);
  } else {
    memset(out, 0, sizeof(*out));
    rc =
      response_copy_fields(out, 404, "no route", "text/plain", NULL, NULL, 0);
  }
  pthread_mutex_unlock(&fs->mu);
  return rc;
}

/* Adds each "Name: value" line of the scripted headers to the response. */
static void add_extra_headers(struct MHD_Response *r, const char *headers)
{
  char line[1024];

  while (headers && *headers) {
    const char *end = strchr(headers, '\n');
    size_t len = end ? (size_t)(end - headers) : strlen(headers);
    char *colon;

    if (len > 0 && len < sizeof(line)) {
      memcpy(line, headers, len);
      line[len] = '\0';
      if (line[len - 1] == '\r')
        line[len - 1] = '\0';
      colon = strchr(line, ':');
      if (colon) {
        char *value = colon + 1;

        *colon = '\0';
        while (*value == ' ')
          value++;
        MHD_add_response_header(r, line, value);
      }
    }
    headers = end ? end + 1 : NULL;
  }
}

/* Sends the scripted chunks one by one, then holds the stream open. */
static ssize_t read_chunks(struct stream_state *ss, char *buf, size_t max)
{
  struct owned_response *r = &ss->resp;

  while (ss->chunk < r->n_chunks) {
    const char *c = r->chunks[ss->chunk];
    size_t left = strlen(c) - ss->chunk_off;

    if (!ss->chunk_waited && r->chunk_delay_ms) {
      ss->chunk_waited = 1;
      if (wait_or_stop(ss->fs, r->chunk_delay_ms))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (left == 0) {
      ss->chunk++;
      ss->chunk_off = 0;
      ss->chunk_waited = 0;
      continue;
    }
    if (left > max)
      left = max;
    memcpy(buf, c + ss->chunk_off, left);
    ss->chunk_off += left;
    return (ssize_t)left;
  }
  if (r->hold_open_ms && wait_or_stop(ss->fs, r->hold_open_ms))
    return MHD_CONTENT_READER_END_WITH_ERROR;
  return MHD_CONTENT_READER_END_OF_STREAM;
}

/* Sends the first half of the body under a full Content-Length, then
 * fails the connection: a truncated response. */
static ssize_t read_truncated(struct stream_state *ss, uint64_t pos, char *buf,
                              size_t max)
{
  size_t half = ss->resp.body_len / 2;
  size_t n;

  if (pos >= half)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  n = half - (size_t)pos;
  if (n > max)
    n = max;
  memcpy(buf, ss->resp.body + pos, n);
  return (ssize_t)n;
}

/* MHD content reader: chunked stream or truncated body. */
static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct stream_state *ss = cls;

  if (ss->resp.chunks)
    return read_chunks(ss, buf, max);
  return read_truncated(ss, pos, buf, max);
}

static void stream_free(void *cls)
{
  struct stream_state *ss = cls;

  response_release(&ss->resp);
  free(ss);
}

/* A response whose body comes from stream_reader (chunked or truncated);
 * the reader works on its own copy of r. */
static struct MHD_Response *stream_response(struct fake_server *fs,
                                            const struct owned_response *r)
{
  struct stream_state *ss = calloc(1, sizeof(*ss));
  uint64_t size = r->chunks ? MHD_SIZE_UNKNOWN : r->body_len;
  struct MHD_Response *resp;

  if (!ss)
    return NULL;
  ss->fs = fs;
  if (response_clone(&ss->resp, r) != 0) {
    free(ss);
    return NULL;
  }
  resp = MHD_create_response_from_callback(size, 1024, stream_reader, ss,
                                           stream_free);
  if (!resp)
    stream_free(ss);
  return resp;
}

/* Builds the MHD response for a scripted one (r stays the caller's). */
static struct MHD_Response *build_response(struct fake_server *fs,
                                           const struct owned_response *r)
{
  struct MHD_Response *resp;

  if (r->chunks || r->truncate)
    resp = stream_response(fs, r);
  else
    resp = MHD_create_response_from_buffer(r->body_len, r->body,
                                           MHD_RESPMEM_MUST_COPY);
  if (resp) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type
                                            : "application/json");
    add_extra_headers(resp, r->headers);
  }
  return resp;
}

/* Fills the request record from what MHD parsed. */
static void record_request(struct req_state *st, struct MHD_Connection *con,
                           const char *url, const char *method)
{
  copy_bounded(st->rec.method, sizeof(st->rec.method), method);
  copy_bounded(st->rec.path, sizeof(st->rec.path), url);
  copy_bounded(st->rec.authorization, sizeof(st->rec.authorization),
               MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                           MHD_HTTP_HEADER_AUTHORIZATION));
  copy_bounded(st->rec.content_type, sizeof(st->rec.content_type),
               MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                           MHD_HTTP_HEADER_CONTENT_TYPE));
  copy_bounded(st->rec.user_agent, sizeof(st->rec.user_agent),
               MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                           MHD_HTTP_HEADER_USER_AGENT));
}

/* MHD access handler: collects the body over several calls, then logs
 * the request and serves the scripted response. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *con,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
  struct fake_server *fs = cls;
  struct req_state *st = *req_cls;
  struct owned_response r;
  struct MHD_Response *resp;
  enum MHD_Result ret;
  unsigned status;

  (void)version;
  if (!st)
    return MHD_NO;
  if (!st->started) {
    st->started = 1; /* headers only; the body (if any) comes next */
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    record_upload(st, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (st->answered)
    return MHD_NO;
  st->answered = 1;
  record_request(st, con, url, method);
  if (pick_response(fs, &st->rec, &r) != 0)
    return MHD_NO;
  status = r.status ? r.status : 200;
  if (r.delay_ms && wait_or_stop(fs, r.delay_ms)) {
    response_release(&r);
    return MHD_NO;
  }
  resp = build_response(fs, &r);
  response_release(&r);
  if (!resp)
    return MHD_NO;
  ret = MHD_queue_response(con, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* MHD's own error log, prefixed so test output shows where it came from
 * (most lines are expected: the client hung up on a stall or a bad cert). */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  char line[512];

  (void)cls;
  vsnprintf(line, sizeof(line), fmt, ap);
  fprintf(stderr, "fake_http (libmicrohttpd): %s%s", line,
          line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

/* Starts the daemon on 127.0.0.1, port 0, and records the port. */
static int start_daemon(struct fake_server *fs)
{
  struct sockaddr_in addr;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
                       MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
  const union MHD_DaemonInfo *info;

  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fs->tls_cert) {
    flags |= MHD_USE_TLS;
    fs->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, fs, MHD_OPTION_EXTERNAL_LOGGER,
      on_mhd_log, fs, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_URI_LOG_CALLBACK,
      on_uri, fs, MHD_OPTION_NOTIFY_COMPLETED, on_completed, fs,
      MHD_OPTION_NOTIFY_CONNECTION, on_connection, fs, MHD_OPTION_HTTPS_MEM_KEY,
      fs->tls_key, MHD_OPTION_HTTPS_MEM_CERT, fs->tls_cert, MHD_OPTION_END);
  } else {
    fs->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, fs, MHD_OPTION_EXTERNAL_LOGGER,
      on_mhd_log, fs, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_URI_LOG_CALLBACK,
      on_uri, fs, MHD_OPTION_NOTIFY_COMPLETED, on_completed, fs,
      MHD_OPTION_NOTIFY_CONNECTION, on_connection, fs, MHD_OPTION_END);
  }
  if (!fs->daemon) {
    fprintf(stderr, "fake_http: MHD_start_daemon failed%s\n",
            fs->tls_cert ? " (check the TLS cert/key PEM)" : "");
    return -1;
  }
  info = MHD_get_daemon_info(fs->daemon, MHD_DAEMON_INFO_BIND_PORT);
  if (!info || info->port == 0) {
    fprintf(stderr, "fake_http: could not read the bound port\n");
    return -1;
  }
  fs->port = info->port;
  snprintf(fs->url, sizeof(fs->url), "%s://127.0.0.1:%u",
           fs->tls_cert ? "https" : "http", (unsigned)fs->port);
  return 0;
}

/* Frees everything once the daemon (and its threads) are gone. */
static void server_free(struct fake_server *fs)
{
  while (fs->live)
    req_state_free_locked(fs, fs->live);
  routes_free(fs->routes, fs->n_routes);
  free(fs->log);
  free(fs->tls_cert);
  free(fs->tls_key);
  pthread_cond_destroy(&fs->stop_cv);
  pthread_mutex_destroy(&fs->mu);
  free(fs);
}

/* Initialises the lock and the stop condition (monotonic clock). */
static int init_sync(struct fake_server *fs)
{
  pthread_condattr_t attr;
  int rc;

  if (pthread_mutex_init(&fs->mu, NULL) != 0)
    return -1;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  rc = pthread_cond_init(&fs->stop_cv, &attr);
  pthread_condattr_destroy(&attr);
  if (rc != 0) {
    pthread_mutex_destroy(&fs->mu);
    return -1;
  }
  return 0;
}

struct fake_server *fake_server_start(const struct fake_route *routes,
                                      size_t n_routes, const char *tls_cert_pem,
                                      const char *tls_key_pem)
{
  struct fake_server *fs = calloc(1, sizeof(*fs));
  int failed = 0;

  if (!fs || init_sync(fs) != 0) {
    fprintf(stderr, "fake_http: out of memory\n");
    free(fs);
    return NULL;
  }
  if ((tls_cert_pem == NULL) != (tls_key_pem == NULL)) {
    fprintf(stderr, "fake_http: TLS needs both a cert and a key\n");
    server_free(fs);
    return NULL;
  }
  fs->tls_cert = dup_or_null(tls_cert_pem, &failed);
  fs->tls_key = dup_or_null(tls_key_pem, &failed);
  fs->routes = routes_copy(routes, n_routes);
  fs->n_routes = fs->routes ? n_routes : 0;
  if (failed || !fs->routes) {
    fprintf(stderr, "fake_http: out of memory copying routes\n");
    server_free(fs);
    return NULL;
  }
  if (start_daemon(fs) != 0) {
    fake_server_stop(fs);
    return NULL;
  }
  return fs;
}

void fake_server_stop(struct fake_server *fs)
{
  if (!fs)
    return;
  pthread_mutex_lock(&fs->mu);
  fs->stopping = 1;
  pthread_cond_broadcast(&fs->stop_cv);
  pthread_mutex_unlock(&fs->mu);
  if (fs->daemon)
    MHD_stop_daemon(fs->daemon);
  server_free(fs);
}

unsigned short fake_server_port(const struct fake_server *fs)
{
  return fs->port;
}

const char *fake_server_url(const struct fake_server *fs)
{
  return fs->url;
}

unsigned fake_server_hits(struct fake_server *fs, const char *method,
                          const char *path)
{
  unsigned hits = 0;

  pthread_mutex_lock(&fs->mu);
  for (size_t i = 0; i < fs->n_log; i++) {
    if (method && strcmp(fs->log[i].method, method) != 0)
      continue;
    if (path && strcmp(fs->log[i].path, path) != 0)
      continue;
    hits++;
  }
  pthread_mutex_unlock(&fs->mu);
  return hits;
}

unsigned fake_server_connections(struct fake_server *fs)
{
  unsigned n;

  pthread_mutex_lock(&fs->mu);
  n = fs->connections;
  pthread_mutex_unlock(&fs->mu);
  return n;
}

int fake_server_request(struct fake_server *fs, unsigned n,
                        struct fake_request *out)
{
  int rc = -1;

  pthread_mutex_lock(&fs->mu);
  if (n < fs->n_log) {
    *out = fs->log[n];
    rc = 0;
  }
  pthread_mutex_unlock(&fs->mu);
  return rc;
}

int fake_server_set_script(struct fake_server *fs, const char *method,
                           const char *path, const struct fake_response *script,
                           size_t n)
{
  struct owned_response *copy = script_copy(script, n);
  struct owned_route *route;

  if (n && !copy)
    return -1;
  pthread_mutex_lock(&fs->mu);
  route = find_route_locked(fs, method, path);
  if (route) {
    script_free(route->script, route->n_script);
    route->script = copy;
    route->n_script = n;
    route->next = 0;
    copy = NULL;
  }
  pthread_mutex_unlock(&fs->mu);
  script_free(copy, n);
  return route ? 0 : -1;
}
