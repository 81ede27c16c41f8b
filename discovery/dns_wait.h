/* dns_wait.h: waiting until every name resolves, in rounds of the
 * resolver (dns.h includes it). */
#ifndef DK_DNS_WAIT_H
#define DK_DNS_WAIT_H

#include <stddef.h>

#include "err.h"

typedef int (*dns_stop_fn)(void *user); /* non-zero: stop now */

struct dns_wait_opts {
  long deadline_ms;       /* overall limit, > 0 */
  long backoff_base_ms;   /* pause after the first failed round; 0 = 250 */
  long backoff_max_ms;    /* the pause doubles up to this; 0 = 5000 */
  double jitter;          /* 0..1: each pause is shortened by up to this
                             fraction at random */
  long progress_every_ms; /* at most one INFO progress line per; 0 = the
                             default */
  dns_stop_fn stop;       /* polled about every 100 ms; may be NULL */
  void *stop_user;
};

struct dns_resolver;
struct dns_query;

/* Repeats rounds for the names still pending, with exponential backoff,
 * until every name resolves (to its expect_ip, when set). DK_ETIMEOUT when
 * the deadline passes, naming the names still pending and why;
 * DK_ECANCELED when stop says so. Results hold each name's last answer. */
enum dk_code dns_wait_all(struct dns_resolver *r, struct dns_query *q, size_t n,
                          const struct dns_wait_opts *wait, struct dk_err *err);

#endif
