/* http.c: the libcurl-based HTTP client declared in http.h.
 *
 * One easy handle per client, reused so connections are kept alive. A
 * client is NOT thread-safe: use it from one thread at a time. A stream
 * (http_stream) may run on another thread with its own client.
 *
 * http_do runs curl_easy_perform, retrying idempotent requests with full
 * jitter backoff. http_stream drives the same handle through a multi
 * handle polled every STREAM_POLL_MS, so a stop request or an idle stream
 * is noticed within a fraction of a second even when no data flows.
 */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "dynbuf.h"
#include "log.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 3000L
#define DEFAULT_TIMEOUT_MS         10000L
#define DEFAULT_MAX_ATTEMPTS       4
#define DEFAULT_BACKOFF_BASE_MS    200L
#define DEFAULT_BACKOFF_MAX_MS     5000L
#define STREAM_POLL_MS             250
#define SAFE_URL_LEN               256

struct http_client {
  CURL *easy;
  CURLM *multi; /* created on the first http_stream */
  long connect_timeout_ms;
  long timeout_ms;
  size_t max_body;
  char *ca_file;
  int max_attempts;
  long backoff_base_ms;
  long backoff_max_ms;
  http_stop_fn interrupt;
  void *interrupt_user;
  struct backoff retry; /* reset by each http_do */
  char errbuf[CURL_ERROR_SIZE];
};

/* Why a stream ended early (set by the stream callbacks). */
enum stream_end {
  STREAM_RUNNING = 0,
  STREAM_STOPPED,
  STREAM_IDLE,
  STREAM_DATA_CANCELED
};

struct stream_ctx {
  CURL *easy;
  http_data_fn on_data;
  http_stop_fn should_stop;
  void *user;
  long idle_timeout_ms;
  struct timespec last_data;
  int status_checked;
  int pass_through; /* 2xx: hand chunks to on_data */
  enum stream_end end;
  struct dynbuf body; /* a non-2xx reply's body, capped at max_body */
};

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;

/* libcurl wants one global init before any handle; pthread_once makes
 * concurrent first clients safe. */
static void curl_init_once(void)
{
  g_curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

/* ---- backoff ---- */

/* The retry windows: base doubling up to max; a base above max starts (and
 * stays) at max. */
static void retry_backoff_init(struct backoff *b, long base_ms, long max_ms)
{
  backoff_init(b, base_ms < max_ms ? base_ms : max_ms, max_ms);
}

/* Full jitter in the window of retry number `attempt`, as http_do draws
 * it: uniform in [0, min(max, base * 2^(attempt-1))]. */
long http_backoff_ms(long base_ms, long max_ms, int attempt)
{
  struct backoff b;

  if (base_ms <= 0 || max_ms <= 0)
    return 0;
  retry_backoff_init(&b, base_ms, max_ms);
  for (int i = 1; i < attempt && backoff_window_ms(&b) < max_ms; i++)
    backoff_next_ms(&b);
  return backoff_next_ms(&b);
}

/* Parses a non-negative decimal number of seconds; -1 if not one. */
static long parse_delta_seconds(const char *s, size_t len)
{
  char buf[32];
  char *end;
  long secs;

  if (len == 0 || len >= sizeof(buf))
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
  }
  memcpy(buf, s, len);
  buf[len] = '\0';
  errno = 0;
  secs = strtol(buf, &end, 10);
  if (errno != 0 || *end != '\0' || secs < 0)
    return -1;
  return secs > LONG_MAX / 1000 ? LONG_MAX : secs * 1000;
}

long http_parse_retry_after(const char *value)
{
  const char *start = value;
  size_t len;
  long ms;
  time_t when;
  time_t now;

  if (!value)
    return -1;
  while (*start == ' ' || *start == '\t')
    start++;
  len = strlen(start);
  while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t' ||
                     start[len - 1] == '\r' || start[len - 1] == '\n'))
    len--;
  if (len == 0)
    return -1;
  ms = parse_delta_seconds(start, len);
  if (ms >= 0 || (start[0] >= '0' && start[0] <= '9'))
    return ms;
  when = curl_getdate(start, NULL);
  if (when == (time_t)-1)
    return -1;
  now = time(NULL);
  if (when <= now)
    return 0;
  if ((long long)(when - now) > LONG_MAX / 1000)
    return LONG_MAX;
  return (long)(when - now) * 1000;
}

/* ---- helpers ---- */

/* Milliseconds since a CLOCK_MONOTONIC time stamp. */
static long elapsed_ms(const struct timespec *since)
{
  struct timespec now;

  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long)(now.tv_sec - since->tv_sec) * 1000L +
         (now.tv_nsec - since->tv_nsec) / 1000000L;
}

#define INTERRUPT_POLL_MS 100L

static int interrupted(const struct http_client *c)
{
  return c->interrupt && c->interrupt(c->interrupt_user);
}

/* Sleeps the whole delay even if a signal handler interrupts nanosleep,
 * asking the client's interrupt every INTERRUPT_POLL_MS. Returns non-zero
 * when it said stop. */
static int sleep_ms(const struct http_client *c, long ms)
{
  while (ms > 0) {
    long slice =
      c->interrupt && ms > INTERRUPT_POLL_MS ? INTERRUPT_POLL_MS : ms;
    struct timespec ts = {.tv_sec = slice / 1000,
                          .tv_nsec = (slice % 1000) * 1000000L};

    if (interrupted(c))
      return 1;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
      ;
    ms -= slice;
  }
  return interrupted(c);
}

/* Copies url for messages and logs: no user:password@, no ?query (which
 * may carry secrets) and no #fragment. */
static void safe_url(const char *url, char *out, size_t cap)
{
  const char *scheme_end = strstr(url, "://");
  const char *host = scheme_end ? scheme_end + 3 : url;
  size_t host_len = strcspn(host, "/?#");
  const char *at = memchr(host, '@', host_len);
  size_t n = 0;

  if (at) {
    size_t prefix = (size_t)(host - url);

    n = prefix < cap - 1 ? prefix : cap - 1;
    memcpy(out, url, n);
    host = at + 1;
  }
  for (const char *p = at ? host : url; *p && *p != '?' && *p != '#'; p++) {
    if (n + 1 >= cap)
      break;
    out[n++] = *p;
  }
  out[n] = '\0';
}

static const char *method_of(const struct http_request *req)
{
  return req->method && *req->method ? req->method : "GET";
}

static int is_idempotent(const struct http_request *req)
{
  return strcmp(method_of(req), "GET") == 0 || req->idempotent;
}

static int status_retryable(long status)
{
  return status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

/* Transport failures worth another try: the server was unreachable, slow,
 * or the reply was cut short. TLS and cap errors would only repeat. */
static int curl_code_retryable(CURLcode rc)
{
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return 1;
    default:
      return 0;
  }
}

/* ---- body buffer ---- */

/* Moves the collected body into resp (NULL when empty) and frees the
 * buffer. */
static void body_take(struct dynbuf *b, struct http_response *resp)
{
  resp->body = dynbuf_len(b) ? dynbuf_take(b, &resp->len) : NULL;
  dynbuf_free(b);
}

/* curl write callback: returning less than given aborts the transfer (a
 * body over the cap, or no memory: the buffer keeps which). */
static size_t write_body(char *data, size_t size, size_t n, void *user)
{
  if (dynbuf_add(user, data, size * n) != DK_OK)
    return 0;
  return size * n;
}

/* ---- error mapping ---- */

/* Maps libcurl results onto the project's codes; b tells a cap overflow
 * (DK_ETOOBIG) or no memory from other write errors. */
static enum dk_code map_curl_code(CURLcode rc, const struct dynbuf *b)
{
  switch (rc) {
    case CURLE_OK:
      return DK_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return DK_ECONNECT;
    case CURLE_OPERATION_TIMEDOUT:
      return DK_ETIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return DK_ETLS;
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
      return DK_EPARSE;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return DK_EIO;
    case CURLE_WRITE_ERROR:
      return b && b->failed != DK_OK ? b->failed : DK_EIO;
    case CURLE_OUT_OF_MEMORY:
      return DK_ENOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return DK_EINVAL;
    case CURLE_ABORTED_BY_CALLBACK:
      return DK_ECANCELED;
    default:
      return DK_EIO;
  }
}

/* What to do about each kind of transport failure, for the message. */
static const char *hint_for(enum dk_code code)
{
  switch (code) {
    case DK_ECONNECT:
      return "check the host, port and that the server is up";
    case DK_ETIMEOUT:
      return "the server did not answer in time; check it is healthy or "
             "raise the timeout";
    case DK_ETLS:
      return "check the CA file (ca_file) matches the server certificate "
             "and the URL host is in its SAN";
    case DK_EPARSE:
      return "the reply was truncated or empty";
    default:
      return NULL;
  }
}

/* Fills err for a failed transfer, with curl's own words and a hint. */
static enum dk_code transfer_error(struct http_client *c, const char *method,
                                   const char *url, CURLcode rc,
                                   const struct dynbuf *b, struct dk_err *err)
{
  enum dk_code code = map_curl_code(rc, b);
  char shown[SAFE_URL_LEN];
  char why[CURL_ERROR_SIZE + 64];
  long os_errno = 0;

  safe_url(url, shown, sizeof(shown));
  /* curl's text says "Couldn't connect"; the OS error says why. */
  curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &os_errno);
  snprintf(why, sizeof(why), "%s%s%s",
           c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc),
           os_errno ? ": " : "", os_errno ? strerror((int)os_errno) : "");
  if (code == DK_ETOOBIG)
    return dk_err_set(err, code,
                      "%s %s: response body exceeds the %zu-byte cap (%s); "
                      "raise max_body in the client options",
                      method, shown, b->max, dk_code_name(code));
  if (!hint_for(code))
    return dk_err_set(err, code, "%s %s: %s (%s)", method, shown, why,
                      dk_code_name(code));
  return dk_err_set(err, code, "%s %s: %s (%s; %s)", method, shown, why,
                    dk_code_name(code), hint_for(code));
}

/* ---- per-request setup ---- */

/* Wipes and frees a header list that may hold the bearer token. */
static void headers_free(struct curl_slist *list)
{
  for (struct curl_slist *it = list; it; it = it->next)
    explicit_bzero(it->data, strlen(it->data));
  curl_slist_free_all(list);
}

/* Appends "Authorization: Bearer <token>"; the temporary copy is wiped. */
static enum dk_code add_bearer(struct curl_slist **list, const char *token,
                               struct dk_err *err)
{
  static const char prefix[] = "Authorization: Bearer ";
  size_t tlen = strlen(token);
  char *line;
  struct curl_slist *grown;

  if (strpbrk(token, "\r\n"))
    return dk_err_set(err, DK_EINVAL,
                      "bearer token contains a line break; check the token "
                      "file has a single line");
  line = malloc(sizeof(prefix) + tlen);
  if (!line)
    return dk_err_set(err, DK_ENOMEM, "out of memory building headers");
  memcpy(line, prefix, sizeof(prefix) - 1);
  memcpy(line + sizeof(prefix) - 1, token, tlen + 1);
  grown = curl_slist_append(*list, line);
  explicit_bzero(line, sizeof(prefix) + tlen);
  free(line);
  if (!grown)
    return dk_err_set(err, DK_ENOMEM, "out of memory building headers");
  *list = grown;
  return DK_OK;
}

/* Adds one constant header line. */
static enum dk_code add_header(struct curl_slist **list, const char *line,
                               struct dk_err *err)
{
  struct curl_slist *grown = curl_slist_append(*list, line);

  if (!grown)
    return dk_err_set(err, DK_ENOMEM, "out of memory building headers");
  *list = grown;
  return DK_OK;
}

/* Builds the header list for req: auth, content type, no Expect. */
static enum dk_code build_headers(const struct http_request *req,
                                  struct curl_slist **out, struct dk_err *err)
{
  struct curl_slist *list = NULL;
  enum dk_code rc = DK_OK;
  char ctype[256];

  if (req->bearer && *req->bearer)
    rc = add_bearer(&list, req->bearer, err);
  if (rc == DK_OK && req->body && req->content_type) {
    int n =
      snprintf(ctype, sizeof(ctype), "Content-Type: %s", req->content_type);

    if (n < 0 || (size_t)n >= sizeof(ctype) || strpbrk(ctype, "\r\n"))
      rc = dk_err_set(err, DK_EINVAL, "content type \"%.64s\" is invalid",
                      req->content_type);
    else
      rc = add_header(&list, ctype, err);
  }
  if (rc == DK_OK)
    rc = add_header(&list, "Expect:", err); /* no 100-continue round trip */
  if (rc != DK_OK) {
    headers_free(list);
    return rc;
  }
  *out = list;
  return DK_OK;
}

/* Options every transfer gets: timeouts, TLS verification, error buffer. */
static void set_common_options(struct http_client *c, const char *url,
                               long timeout_ms)
{
  CURL *h = c->easy;

  curl_easy_reset(h); /* keeps the live connections */
  c->errbuf[0] = '\0';
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (c->ca_file) {
    curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(h, CURLOPT_CAPATH, NULL); /* only the given CAs */
  }
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, HTTP_USER_AGENT);
}

/* Sets the method and the request body. */
static void set_method(CURL *h, const struct http_request *req)
{
  const char *method = method_of(req);

  if (strcmp(method, "GET") == 0 && !req->body) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (strcmp(method, "HEAD") == 0) {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    return;
  }
  /* A body (even an empty one for POST/PUT/PATCH) goes out with a
   * Content-Length; CUSTOMREQUEST renames the method curl sends. */
  if (req->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
      strcmp(method, "PATCH") == 0) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)(req->body ? req->body_len : 0));
  }
  if (strcmp(method, "POST") != 0)
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
}

/* Rejects requests that cannot be sent, before touching the network. */
static enum dk_code check_request(const struct http_request *req,
                                  struct dk_err *err)
{
  const char *method;

  if (!req || !req->url)
    return dk_err_set(err, DK_EINVAL, "HTTP request without a URL");
  method = method_of(req);
  if (strncmp(req->url, "http://", 7) != 0 &&
      strncmp(req->url, "https://", 8) != 0) {
    char shown[SAFE_URL_LEN];

    safe_url(req->url, shown, sizeof(shown));
    return dk_err_set(err, DK_EINVAL,
                      "%s %s: URL must start with http:// or https://", method,
                      shown);
  }
  if (strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(method))
    return dk_err_set(err, DK_EINVAL,
                      "HTTP method \"%.16s\" is invalid; use an upper-case "
                      "token such as GET or PATCH",
                      method);
  return DK_OK;
}

/* ---- http_do ---- */

/* What one attempt learned beyond the response itself. */
struct attempt {
  long retry_after_ms; /* Retry-After in ms, -1 if none */
  int transient;       /* a transport failure worth retrying */
};

/* curl progress callback of plain requests: non-zero aborts the transfer
 * when the client's interrupt says stop. */
static int request_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
                            curl_off_t ultotal, curl_off_t ulnow)
{
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  return interrupted(user);
}

static enum dk_code interrupted_error(const char *method, const char *url,
                                      struct dk_err *err)
{
  char shown[SAFE_URL_LEN];

  safe_url(url, shown, sizeof(shown));
  return dk_err_set(err, DK_ECANCELED,
                    "%s %s: abandoned: the caller stopped it (a stop signal "
                    "arrived, or its time budget ran out)",
                    method, shown);
}

/* One attempt: sends req and collects the status, the capped body and any
 * Retry-After delay. */
static enum dk_code perform_once(struct http_client *c,
                                 const struct http_request *req,
                                 struct http_response *resp, struct attempt *at,
                                 struct dk_err *err)
{
  struct curl_slist *headers = NULL;
  struct dynbuf body;
  struct curl_header *ra = NULL;
  enum dk_code rc;
  CURLcode cc;

  at->retry_after_ms = -1;
  at->transient = 0;
  rc = build_headers(req, &headers, err);
  if (rc != DK_OK)
    return rc;
  dynbuf_init(&body, c->max_body);
  set_common_options(c, req->url,
                     req->timeout_ms > 0 ? req->timeout_ms : c->timeout_ms);
  set_method(c->easy, req);
  curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &body);
  if (c->interrupt) {
    curl_easy_setopt(c->easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c->easy, CURLOPT_XFERINFOFUNCTION, request_progress);
    curl_easy_setopt(c->easy, CURLOPT_XFERINFODATA, c);
  }
  cc = curl_easy_perform(c->easy);
  curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
  headers_free(headers);
  curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &resp->status);
  if (cc == CURLE_ABORTED_BY_CALLBACK) {
    dynbuf_free(&body);
    return interrupted_error(method_of(req), req->url, err);
  }
  if (cc != CURLE_OK) {
    at->transient = curl_code_retryable(cc);
    rc = transfer_error(c, method_of(req), req->url, cc, &body, err);
    dynbuf_free(&body);
    return rc;
  }
  if (curl_easy_header(c->easy, "Retry-After", 0, CURLH_HEADER, -1, &ra) ==
      CURLHE_OK)
    at->retry_after_ms = http_parse_retry_after(ra->value);
  body_take(&body, resp);
  return DK_OK;
}

/* How long to wait before the next attempt: Retry-After on 429/503 when
 * the server sent one (capped), else full-jitter backoff. The backoff
 * window grows with every retry, whichever is used. */
static long retry_delay(struct http_client *c, long status, long retry_after_ms)
{
  long backoff = backoff_next_ms(&c->retry);

  if ((status == 429 || status == 503) && retry_after_ms >= 0)
    return retry_after_ms < c->backoff_max_ms ? retry_after_ms
                                              : c->backoff_max_ms;
  return backoff;
}

/* Frees what a failed attempt left in resp before the next one. */
static void response_clear(struct http_response *resp)
{
  free(resp->body);
  resp->body = NULL;
  resp->len = 0;
  resp->status = 0;
}

/* Retry loop around perform_once; see http.h for the contract. */
enum dk_code http_do(struct http_client *client, const struct http_request *req,
                     struct http_response *resp, struct dk_err *err)
{
  struct dk_err local;
  struct dk_err *e = err ? err : &local;
  char shown[SAFE_URL_LEN];
  const char *method;
  enum dk_code rc;
  int retries_allowed;

  memset(resp, 0, sizeof(*resp));
  e->http_status = 0;
  rc = check_request(req, e);
  if (rc == DK_OK && !client)
    rc = dk_err_set(e, DK_EINVAL, "HTTP client is NULL");
  if (rc != DK_OK)
    return rc;
  method = method_of(req);
  safe_url(req->url, shown, sizeof(shown));
  retries_allowed = is_idempotent(req);
  backoff_reset(&client->retry);
  for (int attempt = 1;; attempt++) {
    struct attempt at;
    long delay;

    response_clear(resp);
    rc = perform_once(client, req, resp, &at, e);
    resp->attempts = attempt;
    if (rc == DK_OK ? !status_retryable(resp->status) : !at.transient)
      break;
    if (!retries_allowed || attempt >= client->max_attempts)
      break;
    delay = retry_delay(client, resp->status, at.retry_after_ms);
    if (rc == DK_OK)
      LOG_WARNF("%s %s: HTTP %ld, retry %d/%d in %ld ms", method, shown,
                resp->status, attempt + 1, client->max_attempts, delay);
    else
      LOG_WARNF("%s; retry %d/%d in %ld ms", e->msg, attempt + 1,
                client->max_attempts, delay);
    if (sleep_ms(client, delay)) {
      response_clear(resp);
      rc = interrupted_error(method, req->url, e);
      break;
    }
  }
  if (rc == DK_OK && retries_allowed && status_retryable(resp->status))
    rc = dk_err_set(e, DK_EHTTP,
                    "%s %s: HTTP %ld after %d attempts; the server is "
                    "overloaded or failing, try again later",
                    method, shown, resp->status, resp->attempts);
  e->http_status = resp->status;
  return rc;
}

void http_response_free(struct http_response *resp)
{
  if (!resp)
    return;
  free(resp->body);
  resp->body = NULL;
  resp->len = 0;
}

/* ---- http_stream ---- */

/* Decides whether the stream must end now: the caller asked to stop, or
 * nothing arrived for idle_timeout_ms. */
static int stream_should_end(struct stream_ctx *s)
{
  if (s->end != STREAM_RUNNING)
    return 1;
  if (s->should_stop && s->should_stop(s->user))
    s->end = STREAM_STOPPED;
  else if (s->idle_timeout_ms > 0 &&
           elapsed_ms(&s->last_data) >= s->idle_timeout_ms)
    s->end = STREAM_IDLE;
  return s->end != STREAM_RUNNING;
}

/* curl progress callback: non-zero aborts the stream. */
static int stream_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
                           curl_off_t ultotal, curl_off_t ulnow)
{
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  return stream_should_end(user);
}

/* Passes 2xx data to on_data; collects anything else as an error body. */
static size_t stream_write(char *data, size_t size, size_t n, void *user)
{
  struct stream_ctx *s = user;
  size_t len = size * n;

  clock_gettime(CLOCK_MONOTONIC, &s->last_data);
  if (!s->status_checked) {
    long status = 0;

    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    s->pass_through = status >= 200 && status < 300;
    s->status_checked = 1;
  }
  if (!s->pass_through)
    return write_body(data, 1, len, &s->body);
  if (s->on_data(data, len, s->user) != 0) {
    s->end = STREAM_DATA_CANCELED;
    return 0;
  }
  return len;
}

/* Runs the transfer on the client's multi handle, polling at least every
 * STREAM_POLL_MS so should_stop and the idle timeout are checked even
 * when the server sends nothing. */
static CURLcode stream_run(struct http_client *c, struct stream_ctx *s)
{
  CURLcode result = CURLE_OK;
  CURLMcode mc;
  CURLMsg *msg;
  int running = 1;
  int left;

  if (!c->multi && !(c->multi = curl_multi_init()))
    return CURLE_OUT_OF_MEMORY;
  if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK)
    return CURLE_FAILED_INIT;
  while (running) {
    mc = curl_multi_perform(c->multi, &running);
    if (mc == CURLM_OK && running && !stream_should_end(s))
      mc = curl_multi_poll(c->multi, NULL, 0, STREAM_POLL_MS, NULL);
    if (mc != CURLM_OK) {
      result = CURLE_OUT_OF_MEMORY;
      break;
    }
    if (running && s->end != STREAM_RUNNING) {
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
  }
  while ((msg = curl_multi_info_read(c->multi, &left))) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == c->easy)
      result = msg->data.result;
  }
  curl_multi_remove_handle(c->multi, c->easy);
  return result;
}

/* Turns the way a stream ended into a code and message. */
static enum dk_code stream_result(struct http_client *c, const char *url,
                                  CURLcode cc, struct stream_ctx *s,
                                  struct dk_err *err)
{
  char shown[SAFE_URL_LEN];

  safe_url(url, shown, sizeof(shown));
  switch (s->end) {
    case STREAM_STOPPED:
      return dk_err_set(err, DK_ECANCELED, "GET %s: stream stopped", shown);
    case STREAM_DATA_CANCELED:
      return dk_err_set(err, DK_ECANCELED,
                        "GET %s: stream ended by the data handler", shown);
    case STREAM_IDLE:
      return dk_err_set(err, DK_ETIMEOUT,
                        "GET %s: no data for %ld ms (timeout; the stream is "
                        "idle, reconnect)",
                        shown, s->idle_timeout_ms);
    case STREAM_RUNNING:
      break;
  }
  if (cc == CURLE_OK)
    return DK_OK;
  return transfer_error(c, "GET", url, cc, &s->body, err);
}

enum dk_code http_stream(struct http_client *client,
                         const struct http_request *req, long idle_timeout_ms,
                         http_data_fn on_data, http_stop_fn should_stop,
                         void *user, struct http_response *resp,
                         struct dk_err *err)
{
  struct stream_ctx s = {0};
  struct curl_slist *headers = NULL;
  enum dk_code rc;
  CURLcode cc;

  memset(resp, 0, sizeof(*resp));
  if (err)
    err->http_status = 0;
  rc = check_request(req, err);
  if (rc == DK_OK && (!client || !on_data))
    rc = dk_err_set(err, DK_EINVAL, "http_stream needs a client and on_data");
  if (rc == DK_OK)
    rc = build_headers(req, &headers, err);
  if (rc != DK_OK)
    return rc;
  s.easy = client->easy;
  s.on_data = on_data;
  s.should_stop = should_stop;
  s.user = user;
  s.idle_timeout_ms = idle_timeout_ms;
  dynbuf_init(&s.body, client->max_body);
  clock_gettime(CLOCK_MONOTONIC, &s.last_data);
  set_common_options(client, req->url, 0L);
  set_method(client->easy, req);
  curl_easy_setopt(client->easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(client->easy, CURLOPT_WRITEFUNCTION, stream_write);
  curl_easy_setopt(client->easy, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(client->easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(client->easy, CURLOPT_XFERINFOFUNCTION, stream_progress);
  curl_easy_setopt(client->easy, CURLOPT_XFERINFODATA, &s);
  cc = stream_run(client, &s);
  curl_easy_setopt(client->easy, CURLOPT_HTTPHEADER, NULL);
  headers_free(headers);
  curl_easy_getinfo(client->easy, CURLINFO_RESPONSE_CODE, &resp->status);
  resp->attempts = 1;
  rc = stream_result(client, req->url, cc, &s, err);
  if (rc == DK_OK)
    body_take(&s.body, resp);
  dynbuf_free(&s.body);
  if (err && resp->status)
    err->http_status = resp->status;
  return rc;
}

/* ---- client lifecycle ---- */

/* Copies opts with defaults applied; rejects negative values. */
static enum dk_code apply_options(struct http_client *c,
                                  const struct http_client_opts *o,
                                  struct dk_err *err)
{
  if (o->connect_timeout_ms < 0 || o->timeout_ms < 0 || o->max_attempts < 0 ||
      o->backoff_base_ms < 0 || o->backoff_max_ms < 0)
    return dk_err_set(err, DK_EINVAL,
                      "HTTP client options: timeouts, attempts and backoff "
                      "must not be negative (0 selects the default)");
  c->connect_timeout_ms =
    o->connect_timeout_ms ? o->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
  c->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
  c->max_body = o->max_body ? o->max_body : HTTP_DEFAULT_MAX_BODY;
  c->max_attempts = o->max_attempts ? o->max_attempts : DEFAULT_MAX_ATTEMPTS;
  c->backoff_base_ms =
    o->backoff_base_ms ? o->backoff_base_ms : DEFAULT_BACKOFF_BASE_MS;
  c->backoff_max_ms =
    o->backoff_max_ms ? o->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
  c->interrupt = o->interrupt;
  c->interrupt_user = o->interrupt_user;
  if (o->ca_file && !(c->ca_file = strdup(o->ca_file)))
    return dk_err_set(err, DK_ENOMEM, "HTTP client: out of memory");
  return DK_OK;
}

struct http_client *http_client_new(const struct http_client_opts *opts,
                                    struct dk_err *err)
{
  static const struct http_client_opts defaults;
  struct http_client *c;

  pthread_once(&g_curl_once, curl_init_once);
  if (g_curl_init_rc != CURLE_OK) {
    dk_err_set(err, DK_EIO, "curl_global_init failed: %s",
               curl_easy_strerror(g_curl_init_rc));
    return NULL;
  }
  c = calloc(1, sizeof(*c));
  if (!c) {
    dk_err_set(err, DK_ENOMEM, "HTTP client: out of memory");
    return NULL;
  }
  if (apply_options(c, opts ? opts : &defaults, err) != DK_OK)
    goto fail;
  c->easy = curl_easy_init();
  if (!c->easy) {
    dk_err_set(err, DK_EIO, "HTTP client: curl_easy_init failed");
    goto fail;
  }
  retry_backoff_init(&c->retry, c->backoff_base_ms, c->backoff_max_ms);
  return c;
fail:
  http_client_free(c);
  return NULL;
}

void http_client_free(struct http_client *client)
{
  if (!client)
    return;
  if (client->easy)
    curl_easy_cleanup(client->easy);
  if (client->multi)
    curl_multi_cleanup(client->multi);
  free(client->ca_file);
  free(client);
}
