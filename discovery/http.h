/* http.h: the one HTTP client both binaries use (libcurl underneath).
 *
 * - TLS verification is always on; ca_file adds a CA bundle (the
 *   service-account ca.crt) and replaces the system store for that client.
 * - Response bodies are collected in a buffer capped at max_body bytes;
 *   a larger body is an error (DK_ETOOBIG), never a silent truncation.
 * - Idempotent requests (GET, and anything marked idempotent) are retried on
 *   connection errors, timeouts, 429, 500, 502, 503 and 504, with
 *   exponential backoff and full jitter; Retry-After on 429/503 is honoured
 *   (capped by backoff_max_ms).
 * - The bearer token is sent as an Authorization header and never logged
 *   nor copied into an error message.
 * - Every failure fills struct dk_err with a readable message (method, URL
 *   without query secrets, curl's error buffer or the HTTP status).
 * - Every request carries User-Agent: dkron-k8s/<version>.
 * - A client is not thread-safe: use it from one thread at a time. A
 *   stream running on another thread needs a client of its own.
 *
 * Streaming GETs (a Kubernetes watch) are declared in http_stream.h, the
 * retry policy in http_retry.h.
 */
#ifndef DK_HTTP_H
#define DK_HTTP_H

#include <stddef.h>

#include "err.h"

#define HTTP_DEFAULT_MAX_BODY (16u * 1024u * 1024u)
#define HTTP_USER_AGENT       "dkron-k8s/" DKRON_K8S_VERSION

/* A caller's "stop now?" question: non-zero means stop. */
typedef int (*http_stop_fn)(void *user);

struct http_client_opts {
  long connect_timeout_ms; /* 0 = 3000 */
  long timeout_ms;         /* total per attempt; 0 = 10000 */
  size_t max_body;         /* 0 = HTTP_DEFAULT_MAX_BODY */
  const char *ca_file;     /* NULL = system CA store; copied */
  int max_attempts;        /* idempotent requests; 0 = 4, 1 = no retry */
  long backoff_base_ms;    /* 0 = 200 */
  long backoff_max_ms;     /* 0 = 5000; also caps Retry-After */
  /* Asked during transfers (about once a second) and every 100 ms of a
   * backoff sleep: non-zero abandons the request with DK_ECANCELED, so that
   * a stop signal is acted on promptly even while the peer is unreachable.
   * NULL = never interrupted. */
  http_stop_fn interrupt;
  void *interrupt_user;
};

struct http_client;

/* Returns NULL and fills err on failure. The caller owns the client. */
struct http_client *http_client_new(const struct http_client_opts *opts,
                                    struct dk_err *err);
void http_client_free(struct http_client *client);

struct http_request {
  const char *method;       /* "GET", "POST", "PATCH", "DELETE" */
  const char *url;          /* absolute http(s) URL */
  const char *bearer;       /* token or NULL; never logged */
  const char *content_type; /* for a body, e.g. application/merge-patch+json */
  const char *body;         /* request body or NULL */
  size_t body_len;
  int idempotent;  /* retry even if method is not GET */
  long timeout_ms; /* override of the client's total timeout; 0 = client's */
};

struct http_response {
  long status;  /* HTTP status of the last attempt, 0 if none */
  char *body;   /* NUL-terminated, owned; NULL if empty */
  size_t len;   /* body length without the NUL */
  int attempts; /* how many attempts were made */
};

/* Performs the request. Returns DK_OK when a response with any status was
 * received (the caller judges the status), or an error when none was: the
 * transport failed, the body exceeded the cap, or retries ran out on a
 * retryable status (then resp->status holds that status and err->http_status
 * too). Non-idempotent requests are sent once and return DK_OK with whatever
 * status came back. Backoff sleeps happen in the calling thread; the
 * client's interrupt ends them and transfers early (DK_ECANCELED). resp is
 * always initialised (overwritten, not freed); free it with
 * http_response_free. */
enum dk_code http_do(struct http_client *client, const struct http_request *req,
                     struct http_response *resp, struct dk_err *err);
void http_response_free(struct http_response *resp);

#endif
