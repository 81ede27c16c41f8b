/* dkron.h: a small client for the dkron server HTTP API.
 *
 * Every call is judged by its HTTP status code, never by body text (the
 * texts differ between dkron versions). A member's identity is its Name:
 * the "id" field of /v1/members is a fresh random UUID on every request and
 * is ignored.
 *
 * The client is meant for short, frequent questions ("who leads?", "am I
 * the leader?"): timeouts are short and requests are not retried unless the
 * caller asks for it; callers poll with their own deadline. A client is not
 * shared between threads; dkron_find_leader asks several servers at once,
 * each from its own thread with its own client.
 *
 * The answers' shapes and their parsers are in dkron_parse.h, which this
 * header includes.
 */
#ifndef DK_DKRON_H
#define DK_DKRON_H

#include <stdbool.h>
#include <stddef.h>

#include "dkron_parse.h"
#include "err.h"
#include "http.h"

/* What /v1/leader said. The state is always set, also on error. */
enum dkron_leader_state {
  DKRON_LEADER_ERROR = 0,   /* an answer that makes no sense (see the code) */
  DKRON_LEADER_FOUND,       /* 200: leader filled in */
  DKRON_LEADER_NONE,        /* 500 (body "null" or empty): no leader known */
  DKRON_LEADER_UNREACHABLE, /* no HTTP answer: refused, DNS, timeout */
};

#define DKRON_DEFAULT_CONNECT_TIMEOUT_MS 1000L
#define DKRON_DEFAULT_TIMEOUT_MS         3000L
#define DKRON_DEFAULT_LEAVE_TIMEOUT_MS   15000L

struct dkron_client_opts {
  long connect_timeout_ms; /* 0 = DKRON_DEFAULT_CONNECT_TIMEOUT_MS */
  long timeout_ms;         /* per request; 0 = DKRON_DEFAULT_TIMEOUT_MS */
  int max_attempts;        /* GET attempts; 0 = 1 (no retry) */
  http_stop_fn interrupt;  /* see http_client_opts; NULL = none */
  void *interrupt_user;
};

struct dkron_client;

/* base_url is "http://host:port" (https works too), without a path; a
 * trailing '/' is dropped. opts may be NULL. Returns NULL and fills err on
 * failure. */
struct dkron_client *dkron_client_new(const char *base_url,
                                      const struct dkron_client_opts *opts,
                                      struct dk_err *err);
void dkron_client_free(struct dkron_client *client);
const char *dkron_client_url(const struct dkron_client *client);

struct metric;
/* Counts the client's failed calls in errors (labels "path,error": the
 * API path and dk_code_name() of the failure, or "unexpected_status"); a
 * request the caller stopped is not a failure. NULL stops counting. */
void dkron_client_count_errors(struct dkron_client *client,
                               struct metric *errors);

/* GET /v1/leader. DK_OK with DKRON_LEADER_FOUND (leader filled, the caller
 * clears it with dkron_member_clear) or DKRON_LEADER_NONE. When the server
 * cannot be reached: DK_ECONNECT or DK_ETIMEOUT with
 * DKRON_LEADER_UNREACHABLE. Any other status or a malformed body:
 * DKRON_LEADER_ERROR with DK_EHTTP or DK_EPARSE. */
enum dk_code dkron_leader(struct dkron_client *client,
                          struct dkron_member *leader,
                          enum dkron_leader_state *state, struct dk_err *err);

/* GET /v1/isleader: 200 -> true, 404 -> false, anything else DK_EHTTP. */
enum dk_code dkron_is_leader(struct dkron_client *client, bool *is_leader,
                             struct dk_err *err);

/* GET /v1/members. The caller frees out with dkron_members_free. */
enum dk_code dkron_members(struct dkron_client *client,
                           struct dkron_members *out, struct dk_err *err);

/* GET /v1/busy: executions running anywhere in the cluster. The caller
 * frees out with dkron_executions_free. */
enum dk_code dkron_busy(struct dkron_client *client,
                        struct dkron_executions *out, struct dk_err *err);

/* POST /v1/leave: the server leaves the cluster and returns when it has
 * (the process keeps running). Never retried. timeout_ms 0 =
 * DKRON_DEFAULT_LEAVE_TIMEOUT_MS. 200 -> DK_OK, else an error. */
enum dk_code dkron_leave(struct dkron_client *client, long timeout_ms,
                         struct dk_err *err);

/* GET /health: DK_OK on 200. Only says the HTTP server is up. */
enum dk_code dkron_health(struct dkron_client *client, struct dk_err *err);

/* The outcome of asking one server for the leader. */
struct dkron_peer_leader {
  const char *url; /* the base URL asked (points into the caller's array) */
  enum dkron_leader_state state;
  struct dk_err err;          /* code DK_OK for FOUND and NONE */
  struct dkron_member leader; /* filled when state == DKRON_LEADER_FOUND */
};

/* Asks every base URL for /v1/leader at the same time, each with
 * timeout_ms as connect and total timeout, so the whole call takes about
 * one timeout however many servers stall. out must have n entries; free
 * them with dkron_peer_leaders_clear. Returns DK_OK when every server was
 * asked (whatever each one answered); an error only for bad arguments. */
enum dk_code dkron_find_leader(const char *const urls[], size_t n,
                               long timeout_ms, struct dkron_peer_leader *out,
                               struct dk_err *err);
void dkron_peer_leaders_clear(struct dkron_peer_leader *peers, size_t n);

/* The first peer that reported a leader, or NULL. */
const struct dkron_peer_leader *
dkron_peer_leaders_first(const struct dkron_peer_leader *peers, size_t n);

const char *dkron_leader_state_name(enum dkron_leader_state state);

#endif
