/* member_check.h: is this worker an alive member? Asked of one server.
 *
 * First the server's wrapper, on its status port: GET /members/<node>
 * answers in a few bytes, whatever the size of the cluster, through one
 * HTTP client kept for the launcher's life (keep-alive). A server without
 * that endpoint (an older wrapper, or --server-status-port=0) is asked
 * dkron's GET /v1/members, the whole member list, as before; so is a check
 * that also wants the executions running on the node (/v1/busy, before a
 * re-join).
 *
 * The check's pace: while the worker stays an alive member and the live
 * servers do not change, the interval doubles from the base up to a cap,
 * with jitter (so that a fleet started together does not check together);
 * any other answer, or a change of servers, brings it back to the base.
 */
#ifndef AGENT_MEMBER_CHECK_H
#define AGENT_MEMBER_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "metrics.h"
#include "rejoin.h"

struct member_check_opts {
  const char *node; /* this worker's dkron node name */
  long status_port; /* the servers' status port; 0: /v1/members only */
  long http_port;   /* dkron's HTTP API port */
  long timeout_ms;  /* per request */
  struct metric *dkron_api_errors; /* {path, error}; NULL: not counted */
  struct metric *checks;           /* {via}: wrapper, dkron */
  struct metric *check_bytes;      /* answer bytes received, in all */
};

struct member_check;

struct member_check *member_check_new(const struct member_check_opts *o,
                                      struct dk_err *err);
void member_check_free(struct member_check *mc); /* NULL is fine */

/* Asks the server at ip (IPv4 or IPv6). MEMBER_UNKNOWN when it did not
 * answer. With busy (not NULL), also the executions running on the node
 * (-1 when unknown), from dkron's API. */
enum member_seen member_check_ask(struct member_check *mc, const char *ip,
                                  long *busy);

/* The interval after a check: steady (alive, same servers) doubles current
 * up to max, else base; each with up to 20 % jitter either way, and never
 * below base nor above max. max below base means base. */
long member_check_next_interval(long current, long base, long max, bool steady,
                                uint64_t *rng);

/* Bytes received by the checks so far (answers' bodies), for benchmarks. */
unsigned long long member_check_bytes(const struct member_check *mc);

#endif
