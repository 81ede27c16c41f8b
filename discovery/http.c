/* http.c: the libcurl-based HTTP client declared in http.h.
 *
 * One easy handle per client, reused so connections are kept alive. A
 * client is NOT thread-safe: use it from one thread at a time. A stream
 * (http_stream.c) may run on another thread with its own client.
 *
 * http_do runs curl_easy_perform, retrying idempotent requests with full
 * jitter backoff. Its parts: the retry policy in http_retry.c, the
 * per-request set-up in http_setup.c, the failures' codes and messages in
 * http_errors.c.
 */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "dynbuf.h"
#include "http_errors.h"
#include "http_internal.h"
#include "http_retry.h"
#include "http_setup.h"
#include "log.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 3000L
#define DEFAULT_TIMEOUT_MS         10000L
#define DEFAULT_MAX_ATTEMPTS       4
#define DEFAULT_BACKOFF_BASE_MS    200L
#define DEFAULT_BACKOFF_MAX_MS     5000L

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;

/* libcurl wants one global init before any handle; pthread_once makes
 * concurrent first clients safe. */
static void curl_init_once(void)
{
  g_curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
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
static int is_idempotent(const struct http_request *req)
{
  return strcmp(http_method_of(req), "GET") == 0 || req->idempotent;
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
  rc = http_build_headers(req, &headers, err);
  if (rc != DK_OK)
    return rc;
  dynbuf_init(&body, c->max_body);
  http_set_common_options(
    c, req->url, req->timeout_ms > 0 ? req->timeout_ms : c->timeout_ms);
  http_set_method(c->easy, req);
  curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, http_write_body);
  curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &body);
  if (c->interrupt) {
    curl_easy_setopt(c->easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c->easy, CURLOPT_XFERINFOFUNCTION, request_progress);
    curl_easy_setopt(c->easy, CURLOPT_XFERINFODATA, c);
  }
  cc = curl_easy_perform(c->easy);
  curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
  http_headers_free(headers);
  curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &resp->status);
  if (cc == CURLE_ABORTED_BY_CALLBACK) {
    dynbuf_free(&body);
    return http_interrupted_error(http_method_of(req), req->url, err);
  }
  if (cc != CURLE_OK) {
    at->transient = http_curl_code_retryable(cc);
    rc = http_transfer_error(c, http_method_of(req), req->url, cc, &body, err);
    dynbuf_free(&body);
    return rc;
  }
  if (curl_easy_header(c->easy, "Retry-After", 0, CURLH_HEADER, -1, &ra) ==
      CURLHE_OK)
    at->retry_after_ms = http_parse_retry_after(ra->value);
  http_body_take(&body, resp);
  return DK_OK;
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
  char shown[HTTP_SAFE_URL_LEN];
  const char *method;
  enum dk_code rc;
  int retries_allowed;

  memset(resp, 0, sizeof(*resp));
  e->http_status = 0;
  rc = http_check_request(req, e);
  if (rc == DK_OK && !client)
    rc = dk_err_set(e, DK_EINVAL, "HTTP client is NULL");
  if (rc != DK_OK)
    return rc;
  method = http_method_of(req);
  http_safe_url(req->url, shown, sizeof(shown));
  retries_allowed = is_idempotent(req);
  backoff_reset(&client->retry);
  for (int attempt = 1;; attempt++) {
    struct attempt at;
    long delay;

    response_clear(resp);
    rc = perform_once(client, req, resp, &at, e);
    resp->attempts = attempt;
    if (rc == DK_OK ? !http_status_retryable(resp->status) : !at.transient)
      break;
    if (!retries_allowed || attempt >= client->max_attempts)
      break;
    delay = http_retry_delay(client, resp->status, at.retry_after_ms);
    if (rc == DK_OK)
      LOG_WARNF("%s %s: HTTP %ld, retry %d/%d in %ld ms", method, shown,
                resp->status, attempt + 1, client->max_attempts, delay);
    else
      LOG_WARNF("%s; retry %d/%d in %ld ms", e->msg, attempt + 1,
                client->max_attempts, delay);
    if (sleep_ms(client, delay)) {
      response_clear(resp);
      rc = http_interrupted_error(method, req->url, e);
      break;
    }
  }
  if (rc == DK_OK && retries_allowed && http_status_retryable(resp->status))
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
  http_retry_backoff_init(&c->retry, c->backoff_base_ms, c->backoff_max_ms);
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
