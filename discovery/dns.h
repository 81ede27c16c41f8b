/* dns.h: resolving peer names with c-ares (1.18 API), one round or until
 * every name resolves.
 *
 * - A resolver holds one c-ares channel for its whole life. Lookups use DNS
 *   only (no /etc/hosts) unless opts.lookups says otherwise, so a stale
 *   hosts entry can never hide what the cluster DNS says.
 * - Names with at least one dot are sent as absolute names (a trailing dot
 *   is added), so the pod's search list and ndots:5 do not multiply every
 *   lookup into several NXDOMAIN round trips. Names without a dot still use
 *   the search list.
 * - All names of a round are in flight at once; a round ends when every
 *   name has an answer, an error, or has used up its tries.
 * - Global state: call dns_global_init() once, before any thread starts,
 *   and dns_global_cleanup() once at exit, after every resolver is freed.
 *   The resolver functions never touch c-ares' global state themselves.
 * - A resolver is not thread-safe: use it from one thread at a time.
 *
 * Waiting until every name resolves (dns_wait_all) is declared in
 * dns_wait.h, which this header includes.
 */
#ifndef DK_DNS_H
#define DK_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "dns_wait.h"
#include "err.h"

#define DNS_MAX_ADDRS  8  /* addresses kept per name; more are dropped */
#define DNS_ADDR_LEN   46 /* INET6_ADDRSTRLEN */
#define DNS_DETAIL_LEN 64

/* What a zero field of dns_opts and dns_wait_opts means. */
#define DNS_DEFAULT_QUERY_TIMEOUT_MS 1000L
#define DNS_DEFAULT_TRIES            2
#define DNS_DEFAULT_PROGRESS_MS      5000L

enum dns_status {
  DNS_PENDING = 0, /* not asked yet, or no answer yet */
  DNS_OK,          /* at least one address */
  DNS_NOTFOUND,    /* NXDOMAIN, or the name has no address of the family */
  DNS_TIMEOUT,     /* no server answered (timed out or refused) */
  DNS_SERVFAIL,    /* the server answered SERVFAIL or REFUSED */
  DNS_ERROR        /* anything else: bad name, out of memory, canceled */
};

struct dns_opts {
  long query_timeout_ms; /* first-try timeout per query; 0 = the default */
  int tries;             /* tries per query and server; 0 = the default */
  const char *lookups;   /* c-ares lookups: "b" DNS, "f" hosts; NULL = "b" */
  const char *servers;   /* "ip:port,..." override; NULL or "" = system */
  int family;            /* AF_INET, AF_INET6 or AF_UNSPEC (0) */
};

struct dns_result {
  enum dns_status status;
  char detail[DNS_DETAIL_LEN]; /* c-ares' words for a failure, or "" */
  size_t naddrs;
  char addrs[DNS_MAX_ADDRS][DNS_ADDR_LEN]; /* numeric, e.g. "10.244.0.10" */
};

/* One name to resolve. The caller fills name (and expect_ip); the calls
 * below fill result. */
struct dns_query {
  const char *name;      /* host name, at most 253 characters */
  const char *expect_ip; /* dns_wait_all only: must be among the answers */
  struct dns_result result;
};

struct dns_resolver;

/* ares_library_init; once per process, before threads start. */
enum dk_code dns_global_init(struct dk_err *err);
/* ares_library_cleanup; once, after the last dns_resolver_free. */
void dns_global_cleanup(void);

/* Creates a resolver (a c-ares channel with opts). opts may be NULL for
 * the defaults. On failure *out is NULL and err says why. */
enum dk_code dns_resolver_new(const struct dns_opts *opts,
                              struct dns_resolver **out, struct dk_err *err);
void dns_resolver_free(struct dns_resolver *r);

/* One round: resolves all n names at once and fills each result. Returns
 * DK_OK when every name got a result, whatever its status (the caller
 * judges them); an error only for bad input or a local failure. */
enum dk_code dns_resolve(struct dns_resolver *r, struct dns_query *q, size_t n,
                         struct dk_err *err);

/* True when ip (numeric IPv4 or IPv6, any spelling) is among res->addrs. */
bool dns_result_has_ip(const struct dns_result *res, const char *ip);

/* A short name for a status, e.g. "not found". */
const char *dns_status_name(enum dns_status status);

#endif
