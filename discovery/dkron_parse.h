/* dkron_parse.h: dkron's HTTP API answers as C structs, and their
 * parsers (dkron.h includes it).
 *
 * Parsers are exposed separately so that they can be tested on the exact
 * shapes dkron returns.
 */
#ifndef DK_DKRON_PARSE_H
#define DK_DKRON_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* serf member status as dkron reports it in "Status". */
enum dkron_member_status {
  DKRON_NONE = 0,
  DKRON_ALIVE = 1,
  DKRON_LEAVING = 2,
  DKRON_LEFT = 3,
  DKRON_FAILED = 4
};

/* One serf member. After a successful parse no string is NULL (a missing
 * field is ""). */
struct dkron_member {
  char *name;     /* Name: the node name, the member's identity */
  char *addr;     /* Addr: serf IP */
  int port;       /* Port: serf port (8946) */
  int status;     /* Status: enum dkron_member_status */
  bool server;    /* Tags.server == "true" */
  char *rpc_addr; /* Tags.rpc_addr: "<ip>:<rpc port>", "" until published */
  char *role;     /* Tags.role ("dkron") */
};

struct dkron_members {
  struct dkron_member *items;
  size_t n;
};

/* One running execution from /v1/busy. Strings are never NULL. */
struct dkron_execution {
  char *job_name;
  char *node_name;
  char *started_at; /* RFC 3339 text as dkron sent it */
};

struct dkron_executions {
  struct dkron_execution *items;
  size_t n;
};

/* Parsers, exposed for tests. body[len] must be '\0', as HTTP response
 * bodies are (see json.h). */
enum dk_code dkron_parse_members(const char *body, size_t len,
                                 struct dkron_members *out, struct dk_err *err);
/* A /v1/leader body: "null" or empty -> *found = false. */
enum dk_code dkron_parse_leader(const char *body, size_t len,
                                struct dkron_member *leader, bool *found,
                                struct dk_err *err);
enum dk_code dkron_parse_busy(const char *body, size_t len,
                              struct dkron_executions *out, struct dk_err *err);

void dkron_member_clear(struct dkron_member *m);
void dkron_members_free(struct dkron_members *members);
void dkron_executions_free(struct dkron_executions *execs);

/* The member called name, or NULL. */
const struct dkron_member *dkron_members_find(const struct dkron_members *ms,
                                              const char *name);

/* How many executions are running on node_name. */
size_t dkron_executions_on_node(const struct dkron_executions *execs,
                                const char *node_name);

/* "alive", "leaving", "left", "failed", "none" or "unknown". */
const char *dkron_status_name(int status);

#endif
