/* receiver.h: the webhook receiver's HTTP server (libmicrohttpd, a thread
 * of its own, and a watchdog thread for the request deadline), with the
 * seed's API:
 *
 *   PUT    /log/<token>  adds the current time to token's list; 200 with
 *                        the stamp
 *   GET    /logs         {"token": ["2021-03-27T18:59:30.072822641+01:00",
 *                        ...], ...}
 *   DELETE /logs         clears every list; 200 {}
 *   GET    /healthz      200 ok
 *   GET    /metrics      Prometheus text: tokens, calls, refusals
 *
 * A bad token is 400; past a bound (store.h) 429 (tokens) or 413 (stamps),
 * logged once per kind; a wrong method 405 and an unknown path 404, both
 * with the API in the body. All requests are served under one lock, so
 * concurrent calls are all counted.
 */
#ifndef RECEIVER_RECEIVER_H
#define RECEIVER_RECEIVER_H

#include "err.h"
#include "store.h"

struct receiver_opts {
  const char *bind; /* an IP address; NULL or "" = every address */
  long port;        /* 0 picks a free one */
  struct store_limits limits;
  size_t max_render; /* bound of a GET /logs answer, bytes */
  /* A connection must bring each whole request within this long (from its
   * start, or from its last answer), however slowly it trickles bytes in;
   * 0 = RECEIVER_REQUEST_TIMEOUT_MS. */
  long request_timeout_ms;
};

/* The bounds on connections: at most RECEIVER_CONNECTIONS in all and
 * RECEIVER_CONNECTIONS_PER_IP from one address, so that a client that
 * opens many (a slowloris) leaves room for the others: the kubelet probes
 * from the node's address, the jobs call from their workers' pods. Each
 * request must come in whole within request_timeout_ms, and a connection
 * is closed after RECEIVER_IDLE_TIMEOUT_S without a byte. */
#define RECEIVER_CONNECTIONS        256U
#define RECEIVER_CONNECTIONS_PER_IP 32U
#define RECEIVER_IDLE_TIMEOUT_S     10U
#define RECEIVER_REQUEST_TIMEOUT_MS 15000L

struct receiver;

struct receiver *receiver_start(const struct receiver_opts *o,
                                struct dk_err *err);
void receiver_stop(struct receiver *r); /* NULL is fine */
long receiver_port(const struct receiver *r);

#define RECEIVER_API                                                    \
  "the API: PUT /log/<token> (1-128 of A-Z a-z 0-9 . _ -), GET /logs, " \
  "DELETE /logs, GET /healthz, GET /metrics\n"

#endif
