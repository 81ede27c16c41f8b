/* dns.c: see dns.h. c-ares 1.18 has no event thread, so each round drives
 * the channel itself: ares_getsock -> poll(ares_timeout) -> ares_process_fd,
 * with ares_process_fd(BAD, BAD) when poll times out so that c-ares can
 * expire queries and move on to the next try or server. Waiting until
 * every name resolves, round after round, is dns_wait.c.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "dns_internal.h"
#include "log.h"

#define DNS_NAME_MAX 253

struct dns_resolver {
  ares_channel channel;
  int family;
  enum dns_status cancel_status; /* what ARES_ECANCELLED means right now */
  const char *cancel_detail;
};

/* One in-flight lookup of a round; the c-ares callback fills res. */
struct lookup {
  struct dns_resolver *r;
  struct dns_query *q;
  struct dns_result res;
  bool canceled;
};

enum dk_code dns_global_init(struct dk_err *err)
{
  int st = ares_library_init(ARES_LIB_INIT_ALL);

  if (st != ARES_SUCCESS)
    return dk_err_set(err, st == ARES_ENOMEM ? DK_ENOMEM : DK_EIO,
                      "DNS: c-ares library initialisation failed: %s",
                      ares_strerror(st));
  return DK_OK;
}

void dns_global_cleanup(void)
{
  ares_library_cleanup();
}

const char *dns_status_name(enum dns_status status)
{
  switch (status) {
    case DNS_PENDING:
      return "pending";
    case DNS_OK:
      return "ok";
    case DNS_NOTFOUND:
      return "not found";
    case DNS_TIMEOUT:
      return "timeout";
    case DNS_SERVFAIL:
      return "server failure";
    case DNS_ERROR:
      return "error";
  }
  return "unknown";
}

/* "b", "f", "bf" or "fb": the only lookup orders c-ares understands. */
static bool lookups_valid(const char *s)
{
  size_t len = strnlen(s, 3);

  if (len == 0 || len > 2)
    return false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] != 'b' && s[i] != 'f')
      return false;
  }
  return len == 1 || s[0] != s[1];
}

/* Copies opts with defaults applied, rejecting values c-ares would
 * misread or that make no sense for a peer lookup. */
static enum dk_code resolve_opts(const struct dns_opts *in,
                                 struct dns_opts *out, struct dk_err *err)
{
  static const struct dns_opts zero;

  *out = in ? *in : zero;
  if (out->query_timeout_ms == 0)
    out->query_timeout_ms = DNS_DEFAULT_QUERY_TIMEOUT_MS;
  if (out->tries == 0)
    out->tries = DNS_DEFAULT_TRIES;
  if (!out->lookups)
    out->lookups = "b";
  if (out->query_timeout_ms < 1 || out->query_timeout_ms > 60000)
    return dk_err_set(err, DK_EINVAL,
                      "DNS query timeout %ld ms is out of range; use 1 to "
                      "60000 ms",
                      out->query_timeout_ms);
  if (out->tries < 1 || out->tries > 10)
    return dk_err_set(err, DK_EINVAL,
                      "DNS tries %d is out of range; use 1 to 10", out->tries);
  if (!lookups_valid(out->lookups))
    return dk_err_set(err, DK_EINVAL,
                      "DNS lookups \"%.8s\" is invalid; use \"b\" (DNS), "
                      "\"f\" (hosts file) or an order of both, e.g. \"bf\"",
                      out->lookups);
  if (out->family != AF_INET && out->family != AF_INET6 &&
      out->family != AF_UNSPEC)
    return dk_err_set(err, DK_EINVAL,
                      "DNS address family %d is invalid; use AF_INET, "
                      "AF_INET6 or AF_UNSPEC",
                      out->family);
  return DK_OK;
}

/* Creates the channel with our options, then points it at the override
 * servers; that must happen before any query (c-ares < 1.22). */
static enum dk_code open_channel(struct dns_resolver *r,
                                 const struct dns_opts *o, struct dk_err *err)
{
  struct ares_options ao;
  char lookups[3];
  int st;

  memset(&ao, 0, sizeof(ao));
  snprintf(lookups, sizeof(lookups), "%s", o->lookups);
  ao.timeout = (int)o->query_timeout_ms;
  ao.tries = o->tries;
  ao.lookups = lookups;
  st = ares_init_options(
    &r->channel, &ao, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
  if (st != ARES_SUCCESS) {
    r->channel = NULL;
    return dk_err_set(err, st == ARES_ENOMEM ? DK_ENOMEM : DK_EIO,
                      "DNS: cannot create a resolver channel: %s; check "
                      "/etc/resolv.conf",
                      ares_strerror(st));
  }
  if (o->servers && o->servers[0]) {
    st = ares_set_servers_ports_csv(r->channel, o->servers);
    if (st != ARES_SUCCESS)
      return dk_err_set(err, st == ARES_ENOMEM ? DK_ENOMEM : DK_EINVAL,
                        "DNS server list \"%.128s\" is invalid (%s); use "
                        "numeric ip:port entries separated by commas, e.g. "
                        "127.0.0.1:5353",
                        o->servers, ares_strerror(st));
  }
  return DK_OK;
}

enum dk_code dns_resolver_new(const struct dns_opts *opts,
                              struct dns_resolver **out, struct dk_err *err)
{
  struct dns_resolver *r = NULL;
  struct dns_opts o;
  enum dk_code code;

  if (!out)
    return dk_err_set(err, DK_EINVAL, "dns_resolver_new: out is NULL");
  *out = NULL;
  code = resolve_opts(opts, &o, err);
  if (code != DK_OK)
    return code;
  r = calloc(1, sizeof(*r));
  if (!r)
    return dk_err_set(err, DK_ENOMEM, "DNS: out of memory for a resolver");
  r->family = o.family;
  r->cancel_status = DNS_ERROR;
  r->cancel_detail = "canceled";
  code = open_channel(r, &o, err);
  if (code != DK_OK)
    goto out;
  *out = r;
  r = NULL;
out:
  dns_resolver_free(r);
  return code;
}

void dns_resolver_free(struct dns_resolver *r)
{
  if (!r)
    return;
  if (r->channel)
    ares_destroy(r->channel);
  free(r);
}

/* Parses a numeric address of either family into a comparable form. */
static bool parse_ip(const char *ip, int *family, unsigned char bytes[16])
{
  memset(bytes, 0, 16);
  if (inet_pton(AF_INET, ip, bytes) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, ip, bytes) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

bool dns_result_has_ip(const struct dns_result *res, const char *ip)
{
  unsigned char want[16], have[16];
  int want_family, have_family;

  if (!res || !ip || !parse_ip(ip, &want_family, want))
    return false;
  for (size_t i = 0; i < res->naddrs && i < DNS_MAX_ADDRS; i++) {
    if (parse_ip(res->addrs[i], &have_family, have) &&
        have_family == want_family && memcmp(want, have, 16) == 0)
      return true;
  }
  return false;
}

/* Bad names and expected IPs are the caller's bug or bad configuration:
 * reject them before anything is sent. */
enum dk_code dns_check_queries(const struct dns_resolver *r,
                               const struct dns_query *q, size_t n,
                               struct dk_err *err)
{
  unsigned char bytes[16];
  int family;

  if (!r)
    return dk_err_set(err, DK_EINVAL, "DNS: resolver is NULL");
  if (n > 0 && !q)
    return dk_err_set(err, DK_EINVAL, "DNS: %zu names but no query array", n);
  for (size_t i = 0; i < n; i++) {
    const char *name = q[i].name;

    if (!name || !name[0])
      return dk_err_set(err, DK_EINVAL,
                        "DNS: name %zu is empty; pass a host name such as "
                        "dkron-server-0.dkron-server.default.svc.cluster.local",
                        i);
    if (strnlen(name, DNS_NAME_MAX + 1) > DNS_NAME_MAX)
      return dk_err_set(err, DK_EINVAL,
                        "DNS: name \"%.64s...\" is longer than %d characters",
                        name, DNS_NAME_MAX);
    if (q[i].expect_ip && !parse_ip(q[i].expect_ip, &family, bytes))
      return dk_err_set(err, DK_EINVAL,
                        "DNS: expected IP \"%.64s\" for %s is not a numeric "
                        "IPv4 or IPv6 address",
                        q[i].expect_ip, name);
  }
  return DK_OK;
}

/* Adds one numeric address to res unless it is there already (one node per
 * socket type may repeat an address) or res is full. */
static void add_addr(struct dns_result *res, const struct sockaddr *sa)
{
  char text[DNS_ADDR_LEN];
  const void *raw;

  if (sa->sa_family == AF_INET) {
    struct sockaddr_in sin;

    memcpy(&sin, sa, sizeof(sin));
    raw = &sin.sin_addr;
    if (!inet_ntop(AF_INET, raw, text, sizeof(text)))
      return;
  } else if (sa->sa_family == AF_INET6) {
    struct sockaddr_in6 sin6;

    memcpy(&sin6, sa, sizeof(sin6));
    raw = &sin6.sin6_addr;
    if (!inet_ntop(AF_INET6, raw, text, sizeof(text)))
      return;
  } else {
    return;
  }
  for (size_t i = 0; i < res->naddrs; i++) {
    if (strcmp(res->addrs[i], text) == 0)
      return;
  }
  if (res->naddrs < DNS_MAX_ADDRS)
    memcpy(res->addrs[res->naddrs++], text, sizeof(text));
}

static enum dns_status map_ares_status(int st)
{
  switch (st) {
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
      return DNS_NOTFOUND;
    case ARES_ETIMEOUT:
    case ARES_ECONNREFUSED:
      return DNS_TIMEOUT;
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
      return DNS_SERVFAIL;
    default:
      return DNS_ERROR;
  }
}

/* c-ares calls this with its channel busy: copy the answer and free it,
 * nothing more. */
static void on_addrinfo(void *arg, int status, int timeouts,
                        struct ares_addrinfo *ai)
{
  struct lookup *lk = arg;
  struct dns_result *res = &lk->res;

  (void)timeouts;
  res->naddrs = 0;
  res->detail[0] = '\0';
  if (status == ARES_SUCCESS && ai) {
    for (const struct ares_addrinfo_node *n = ai->nodes; n; n = n->ai_next) {
      if (n->ai_addr)
        add_addr(res, n->ai_addr);
    }
    res->status = res->naddrs > 0 ? DNS_OK : DNS_NOTFOUND;
    if (res->naddrs == 0)
      snprintf(res->detail, sizeof(res->detail), "no usable address");
  } else if (status == ARES_ECANCELLED) {
    lk->canceled = true;
    res->status = lk->r->cancel_status;
    snprintf(res->detail, sizeof(res->detail), "%s", lk->r->cancel_detail);
  } else {
    res->status = map_ares_status(status);
    snprintf(res->detail, sizeof(res->detail), "%s", ares_strerror(status));
  }
  if (ai)
    ares_freeaddrinfo(ai);
}

/* A dotted name gets a trailing dot so c-ares sends it as is, without
 * trying every search domain first (ndots:5 in pods). */
static void make_fqdn(const char *name, char *out, size_t cap)
{
  size_t len = strnlen(name, DNS_NAME_MAX);
  bool dotted = memchr(name, '.', len) != NULL;
  unsigned char bytes[16];
  int family;

  /* An IP literal must stay as it is: c-ares answers it without a query. */
  if (dotted && name[len - 1] != '.' && !parse_ip(name, &family, bytes))
    snprintf(out, cap, "%.*s.", (int)len, name);
  else
    snprintf(out, cap, "%.*s", (int)len, name);
}

static void start_lookup(struct dns_resolver *r, struct lookup *lk)
{
  struct ares_addrinfo_hints hints;
  char fqdn[DNS_NAME_MAX + 2];

  memset(&hints, 0, sizeof(hints));
  hints.ai_family = r->family;
  make_fqdn(lk->q->name, fqdn, sizeof(fqdn));
  lk->r = r;
  lk->res.status = DNS_PENDING;
  /* The callback may run before this returns (numeric names). */
  ares_getaddrinfo(r->channel, fqdn, NULL, &hints, on_addrinfo, lk);
}

static bool any_pending(const struct lookup *lks, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (lks[i].res.status == DNS_PENDING)
      return true;
  }
  return false;
}

/* Ends every outstanding query now; ares_cancel runs their callbacks, which
 * record status/detail as the result. */
static void cancel_all(struct dns_resolver *r, struct lookup *lks, size_t n,
                       enum dns_status status, const char *detail)
{
  r->cancel_status = status;
  r->cancel_detail = detail;
  ares_cancel(r->channel);
  for (size_t i = 0; i < n; i++) {
    if (lks[i].res.status == DNS_PENDING) { /* defensive: no callback came */
      lks[i].canceled = true;
      lks[i].res.status = status;
      snprintf(lks[i].res.detail, sizeof(lks[i].res.detail), "%s", detail);
    }
  }
  r->cancel_status = DNS_ERROR;
  r->cancel_detail = "canceled";
}

/* Poll timeout: when c-ares next needs to expire a query, but no later than
 * left_ms and DNS_STOP_CHECK_MS so stop() and the deadline are noticed. */
static int poll_timeout_ms(struct dns_resolver *r, int64_t left_ms)
{
  struct timeval cap = {0, DNS_STOP_CHECK_MS * 1000};
  struct timeval tv;
  struct timeval *next = ares_timeout(r->channel, &cap, &tv);
  int64_t ms = (int64_t)next->tv_sec * 1000 + (next->tv_usec + 999) / 1000;

  if (ms > left_ms)
    ms = left_ms;
  return ms < 0 ? 0 : (int)ms;
}

/* One turn of the event loop: wait for c-ares' sockets or its next
 * timeout, then let it read, write or expire queries. */
static enum dk_code wait_and_process(struct dns_resolver *r, int64_t left_ms,
                                     struct dk_err *err)
{
  ares_socket_t socks[ARES_GETSOCK_MAXNUM];
  struct pollfd pfd[ARES_GETSOCK_MAXNUM];
  nfds_t nfds = 0;
  /* The bitmap is read as unsigned: ARES_GETSOCK_WRITABLE shifts a signed
   * 1 into the sign bit for the last socket. */
  unsigned bits =
    (unsigned)ares_getsock(r->channel, socks, ARES_GETSOCK_MAXNUM);
  int rc;

  for (unsigned i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
    short events = 0;

    if (bits & (1u << i))
      events |= POLLIN;
    if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
      events |= POLLOUT;
    if (!events)
      continue;
    pfd[nfds].fd = socks[i];
    pfd[nfds].events = events;
    pfd[nfds].revents = 0;
    nfds++;
  }
  rc = poll(pfd, nfds, poll_timeout_ms(r, left_ms));
  if (rc < 0 && errno == EINTR)
    return DK_OK;
  if (rc < 0)
    return dk_err_set(err, DK_EIO, "DNS: poll failed: %s", strerror(errno));
  if (rc == 0) {
    ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    return DK_OK;
  }
  for (nfds_t i = 0; i < nfds; i++) {
    short ev = pfd[i].revents;

    if (!ev)
      continue;
    ares_process_fd(r->channel,
                    (ev & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd
                                                        : ARES_SOCKET_BAD,
                    (ev & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD);
  }
  return DK_OK;
}

/* Drives c-ares until every lookup has a result, the deadline passes (the
 * rest become timeouts) or stop() asks to end (DK_ECANCELED). */
static enum dk_code drive(struct dns_resolver *r, struct lookup *lks, size_t n,
                          int64_t deadline, const struct wait_cfg *w,
                          struct dk_err *err)
{
  enum dk_code code;

  while (any_pending(lks, n)) {
    int64_t now;

    if (w && w->stop && w->stop(w->stop_user)) {
      cancel_all(r, lks, n, DNS_ERROR, "canceled");
      return dk_err_set(err, DK_ECANCELED, "DNS: lookup canceled");
    }
    now = (int64_t)clock_ms();
    if (now >= deadline) {
      cancel_all(r, lks, n, DNS_TIMEOUT, "no answer before the deadline");
      return DK_OK;
    }
    code = wait_and_process(r, deadline - now, err);
    if (code != DK_OK) {
      cancel_all(r, lks, n, DNS_ERROR, "local error");
      return code;
    }
  }
  return DK_OK;
}

/* Whether q needs no further round of dns_wait_all. */
bool dns_satisfied(const struct dns_query *q)
{
  if (q->result.status != DNS_OK)
    return false;
  return !q->expect_ip || dns_result_has_ip(&q->result, q->expect_ip);
}

/* Stores a lookup's result, except that a lookup cut short by the deadline
 * keeps the previous round's answer: "not found" says more than "no answer
 * before the deadline". */
static void store_result(const struct lookup *lk)
{
  bool had_answer = lk->q->result.status != DNS_PENDING;

  if (lk->canceled && lk->res.status == DNS_TIMEOUT && had_answer)
    return;
  lk->q->result = lk->res;
  if (log_enabled(LOG_DEBUG))
    log_msg(LOG_DEBUG, "DNS: %s: %s%s%s", lk->q->name,
            dns_status_name(lk->res.status),
            lk->res.naddrs ? " " : (lk->res.detail[0] ? ": " : ""),
            lk->res.naddrs ? lk->res.addrs[0] : lk->res.detail);
}

/* Resolves, all at once, every query of q (or, with only_unsatisfied, the
 * ones dns_wait_all still waits for) and stores their results. */
enum dk_code dns_run_round(struct dns_resolver *r, struct dns_query *q,
                           size_t n, bool only_unsatisfied, int64_t deadline,
                           const struct wait_cfg *w, struct dk_err *err)
{
  struct lookup *lks;
  size_t count = 0;
  enum dk_code code;

  if (n == 0)
    return DK_OK;
  lks = calloc(n, sizeof(*lks));
  if (!lks)
    return dk_err_set(err, DK_ENOMEM, "DNS: out of memory for %zu lookups", n);
  for (size_t i = 0; i < n; i++) {
    if (only_unsatisfied && dns_satisfied(&q[i]))
      continue;
    lks[count].q = &q[i];
    start_lookup(r, &lks[count]);
    count++;
  }
  code = drive(r, lks, count, deadline, w, err);
  for (size_t i = 0; i < count; i++)
    store_result(&lks[i]);
  free(lks);
  return code;
}

enum dk_code dns_resolve(struct dns_resolver *r, struct dns_query *q, size_t n,
                         struct dk_err *err)
{
  enum dk_code code = dns_check_queries(r, q, n, err);

  if (code != DK_OK)
    return code;
  for (size_t i = 0; i < n; i++)
    memset(&q[i].result, 0, sizeof(q[i].result));
  return dns_run_round(r, q, n, false, INT64_MAX, NULL, err);
}
