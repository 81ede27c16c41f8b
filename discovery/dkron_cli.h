/* dkron_cli.h: the `dkron raft` commands the server wrapper needs.
 *
 * The dkron binary is run from an argv (never through a shell) with a
 * deadline: `raft list-peers` and `raft remove-peer` talk gRPC to a server's
 * rpc address (pod IP:6868; 127.0.0.1 does not work, the server binds its
 * pod IP only). remove-peer only works on the leader; there is no
 * forwarding, so dkron_remove_peer_via_leader finds the leader over HTTP
 * first and retries when leadership moves.
 *
 * The output parser and the remove-peer outcome classification are pure and
 * exposed for tests.
 */
#ifndef DK_DKRON_CLI_H
#define DK_DKRON_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* One row of `dkron raft list-peers`. Strings are owned, never NULL. */
struct dkron_raft_peer {
  char *node;    /* serf name, or "(unknown)" when no member matches */
  char *id;      /* raft ServerID = node name */
  char *address; /* raft address "<ip>:<port>" */
  bool leader;   /* State == "leader" */
  bool voter;    /* Voter == "true" */
};

struct dkron_raft_peers {
  struct dkron_raft_peer *items;
  size_t n;
};

void dkron_raft_peers_free(struct dkron_raft_peers *peers);

/* The peer with this raft ID, or NULL. */
const struct dkron_raft_peer *
dkron_raft_peers_find(const struct dkron_raft_peers *peers, const char *id);

/* Parses list-peers stdout: everything before the "Node ID Address State
 * Voter" header is ignored (v3 prints "No valid config found: ..." first);
 * every non-blank line after it must be a five-column row. No header ->
 * DK_EPARSE. */
enum dk_code dkron_parse_list_peers(const char *text,
                                    struct dkron_raft_peers *out,
                                    struct dk_err *err);

/* How a remove-peer run ended when it did not fail. */
enum dkron_remove_outcome {
  DKRON_PEER_NOT_REMOVED = 0, /* set on every failure */
  DKRON_PEER_REMOVED,         /* exit 0 */
  DKRON_PEER_ALREADY_GONE,    /* "was not found in the Raft configuration" */
};

/* Classifies a finished `raft remove-peer` from its exit code and output:
 *   exit 0                                       -> DK_OK, REMOVED
 *   "... was not found in the Raft configuration" -> DK_OK, ALREADY_GONE
 *   "node is not the leader",
 *   "leadership lost while committing log"       -> DK_ENOTLEADER (retry
 *                                                   against the leader)
 *   anything else                                -> DK_EEXEC with the
 *                                                   error line
 * out_text and err_text may be NULL. */
enum dk_code dkron_classify_remove_peer(int exit_code, const char *out_text,
                                        const char *err_text,
                                        enum dkron_remove_outcome *outcome,
                                        struct dk_err *err);

/* Runs `<dkron_bin> raft list-peers --rpc-addr=<rpc_addr>`. */
enum dk_code dkron_list_peers(const char *dkron_bin, const char *rpc_addr,
                              long timeout_ms, struct dkron_raft_peers *out,
                              struct dk_err *err);

/* Runs `<dkron_bin> raft remove-peer --peer-id=<id> --rpc-addr=<addr>` and
 * classifies the result as above; a run past timeout_ms is DK_ETIMEOUT. */
enum dk_code dkron_remove_peer(const char *dkron_bin, const char *rpc_addr,
                               const char *peer_id, long timeout_ms,
                               enum dkron_remove_outcome *outcome,
                               struct dk_err *err);

struct dkron_remove_opts {
  const char *dkron_bin;        /* "dkron" (PATH) or an absolute path */
  const char *const *peer_urls; /* servers' HTTP base URLs to ask */
  size_t n_peer_urls;
  const char *peer_id;  /* the raft ID (node name) to remove */
  int attempts;         /* 0 = 5 */
  long deadline_ms;     /* whole call, 0 = 60000 */
  long http_timeout_ms; /* each /v1/leader question, 0 = 2000 */
  long cli_timeout_ms;  /* each remove-peer run, 0 = 20000 */
  long backoff_ms;      /* first pause between attempts, 0 = 500; it doubles
                           up to 5000 (a larger first pause stays as is) */
};

/* Asks the peers for the leader (GET /v1/leader, concurrently), runs
 * remove-peer against the leader's rpc_addr, and tries again while there is
 * no leader or the target was not (or stopped being) the leader, within
 * `attempts` and the deadline. Returns the last failure when all
 * attempts fail. */
enum dk_code dkron_remove_peer_via_leader(const struct dkron_remove_opts *opts,
                                          enum dkron_remove_outcome *outcome,
                                          struct dk_err *err);

#endif
