/* dns_internal.h: what dns.c and dns_wait.c share; not part of the
 * discovery API. */
#ifndef DK_DNS_INTERNAL_H
#define DK_DNS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define DNS_STOP_CHECK_MS 100 /* how often a round or a pause polls stop() */

/* dns_wait_opts with the defaults applied. */
struct wait_cfg {
  long deadline_ms;
  long base_ms;
  long max_ms;
  double jitter;
  long progress_ms;
  dns_stop_fn stop;
  void *stop_user;
};

/* Bad names and expected IPs are the caller's bug or bad configuration:
 * rejects them before anything is sent. */
enum dk_code dns_check_queries(const struct dns_resolver *r,
                               const struct dns_query *q, size_t n,
                               struct dk_err *err);

/* Whether q needs no further round of dns_wait_all. */
bool dns_satisfied(const struct dns_query *q);

/* Resolves, all at once, every query of q (or, with only_unsatisfied, the
 * ones dns_wait_all still waits for) and stores their results. */
enum dk_code dns_run_round(struct dns_resolver *r, struct dns_query *q,
                           size_t n, bool only_unsatisfied, int64_t deadline,
                           const struct wait_cfg *w, struct dk_err *err);

#endif
