/* live_servers.h: which server pods a worker can join.
 *
 * A live server is Running, has a pod IP, is not being deleted, and (unless
 * require_ready is off) is Ready. go-discover, which dkron's built-in
 * provider=k8s uses, does not skip terminating pods; we do, because a pod
 * with a deletionTimestamp is about to leave the cluster.
 */
#ifndef AGENT_LIVE_SERVERS_H
#define AGENT_LIVE_SERVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k8s_pod.h"

/* Why a pod is not live, or NULL when it is. */
const char *live_server_reject(const struct k8s_pod *pod, bool require_ready);

struct live_summary {
  size_t matched;     /* pods the selector matched */
  size_t running;     /* phase Running */
  size_t ready;       /* Ready condition true */
  size_t terminating; /* deletionTimestamp set */
  size_t live;        /* pass every check */
};

void live_summarize(const struct k8s_pod *pods, size_t n, bool require_ready,
                    struct live_summary *out);

/* "3 pods match, 2 running, 0 ready, 1 terminating, 0 live". */
void live_summary_text(const struct live_summary *s, char *buf, size_t len);

/* The live pods' "<ip>:<port>" join addresses, sorted, as a NULL-terminated
 * heap array (free with argv_free), or NULL when out of memory. *n gets the
 * count (0 is valid: an array holding only NULL). */
char **live_join_addrs(const struct k8s_pod *pods, size_t n_pods,
                       bool require_ready, long serf_port, size_t *n);

/* True when `joined` (the addresses dkron was started with) is not empty
 * and none of them is in `live`: every server dkron knew is gone. Both are
 * NULL-terminated arrays (NULL counts as empty). */
bool live_none_left(char *const *joined, char *const *live);

/* Which of n live servers to ask, in order: min(n, max) distinct indices
 * into the live list, from a random start (drawn from *rng with
 * backoff_random), so that the workers do not all ask the first server.
 * Returns how many were written to order. */
size_t live_ask_order(size_t n, size_t max, uint64_t *rng, size_t *order);

#endif
