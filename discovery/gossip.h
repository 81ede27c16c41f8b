/* gossip.h: memberlist's TCP state exchange ("push/pull"), the one
 * message of Serf's gossip layer the server wrapper speaks itself.
 *
 * dkron's Serf runs on hashicorp/memberlist (v0.5.4 in dkron v4.0.9). A
 * push/pull is how memberlist nodes compare their member tables: the
 * caller sends its table, the peer answers with its own, then merges the
 * caller's (memberlist net.go: handleConn, readRemoteState,
 * sendLocalState, mergeRemoteState; state.go: mergeState). With join
 * false and no user state the peer's Serf is not involved: only the
 * member table is read and merged.
 *
 * The wrapper uses it to learn what a peer holds under our node name (its
 * address, incarnation and state), and to tell it that the incarnation
 * at the old address has left (see server-wrapper/reclaim.h for why).
 *
 * Wire format (no label, no encryption: dkron sets neither unless its
 * --encrypt is given):
 *   request  byte pushPullMsg (6), msgpack map {Nodes, UserStateLen: 0,
 *            Join: false}, then Nodes maps {Name, Addr, Port, Meta,
 *            Incarnation, State, Vsn}
 *   answer   the same shape with the peer's table and its Serf state as
 *            user state, either plain or wrapped as byte compressMsg (9)
 *            + map {Algo: 0 (LZW), Buf: bytes} (lzw.h); an errMsg (13)
 *            + map {Error} when the peer refused the request; then the
 *            peer closes the connection.
 */
#ifndef DK_GOSSIP_H
#define DK_GOSSIP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* memberlist's NodeStateType */
enum gossip_node_state {
  GOSSIP_ALIVE = 0,
  GOSSIP_SUSPECT = 1,
  GOSSIP_DEAD = 2,
  GOSSIP_LEFT = 3
};

#define GOSSIP_ADDR_MAX 16
#define GOSSIP_VSN_LEN  6 /* protocol min, max, cur; delegate min, max, cur */

struct gossip_node {
  char *name;
  unsigned char addr[GOSSIP_ADDR_MAX]; /* 4 or 16 bytes, as memberlist has it */
  size_t addr_len;
  uint16_t port;
  unsigned char *meta; /* Serf's encoded tags; may be NULL */
  size_t meta_len;
  uint32_t incarnation;
  unsigned state; /* enum gossip_node_state */
  unsigned char vsn[GOSSIP_VSN_LEN];
  size_t vsn_len;
};

struct gossip_table {
  struct gossip_node *nodes;
  size_t n;
};

/* One push/pull with the memberlist at ip:port within timeout_ms: sends
 * push[0..n_push) (n_push may be 0: a pure read) and parses the peer's
 * table into out (free it with gossip_table_free). */
enum dk_code gossip_push_pull(const char *ip, long port,
                              const struct gossip_node *push, size_t n_push,
                              long timeout_ms, struct gossip_table *out,
                              struct dk_err *err);

/* The request bytes of a push/pull of nodes (for tests); the caller
 * frees *out. */
enum dk_code gossip_encode_push_pull(const struct gossip_node *nodes, size_t n,
                                     unsigned char **out, size_t *len,
                                     struct dk_err *err);

/* Parses an answer (plain, compressed or an error message). */
enum dk_code gossip_parse_answer(const unsigned char *buf, size_t len,
                                 struct gossip_table *out, struct dk_err *err);

void gossip_table_free(struct gossip_table *t);

/* The entry named name, or NULL. */
const struct gossip_node *gossip_find(const struct gossip_table *t,
                                      const char *name);

/* Formats a node's address as text ("10.1.2.3"); "?" when malformed. */
void gossip_addr_text(const struct gossip_node *n, char *buf, size_t len);

/* Whether the node's address is the numeric IP ip (IPv4 also matches its
 * 16-byte mapped form). */
int gossip_addr_is(const struct gossip_node *n, const char *ip);

/* "alive", "suspect", "dead", "left" or "unknown". */
const char *gossip_state_name(unsigned state);

#endif
