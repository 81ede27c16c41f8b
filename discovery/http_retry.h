/* http_retry.h: the HTTP client's retry policy (http_retry.c): the backoff
 * windows, Retry-After, which answers are worth another try and how long
 * to wait before it. http.c uses it; the first two are exposed for tests.
 */
#ifndef DK_HTTP_RETRY_H
#define DK_HTTP_RETRY_H

#include <curl/curl.h>

#include "backoff.h"

struct http_client;

/* Exposed for tests: the backoff before retry number `attempt` (1-based):
 * a uniform random value in [0, min(max, base * 2^(attempt-1))]. */
long http_backoff_ms(long base_ms, long max_ms, int attempt);

/* Exposed for tests: parse a Retry-After header value (delta-seconds or an
 * HTTP date) into milliseconds from now; -1 if it cannot be parsed. */
long http_parse_retry_after(const char *value);

/* The retry windows: base doubling up to max; a base above max starts (and
 * stays) at max. */
void http_retry_backoff_init(struct backoff *b, long base_ms, long max_ms);

/* 429, 500, 502, 503 and 504. */
int http_status_retryable(long status);

/* Transport failures worth another try: the server was unreachable, slow,
 * or the reply was cut short. TLS and cap errors would only repeat. */
int http_curl_code_retryable(CURLcode rc);

/* How long to wait before the next attempt: Retry-After on 429/503 when
 * the server sent one (capped), else full-jitter backoff. The backoff
 * window grows with every retry, whichever is used. */
long http_retry_delay(struct http_client *c, long status, long retry_after_ms);

#endif
