/* receiver.c: see receiver.h. */
#include "receiver.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"

#define LOG_PREFIX  "/log/"
#define JSON_TYPE   "application/json"
#define TEXT_TYPE   "text/plain; charset=utf-8"
#define METRICS_MAX (1024 * 1024)
/* How often the watchdog looks for requests past their deadline. */
#define WATCH_EVERY_MS 100L

/* A connection the watchdog keeps an eye on (its socket context). */
struct conn {
  struct conn *prev, *next;
  int fd;
  long long since; /* clock_ms() of its start, or of its last answer */
  bool cut;        /* shut down by the watchdog already */
};

struct receiver {
  struct MHD_Daemon *daemon;
  long port;
  size_t max_render;
  pthread_mutex_t lock; /* the store and the logged flags */
  struct store *store;
  bool logged[STORE_NOMEM + 1];
  struct metrics *metrics;
  struct metric *tokens, *calls, *refused, *requests, *cut;
  /* the whole-request deadline: the open connections and their watchdog */
  long request_timeout_ms;
  pthread_mutex_t conns_lock;
  pthread_cond_t wake;
  struct conn *conns;
  bool watching, stopping;
  pthread_t watchdog;
};

static enum MHD_Result send_buffer(struct MHD_Connection *c, unsigned code,
                                   const char *type, char *body, size_t len,
                                   enum MHD_ResponseMemoryMode mode)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
  enum MHD_Result ok;

  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, PUT, DELETE");
  ok = MHD_queue_response(c, code, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code,
                             const char *type, const char *text)
{
  return send_buffer(c, code, type, (char *)text, strlen(text),
                     MHD_RESPMEM_MUST_COPY);
}

/* Sends a rendered dynbuf (taken), or 500 when it could not be made. */
static enum MHD_Result reply_buf(struct MHD_Connection *c, struct dynbuf *b,
                                 const char *type, const char *what)
{
  size_t len;
  enum dk_code rc = b->failed;
  char *text = dynbuf_take(b, &len);

  if (!text) {
    LOG_ERRORF("cannot answer %s: %s", what,
               rc == DK_ETOOBIG ? "the answer is over --max-render"
                                : "out of memory");
    return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, TEXT_TYPE,
                 rc == DK_ETOOBIG ? "the answer is over --max-render; DELETE "
                                    "/logs or raise it\n"
                                  : "out of memory\n");
  }
  return send_buffer(c, MHD_HTTP_OK, type, text, len, MHD_RESPMEM_MUST_FREE);
}

static unsigned status_of(enum store_result res)
{
  switch (res) {
    case STORE_OK:
      return MHD_HTTP_OK;
    case STORE_BAD_TOKEN:
      return MHD_HTTP_BAD_REQUEST;
    case STORE_TOO_MANY_TOKENS:
      return 429; /* Too Many Requests */
    case STORE_TOKEN_FULL:
    case STORE_FULL:
      return 413; /* Content Too Large */
    case STORE_NOMEM:
      break;
  }
  return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

static const char *refusal_text(enum store_result res)
{
  switch (res) {
    case STORE_BAD_TOKEN:
      return "bad token: 1 to 128 of A-Z a-z 0-9 . _ -\n";
    case STORE_TOO_MANY_TOKENS:
      return "too many tokens (--max-tokens): DELETE /logs or raise it\n";
    case STORE_TOKEN_FULL:
      return "this token has --max-stamps calls: DELETE /logs or raise it\n";
    case STORE_FULL:
      return "--max-total calls are stored: DELETE /logs or raise it\n";
    default:
      return "out of memory\n";
  }
}

/* Why a token the store refused is bad, naming its first byte outside the
 * alphabet (a NUL is still "%00" here: see unescape_keep_nul). */
static void describe_bad_token(const char *token, char *buf, size_t len)
{
  size_t n = strlen(token), i = 0;
  unsigned char b;

  while (i < n && i < STORE_TOKEN_MAX && store_token_char(token[i]))
    i++;
  if (i == n || i == STORE_TOKEN_MAX) {
    snprintf(buf, len, "%s", refusal_text(STORE_BAD_TOKEN));
    return;
  }
  b = (unsigned char)token[i];
  if (strncmp(token + i, "%00", 3) == 0)
    snprintf(buf, len, "bad token: byte %zu is NUL (%%00)", i + 1);
  else if (isprint(b))
    snprintf(buf, len, "bad token: byte %zu is '%c'", i + 1, b);
  else
    snprintf(buf, len, "bad token: byte %zu is 0x%02x", i + 1, b);
  snprintf(buf + strlen(buf), len - strlen(buf),
           " (percent-decoded), not one of A-Z a-z 0-9 . _ -\n");
}

/* libmicrohttpd's unescaping of the path and the query, except that %00
 * stays as it is: decoded, a NUL would end the path early ("/log/ab%00cd"
 * read as token "ab"); kept, it is refused as a byte outside the token
 * alphabet. Returns the new length, as the option wants. */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *c, char *s)
{
  static const char hex[] = "0123456789abcdef";
  const char *in = s;
  char *out = s;

  (void)cls;
  (void)c;
  while (*in) {
    const char *hi = in[0] == '%' && in[1] ? strchr(hex, tolower(in[1])) : 0;
    const char *lo = hi && in[2] ? strchr(hex, tolower(in[2])) : 0;

    if (hi && lo && (hi != hex || lo != hex)) {
      *out++ = (char)((hi - hex) << 4 | (lo - hex));
      in += 3;
    } else {
      *out++ = *in++;
    }
  }
  *out = '\0';
  return (size_t)(out - s);
}

static enum MHD_Result put_log(struct receiver *r, struct MHD_Connection *c,
                               const char *token)
{
  char stamp[STORE_STAMP_LEN + 1], why[160];
  enum store_result res;
  bool first = false;

  store_stamp_now(stamp, sizeof(stamp));
  pthread_mutex_lock(&r->lock);
  res = store_add(r->store, token, stamp);
  if (res != STORE_OK && res != STORE_BAD_TOKEN && !r->logged[res]) {
    r->logged[res] = true;
    first = true;
  }
  metric_set(r->tokens, NULL, (double)store_tokens(r->store));
  pthread_mutex_unlock(&r->lock);
  if (res != STORE_OK) {
    metric_inc(r->refused, (const char *[]){store_result_text(res)});
    if (first)
      LOG_KV(LOG_WARN, FIELDS(LOG_STR("reason", store_result_text(res))),
             "refusing calls: %.*s (logged once)",
             (int)strlen(refusal_text(res)) - 1, refusal_text(res));
    if (res == STORE_BAD_TOKEN) {
      describe_bad_token(token, why, sizeof(why));
      return reply(c, status_of(res), TEXT_TYPE, why);
    }
    return reply(c, status_of(res), TEXT_TYPE, refusal_text(res));
  }
  metric_inc(r->calls, NULL);
  return reply(c, MHD_HTTP_OK, TEXT_TYPE, stamp);
}

static enum MHD_Result get_logs(struct receiver *r, struct MHD_Connection *c)
{
  struct dynbuf b;

  dynbuf_init(&b, r->max_render);
  pthread_mutex_lock(&r->lock);
  store_render(r->store, &b);
  pthread_mutex_unlock(&r->lock);
  return reply_buf(c, &b, JSON_TYPE, "GET /logs");
}

static enum MHD_Result delete_logs(struct receiver *r, struct MHD_Connection *c)
{
  pthread_mutex_lock(&r->lock);
  store_clear(r->store);
  memset(r->logged, 0, sizeof(r->logged));
  metric_set(r->tokens, NULL, 0);
  pthread_mutex_unlock(&r->lock);
  LOG_INFOF("DELETE /logs: every list cleared");
  return reply(c, MHD_HTTP_OK, JSON_TYPE, "{}");
}

static enum MHD_Result get_metrics(struct receiver *r, struct MHD_Connection *c)
{
  struct dynbuf b;

  dynbuf_init(&b, METRICS_MAX);
  metrics_render(r->metrics, &b);
  return reply_buf(c, &b, METRICS_CONTENT_TYPE, "GET /metrics");
}

static bool is(const char *method, const char *want)
{
  return strcmp(method, want) == 0;
}

static enum MHD_Result route(struct receiver *r, struct MHD_Connection *c,
                             const char *url, const char *method)
{
  bool get =
    is(method, MHD_HTTP_METHOD_GET) || is(method, MHD_HTTP_METHOD_HEAD);

  if (strncmp(url, LOG_PREFIX, strlen(LOG_PREFIX)) == 0) {
    if (!is(method, MHD_HTTP_METHOD_PUT))
      return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT_TYPE,
                   "use PUT on /log/<token>; " RECEIVER_API);
    return put_log(r, c, url + strlen(LOG_PREFIX));
  }
  if (strcmp(url, "/logs") == 0) {
    if (get)
      return get_logs(r, c);
    if (is(method, MHD_HTTP_METHOD_DELETE))
      return delete_logs(r, c);
    return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT_TYPE,
                 "use GET or DELETE on /logs; " RECEIVER_API);
  }
  if (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0) {
    if (!get)
      return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT_TYPE,
                   "use GET; " RECEIVER_API);
    if (url[1] == 'h')
      return reply(c, MHD_HTTP_OK, TEXT_TYPE, "ok\n");
    return get_metrics(r, c);
  }
  return reply(c, MHD_HTTP_NOT_FOUND, TEXT_TYPE, "not found; " RECEIVER_API);
}

/* The label value for a method: a client's text must not make series. */
static const char *known_method(const char *m)
{
  static const char *const known[] = {"GET", "HEAD", "PUT", "DELETE", "POST"};

  for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
    if (strcmp(m, known[i]) == 0)
      return known[i];
  return "other";
}

/* Bodies are not used: a request is answered once its head is in, and a
 * body that comes with it is read and dropped. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **req_ctx)
{
  static int seen;
  struct receiver *r = cls;

  (void)version;
  (void)upload;
  if (*req_ctx == NULL) {
    *req_ctx = &seen;
    return MHD_YES;
  }
  if (*upload_size) {
    *upload_size = 0;
    return MHD_YES;
  }
  metric_inc(r->requests, (const char *[]){known_method(method)});
  return route(r, c, url, method);
}

/* libmicrohttpd's start and end of a connection: keeps the list the
 * watchdog reads. */
static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
  struct receiver *r = cls;
  struct conn *k = *socket_context;

  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

    k = calloc(1, sizeof(*k));
    if (!k || !info) {
      free(k); /* unwatched: the idle timeout still bounds it */
      return;
    }
    k->fd = info->connect_fd;
    k->since = clock_ms();
    pthread_mutex_lock(&r->conns_lock);
    k->next = r->conns;
    if (r->conns)
      r->conns->prev = k;
    r->conns = k;
    pthread_mutex_unlock(&r->conns_lock);
    *socket_context = k;
    return;
  }
  if (!k)
    return;
  pthread_mutex_lock(&r->conns_lock);
  if (k->prev)
    k->prev->next = k->next;
  else
    r->conns = k->next;
  if (k->next)
    k->next->prev = k->prev;
  pthread_mutex_unlock(&r->conns_lock);
  free(k);
  *socket_context = NULL;
}

/* A request answered (or given up): the next one's deadline starts now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_ctx,
                         enum MHD_RequestTerminationCode code)
{
  struct receiver *r = cls;
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  struct conn *k = info ? info->socket_context : NULL;

  (void)req_ctx;
  (void)code;
  if (!k)
    return;
  pthread_mutex_lock(&r->conns_lock);
  k->since = clock_ms();
  pthread_mutex_unlock(&r->conns_lock);
}

/* The watchdog: a connection whose request has not come in whole within
 * the deadline is shut down (libmicrohttpd then sees the end of the
 * stream and closes it). The idle timeout alone is reset by every byte,
 * so a client that trickles a header line every few seconds would hold
 * its connection for ever. The lock is held across shutdown(2), and a
 * connection leaves the list before libmicrohttpd closes its socket, so
 * the descriptor is still this connection's. */
static void *watch_requests(void *arg)
{
  struct receiver *r = arg;

  pthread_mutex_lock(&r->conns_lock);
  while (!r->stopping) {
    long long now = clock_ms();
    struct timespec until;
    unsigned cut = 0;

    for (struct conn *k = r->conns; k; k = k->next) {
      if (!k->cut && now - k->since >= r->request_timeout_ms) {
        shutdown(k->fd, SHUT_RDWR);
        k->cut = true;
        cut++;
      }
    }
    if (cut)
      metric_add(r->cut, NULL, cut);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += WATCH_EVERY_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&r->wake, &r->conns_lock, &until);
  }
  pthread_mutex_unlock(&r->conns_lock);
  return NULL;
}

static bool start_watchdog(struct receiver *r)
{
  sigset_t all, saved;
  int rc;

  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  rc = pthread_create(&r->watchdog, NULL, watch_requests, r);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  r->watching = rc == 0;
  return r->watching;
}

static void declare_metrics(struct receiver *r)
{
  r->metrics = metrics_new();
  metrics_add_build_info(r->metrics, "dkron-webhook-receiver");
  r->tokens = metrics_add(r->metrics, METRIC_GAUGE, "dkron_k8s_receiver_tokens",
                          "Tokens stored.", NULL);
  r->calls =
    metrics_add(r->metrics, METRIC_COUNTER, "dkron_k8s_receiver_calls_total",
                "Calls stored (PUT /log/<token> answered 200).", NULL);
  r->refused = metrics_add(
    r->metrics, METRIC_COUNTER, "dkron_k8s_receiver_refused_total",
    "Calls refused, by reason (bad_token, too_many_tokens, token_full, "
    "full).",
    "reason");
  r->requests =
    metrics_add(r->metrics, METRIC_COUNTER, "dkron_k8s_receiver_requests_total",
                "HTTP requests, by method.", "method");
  r->cut = metrics_add(
    r->metrics, METRIC_COUNTER, "dkron_k8s_receiver_requests_cut_total",
    "Connections closed because their request did not come in whole "
    "within the deadline (a slow or stalled client).",
    NULL);
}

struct receiver *receiver_start(const struct receiver_opts *o,
                                struct dk_err *err)
{
  struct receiver *r;
  struct sockaddr_in addr = {.sin_family = AF_INET};
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
  const union MHD_DaemonInfo *info;

  if (o->port < 0 || o->port > 65535) {
    dk_err_set(err, DK_EINVAL, "--port %ld is out of range (0-65535)", o->port);
    return NULL;
  }
  if (o->bind && *o->bind && inet_pton(AF_INET, o->bind, &addr.sin_addr) != 1) {
    dk_err_set(err, DK_EINVAL,
               "--bind \"%s\" is not an IPv4 address; give one, or leave it "
               "empty for every address",
               o->bind);
    return NULL;
  }
  r = calloc(1, sizeof(*r));
  if (!r || !(r->store = store_new(&o->limits))) {
    free(r);
    dk_err_set(err, DK_ENOMEM, "out of memory");
    return NULL;
  }
  pthread_mutex_init(&r->lock, NULL);
  pthread_mutex_init(&r->conns_lock, NULL);
  pthread_cond_init(&r->wake, NULL);
  r->max_render = o->max_render;
  r->request_timeout_ms = o->request_timeout_ms > 0
                            ? o->request_timeout_ms
                            : RECEIVER_REQUEST_TIMEOUT_MS;
  declare_metrics(r);
  if (!start_watchdog(r)) {
    dk_err_set(err, DK_ENOMEM, "cannot start the request watchdog thread");
    receiver_stop(r);
    return NULL;
  }
  addr.sin_port = htons((uint16_t)o->port);
  if (!(o->bind && *o->bind))
    flags |= MHD_USE_DUAL_STACK;
  r->daemon = MHD_start_daemon(
    flags, (uint16_t)o->port, NULL, NULL, on_request, r,
    MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, NULL,
    MHD_OPTION_NOTIFY_CONNECTION, on_connection, r, MHD_OPTION_NOTIFY_COMPLETED,
    on_completed, r, MHD_OPTION_CONNECTION_TIMEOUT, RECEIVER_IDLE_TIMEOUT_S,
    MHD_OPTION_CONNECTION_LIMIT, RECEIVER_CONNECTIONS,
    MHD_OPTION_PER_IP_CONNECTION_LIMIT, RECEIVER_CONNECTIONS_PER_IP,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
    o->bind && *o->bind ? MHD_OPTION_SOCK_ADDR : MHD_OPTION_END, &addr,
    MHD_OPTION_END);
  if (!r->daemon) {
    dk_err_set(err, DK_EIO,
               "cannot listen on %s:%ld (in use, or not allowed); choose "
               "another --port",
               o->bind && *o->bind ? o->bind : "*", o->port);
    receiver_stop(r);
    return NULL;
  }
  info = MHD_get_daemon_info(r->daemon, MHD_DAEMON_INFO_BIND_PORT);
  r->port = info ? info->port : o->port;
  return r;
}

void receiver_stop(struct receiver *r)
{
  if (!r)
    return;
  if (r->watching) {
    pthread_mutex_lock(&r->conns_lock);
    r->stopping = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->conns_lock);
    pthread_join(r->watchdog, NULL);
  }
  if (r->daemon)
    MHD_stop_daemon(r->daemon); /* closes the connections: frees r->conns */
  while (r->conns) {
    struct conn *k = r->conns;

    r->conns = k->next;
    free(k);
  }
  store_free(r->store);
  metrics_free(r->metrics);
  pthread_cond_destroy(&r->wake);
  pthread_mutex_destroy(&r->conns_lock);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

long receiver_port(const struct receiver *r)
{
  return r->port;
}
