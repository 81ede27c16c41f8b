/* status_server.h: the HTTP status endpoint of both entrypoints, for the
 * kubelet's probes.
 *
 *   GET /healthz  200 "ok" while the program's main loop beats (see
 *                 status_server_beat), 503 with the reason once it has not
 *                 beaten for stale_ms, or while the program says it is
 *                 still starting (status_server_set_started); 200 during a
 *                 shutdown
 *   GET /readyz   200 with the ready text, or 503 with the reason
 *   GET /metrics  the program's metrics (metrics.h), when it has a registry
 *   GET /members/<name>
 *                 a server's view of one Serf member, as last published
 *                 with status_server_set_members: 200
 *                 {"name":"<name>","status":"alive"}, or 404
 *                 {"name":"<name>","member":false}; 503 before the first
 *                 publication. A small, constant answer, whatever the size
 *                 of the cluster (workers ask it instead of /v1/members).
 *   HEAD          the same, without the body; other methods get 405
 *
 * It runs on libmicrohttpd in a thread of its own (one poll loop for all
 * connections), so a slow or hostile client can delay neither the main
 * loop nor the other probes: connections are closed after idle_s without
 * progress, a request head is bounded in size, and connections are limited
 * in all and per client IP. It listens on IPv6 and IPv4 (IPv4 only where
 * the pod has no IPv6). The texts are copied under a lock, so the main
 * loop may set them at any time. Like status_server_stop, the setters
 * below do nothing on NULL (the endpoint turned off).
 */
#ifndef DK_STATUS_SERVER_H
#define DK_STATUS_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "metrics.h"

struct status_server_opts {
  long port;          /* 0 picks a free port (tests) */
  long stale_ms;      /* /healthz fails after this long without a beat */
  unsigned idle_s;    /* close a connection idle this long; 0 = 2 */
  unsigned max_conns; /* connections in all; 0 = 64 */
  unsigned per_ip;    /* connections per client IP; 0 = 8 */
  /* Served on /metrics (not owned; it must outlive the server); NULL:
   * /metrics is not found. */
  struct metrics *metrics;
};

struct status_server;

/* Starts listening and serving. Ready is false ("starting") until set. */
struct status_server *status_server_start(const struct status_server_opts *o,
                                          struct dk_err *err);
/* Stops the thread and closes every connection. NULL is fine. */
void status_server_stop(struct status_server *s);
long status_server_port(const struct status_server *s);

/* What /readyz says from now on. text is copied; it is the body either
 * way (the reason when not ready). */
void status_server_set_ready(struct status_server *s, bool ready,
                             const char *text);

/* Whether the program has finished starting; until it has, /healthz
 * answers 503 with why (for a startupProbe). Started unless told. */
void status_server_set_started(struct status_server *s, bool started,
                               const char *why);

/* One member as the server's dkron lists it. */
struct status_member {
  const char *name;
  const char *status; /* "alive", "leaving", "left", "failed", ... */
};

/* Replaces the members /members/<name> answers from (copied). */
void status_server_set_members(struct status_server *s,
                               const struct status_member *members, size_t n);

/* The main loop is alive: call it on every turn of the loop. */
void status_server_beat(struct status_server *s);

/* The program is shutting down: /readyz fails with why, and /healthz stays
 * 200 from now on, since the main loop blocks on purpose while the child
 * finishes (a liveness probe must not kill it meanwhile). */
void status_server_stopping(struct status_server *s, const char *why);

#endif
