/* http_retry.c: when the HTTP client tries again and how long it waits
 * first (see http_retry.h): the backoff windows, Retry-After, the statuses
 * and transport failures worth another try. */
#include "http_retry.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"

/* ---- backoff ---- */

/* The retry windows: base doubling up to max; a base above max starts (and
 * stays) at max. */
void http_retry_backoff_init(struct backoff *b, long base_ms, long max_ms)
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
  http_retry_backoff_init(&b, base_ms, max_ms);
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
int http_status_retryable(long status)
{
  return status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

/* Transport failures worth another try: the server was unreachable, slow,
 * or the reply was cut short. TLS and cap errors would only repeat. */
int http_curl_code_retryable(CURLcode rc)
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
/* How long to wait before the next attempt: Retry-After on 429/503 when
 * the server sent one (capped), else full-jitter backoff. The backoff
 * window grows with every retry, whichever is used. */
long http_retry_delay(struct http_client *c, long status, long retry_after_ms)
{
  long backoff = backoff_next_ms(&c->retry);

  if ((status == 429 || status == 503) && retry_after_ms >= 0)
    return retry_after_ms < c->backoff_max_ms ? retry_after_ms
                                              : c->backoff_max_ms;
  return backoff;
}
