/* dns_wait.c: waiting until every name resolves (see dns_wait.h): rounds
 * of dns.c for the names still pending, paused with backoff and jitter,
 * until the deadline, with a progress log and an error that names what is
 * still missing. */
#include "dns_wait.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "clock.h"
#include "dns.h"
#include "dns_internal.h"
#include "log.h"

#define LIST_MAX 384 /* pending-names list in a log line or error */

#define DEFAULT_BACKOFF_BASE_MS 250
#define DEFAULT_BACKOFF_MAX_MS  5000

/* Appends printf output at *pos, never past cap; on truncation the text
 * ends in "..." so a reader knows the list goes on. */
__attribute__((format(printf, 4, 5))) static void
append_fmt(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
{
  va_list ap;
  int n;

  if (*pos + 1 >= cap)
    return;
  va_start(ap, fmt);
  n = vsnprintf(buf + *pos, cap - *pos, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= cap - *pos) {
    *pos = cap - 1;
    if (cap > 4)
      memcpy(buf + cap - 4, "...", 4);
    return;
  }
  *pos += (size_t)n;
}

static enum dk_code resolve_wait_opts(const struct dns_wait_opts *in,
                                      struct wait_cfg *c, struct dk_err *err)
{
  if (!in || in->deadline_ms <= 0)
    return dk_err_set(err, DK_EINVAL,
                      "DNS wait: a deadline > 0 ms is required");
  c->deadline_ms = in->deadline_ms;
  c->base_ms =
    in->backoff_base_ms ? in->backoff_base_ms : DEFAULT_BACKOFF_BASE_MS;
  c->max_ms = in->backoff_max_ms ? in->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
  c->jitter = in->jitter;
  c->progress_ms =
    in->progress_every_ms ? in->progress_every_ms : DNS_DEFAULT_PROGRESS_MS;
  c->stop = in->stop;
  c->stop_user = in->stop_user;
  if (c->base_ms < 1 || c->max_ms < c->base_ms)
    return dk_err_set(err, DK_EINVAL,
                      "DNS wait: backoff base %ld ms and max %ld ms are "
                      "invalid; use 1 <= base <= max",
                      c->base_ms, c->max_ms);
  if (!(c->jitter >= 0.0 && c->jitter <= 1.0))
    return dk_err_set(err, DK_EINVAL,
                      "DNS wait: jitter %g is out of range; use 0 to 1",
                      c->jitter);
  if (c->progress_ms < 0)
    return dk_err_set(err, DK_EINVAL,
                      "DNS wait: progress interval %ld ms is negative",
                      c->progress_ms);
  return DK_OK;
}

/* The next pause: the window (base doubling up to max) shortened by up to
 * jitter of it, so that pods started together do not query in lockstep;
 * at least 1 ms. */
static long next_pause_ms(struct backoff *b, const struct wait_cfg *c)
{
  long d = backoff_next_jitter_ms(b, c->jitter);

  return d < 1 ? 1 : d;
}

/* Sleeps until the monotonic time `until`, in slices, so that stop() is
 * seen within DNS_STOP_CHECK_MS. */
static enum dk_code pause_until(int64_t until, const struct wait_cfg *c,
                                struct dk_err *err)
{
  for (;;) {
    int64_t left;
    struct timespec ts;

    if (c->stop && c->stop(c->stop_user))
      return dk_err_set(err, DK_ECANCELED, "DNS: wait canceled");
    left = until - (int64_t)clock_ms();
    if (left <= 0)
      return DK_OK;
    if (left > DNS_STOP_CHECK_MS)
      left = DNS_STOP_CHECK_MS;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)left * 1000000L;
    nanosleep(&ts, NULL);
  }
}

/* Why q is still pending, e.g. "not found" or "resolves to 10.0.0.5,
 * expected 10.0.0.7". */
static void describe_pending(const struct dns_query *q, char *buf, size_t cap)
{
  const struct dns_result *res = &q->result;
  size_t pos = 0;

  buf[0] = '\0';
  if (res->status == DNS_OK) {
    append_fmt(buf, cap, &pos, "resolves to");
    for (size_t i = 0; i < res->naddrs; i++)
      append_fmt(buf, cap, &pos, " %s", res->addrs[i]);
    append_fmt(buf, cap, &pos, ", expected %s", q->expect_ip);
  } else if (res->status == DNS_ERROR || res->status == DNS_SERVFAIL) {
    append_fmt(buf, cap, &pos, "%s: %s", dns_status_name(res->status),
               res->detail);
  } else {
    append_fmt(buf, cap, &pos, "%s", dns_status_name(res->status));
  }
}

/* "a.b (not found), c.d (timeout)" for the queries not yet satisfied;
 * returns how many there are. */
static size_t list_pending(const struct dns_query *q, size_t n, char *buf,
                           size_t cap)
{
  size_t pos = 0, count = 0;

  buf[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    char why[160];

    if (dns_satisfied(&q[i]))
      continue;
    describe_pending(&q[i], why, sizeof(why));
    append_fmt(buf, cap, &pos, "%s%s (%s)", count ? ", " : "", q[i].name, why);
    count++;
  }
  return count;
}

static enum dk_code deadline_error(const struct dns_query *q, size_t n,
                                   const struct wait_cfg *c, struct dk_err *err)
{
  char list[LIST_MAX];
  size_t pending = list_pending(q, n, list, sizeof(list));

  return dk_err_set(err, DK_ETIMEOUT,
                    "DNS: %zu of %zu names still unresolved after %ld ms "
                    "(check that they exist and the DNS server answers): %s",
                    pending, n, c->deadline_ms, list);
}

enum dk_code dns_wait_all(struct dns_resolver *r, struct dns_query *q, size_t n,
                          const struct dns_wait_opts *wait, struct dk_err *err)
{
  struct wait_cfg c;
  struct backoff pause;
  char list[LIST_MAX];
  int64_t start = (int64_t)clock_ms(), deadline, last_log = 0;
  bool logged = false;
  unsigned rounds = 0;
  enum dk_code code;

  code = dns_check_queries(r, q, n, err);
  if (code == DK_OK)
    code = resolve_wait_opts(wait, &c, err);
  if (code != DK_OK)
    return code;
  deadline = start + c.deadline_ms;
  backoff_init(&pause, c.base_ms, c.max_ms);
  for (size_t i = 0; i < n; i++)
    memset(&q[i].result, 0, sizeof(q[i].result));
  for (;;) {
    size_t pending;
    int64_t now, wake;

    code = dns_run_round(r, q, n, true, deadline, &c, err);
    rounds++;
    if (code != DK_OK)
      return code;
    pending = list_pending(q, n, list, sizeof(list));
    now = (int64_t)clock_ms();
    if (pending == 0) {
      log_msg(logged ? LOG_INFO : LOG_DEBUG,
              "DNS: all %zu names resolved after %u rounds, %lld ms", n, rounds,
              (long long)(now - start));
      return DK_OK;
    }
    if (now >= deadline)
      return deadline_error(q, n, &c, err);
    if (!logged || now - last_log >= c.progress_ms) {
      LOG_INFOF("waiting for DNS: %zu of %zu names pending: %s", pending, n,
                list);
      logged = true;
      last_log = now;
    }
    wake = now + next_pause_ms(&pause, &c);
    code = pause_until(wake < deadline ? wake : deadline, &c, err);
    if (code != DK_OK)
      return code;
    if ((int64_t)clock_ms() >= deadline)
      return deadline_error(q, n, &c, err);
  }
}
