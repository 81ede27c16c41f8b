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

/* Making a peer hold a member as "left", the state memberlist gives a
 * member that announced its own leave (state.go deadNode: a dead message
 * from the node itself). What is sent depends on what the peer holds:
 * "left" at that incarnation, taken unless the entry is already dead or
 * left; for a dead entry, first "alive" one incarnation on at the same
 * address (as the member's own refute would be), then "left" at it. */
enum gossip_leave_need {
  GOSSIP_NOT_HELD,     /* the peer has no entry of the name */
  GOSSIP_KEPT,         /* at keep_ip: it is the live one, left alone */
  GOSSIP_ALREADY_GONE, /* left (or dead, when not reviving): nothing to do */
  GOSSIP_SEND_LEFT,    /* alive or suspect: "left" at its incarnation */
  GOSSIP_REVIVE_LEFT   /* dead: "alive" one incarnation on, then "left" */
};

/* Fills push[0..*n) (at most 2 entries, borrowing held's name, meta and
 * version bytes) for held, the peer's entry (or NULL). keep_ip: an
 * address whose entry is left alone (NULL: none); revive_dead: whether a
 * dead entry is turned into a left one. */
enum gossip_leave_need gossip_plan_leave(const struct gossip_node *held,
                                         const char *keep_ip, int revive_dead,
                                         struct gossip_node push[2], size_t *n);

struct gossip_leave_result {
  enum gossip_leave_need need;
  char old_addr[64]; /* the address the peer held, when it held one */
  unsigned old_state;
};

/* At the memberlist at peer_ip:port: reads its entry of name, sends what
 * gossip_plan_leave says, and reads again to confirm. DK_OK when the peer
 * now holds no live entry of name other than at keep_ip (res says what
 * it held); each exchange within timeout_ms. */
enum dk_code gossip_leave_at(const char *peer_ip, long port, const char *name,
                             const char *keep_ip, int revive_dead,
                             long timeout_ms, struct gossip_leave_result *res,
                             struct dk_err *err);

/* The opposite: at the memberlist at peer_ip:port, an entry of name at
 * live_ip that is not alive (suspect, dead or left, while the member
 * runs) is sent "alive" one incarnation on, with the meta and versions
 * the peer holds: the refute the member's own memberlist sends once it
 * hears of its death, for when it has not heard. *refuted says whether
 * it was needed; DK_OK when the peer now holds the entry alive (or has
 * none, or one at another address: then nothing is sent). */
enum dk_code gossip_refute_at(const char *peer_ip, long port, const char *name,
                              const char *live_ip, long timeout_ms,
                              struct gossip_leave_result *held, int *refuted,
                              struct dk_err *err);

/* Formats a node's address as text ("10.1.2.3"); "?" when malformed. */
void gossip_addr_text(const struct gossip_node *n, char *buf, size_t len);

/* Whether the node's address is the numeric IP ip (IPv4 also matches its
 * 16-byte mapped form). */
int gossip_addr_is(const struct gossip_node *n, const char *ip);

/* Whether dkron, given these extra arguments and the environment,
 * encrypts its gossip (--encrypt, DKRON_ENCRYPT): then a plain push/pull
 * is refused, and the callers leave the gossip alone. */
int gossip_dkron_encrypts(char *const *dkron_args, int n);

/* "alive", "suspect", "dead", "left" or "unknown". */
const char *gossip_state_name(unsigned state);

#endif
