/* server_watch.h: the live dkron servers, kept current by a thread that
 * lists the server pods once and then watches them.
 *
 * The thread relists on 410 Gone at once (as client-go does), and on a
 * list without a resourceVersion and after any error after a random delay
 * (full jitter) in a window of 1 s doubling to 30 s; a watch that expires
 * again before any watch worked waits that backoff too (a server that
 * answers 410 to every watch is not relisted in a tight loop). Only a
 * watch that worked (it delivered something, or lasted at least a second)
 * resets the window, so a watch refused at once is not retried in a tight
 * loop. Otherwise it only re-opens the watch when the server ends it, so
 * in steady state it costs the API server one open watch; a watch the
 * server ended at once with nothing delivered is re-opened after the
 * backoff (logged), not at once.
 * A 401 is handled by the Kubernetes client (token re-read); a 403 is
 * logged with the missing RBAC rule and retried with backoff.
 *
 * When the API cannot be reached before the first successful list and a
 * fallback Service name is configured, the servers are taken from its DNS
 * records instead (logged); the watch keeps trying the API meanwhile.
 */
#ifndef AGENT_SERVER_WATCH_H
#define AGENT_SERVER_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "events.h"
#include "live_servers.h"
#include "metrics.h"

/* How long a watch may stay silent before it is ended and re-opened: a
 * dead connection is noticed within a minute (the API server sends a
 * bookmark about every minute to a watch that allows them, so a healthy
 * quiet watch is rarely cut). TCP keepalive (http_setup.c) notices a peer
 * that is gone sooner. */
#define SERVER_WATCH_IDLE_MS 60000L

struct server_watch_opts {
  const char *selector;
  const char *namespace;
  bool require_ready;
  long serf_port;
  const char *kube_api_url, *kube_token_file, *kube_ca_file;
  const char *fallback_service; /* NULL: no DNS fallback */
  const char *dns_server;
  /* Counted when set (launcher_metrics.h); NULL: not counted. */
  struct metric *api_requests;   /* {verb, code} */
  struct metric *watch_restarts; /* a watch re-opened from its rv */
  struct metric *watch_relists;  /* {reason}: gone, error */
  struct events *events;         /* an RBAC refusal is posted; may be NULL */
  /* A watch silent this long (no event, no bookmark: a dead connection,
   * or a quiet one) is ended and re-opened from its resourceVersion;
   * 0 = SERVER_WATCH_IDLE_MS. */
  long watch_idle_ms;
};

/* A consistent copy of the live set; free with live_snapshot_free. */
struct live_snapshot {
  char **join; /* "<ip>:<serf port>", NULL-terminated */
  char **ips;  /* the same servers' IPs, NULL-terminated */
  size_t n;    /* live servers */
  struct live_summary summary;
  bool listed;              /* a list from the API has succeeded */
  bool from_dns;            /* the set came from the DNS fallback */
  unsigned long generation; /* bumped whenever the set changes */
};

struct server_watch;

/* Starts the thread. opts' strings must outlive the watch. */
struct server_watch *server_watch_start(const struct server_watch_opts *opts,
                                        struct dk_err *err);
void server_watch_stop(struct server_watch *w);

/* 0 on success, -1 when out of memory. */
int server_watch_snapshot(struct server_watch *w, struct live_snapshot *out);
/* The live set's generation now (bumped whenever it changes); cheap. */
unsigned long server_watch_generation(struct server_watch *w);
void live_snapshot_free(struct live_snapshot *s);

#endif
