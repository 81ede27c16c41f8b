/* gossip.c: see gossip.h. */
#include "gossip.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "dynbuf.h"
#include "lzw.h"
#include "msgpack.h"
#include "tcp.h"

#define MSG_PUSH_PULL 6
#define MSG_COMPRESS  9
#define MSG_ENCRYPT   10
#define MSG_ERROR     13
#define ALGO_LZW      0
/* A table of a few thousand members is well under these. */
#define ANSWER_MAX       (4u << 20)
#define DECOMPRESSED_MAX (16u << 20)
#define NAME_MAX_LEN     512
#define REQUEST_MAX      (64u << 10)

static void put_node(struct dynbuf *b, const struct gossip_node *n)
{
  msgpack_put_map(b, 7);
  msgpack_put_cstr(b, "Name");
  msgpack_put_cstr(b, n->name);
  msgpack_put_cstr(b, "Addr");
  msgpack_put_str(b, n->addr, n->addr_len);
  msgpack_put_cstr(b, "Port");
  msgpack_put_uint(b, n->port);
  msgpack_put_cstr(b, "Meta");
  msgpack_put_str(b, n->meta, n->meta_len);
  msgpack_put_cstr(b, "Incarnation");
  msgpack_put_uint(b, n->incarnation);
  msgpack_put_cstr(b, "State");
  msgpack_put_uint(b, n->state);
  msgpack_put_cstr(b, "Vsn");
  msgpack_put_str(b, n->vsn, n->vsn_len);
}

enum dk_code gossip_encode_push_pull(const struct gossip_node *nodes, size_t n,
                                     unsigned char **out, size_t *len,
                                     struct dk_err *err)
{
  static const unsigned char type = MSG_PUSH_PULL;
  struct dynbuf b;

  dynbuf_init(&b, REQUEST_MAX);
  dynbuf_add(&b, &type, 1);
  msgpack_put_map(&b, 3);
  msgpack_put_cstr(&b, "Nodes");
  msgpack_put_uint(&b, n);
  msgpack_put_cstr(&b, "UserStateLen");
  msgpack_put_uint(&b, 0);
  msgpack_put_cstr(&b, "Join");
  msgpack_put_bool(&b, false);
  for (size_t i = 0; i < n; i++)
    put_node(&b, &nodes[i]);
  *out = (unsigned char *)dynbuf_take(&b, len);
  if (!*out)
    return dk_err_set(err, DK_ENOMEM, "cannot encode the push/pull request");
  return DK_OK;
}

void gossip_table_free(struct gossip_table *t)
{
  for (size_t i = 0; i < t->n; i++) {
    free(t->nodes[i].name);
    free(t->nodes[i].meta);
  }
  free(t->nodes);
  t->nodes = NULL;
  t->n = 0;
}

static enum dk_code get_u32(struct msgpack_reader *r, uint64_t max, uint64_t *v,
                            const char *field, struct dk_err *err)
{
  if (msgpack_get_uint(r, v, err) != DK_OK)
    return dk_err_prefix(err, "field %s", field);
  if (*v > max)
    return dk_err_set(err, DK_EPARSE, "field %s: %llu is out of range", field,
                      (unsigned long long)*v);
  return DK_OK;
}

static enum dk_code get_bytes(struct msgpack_reader *r, unsigned char *dst,
                              size_t cap, size_t *len, const char *field,
                              struct dk_err *err)
{
  const unsigned char *s;
  size_t n;

  if (msgpack_get_str(r, &s, &n, err) != DK_OK)
    return dk_err_prefix(err, "field %s", field);
  if (n > cap)
    return dk_err_set(err, DK_EPARSE, "field %s: %zu bytes, at most %zu", field,
                      n, cap);
  memcpy(dst, s, n);
  *len = n;
  return DK_OK;
}

static enum dk_code get_node(struct msgpack_reader *r, struct gossip_node *node,
                             struct dk_err *err)
{
  size_t fields;
  uint64_t v;

  memset(node, 0, sizeof(*node));
  if (msgpack_get_map(r, &fields, err) != DK_OK)
    return err->code;
  for (size_t i = 0; i < fields; i++) {
    const unsigned char *key, *s;
    size_t klen, n;
    enum dk_code rc = DK_OK;

    if (msgpack_get_str(r, &key, &klen, err) != DK_OK)
      return err->code;
    if (msgpack_key_is(key, klen, "Name")) {
      rc = msgpack_get_str(r, &s, &n, err);
      if (rc == DK_OK && (n == 0 || n > NAME_MAX_LEN || memchr(s, 0, n)))
        rc = dk_err_set(err, DK_EPARSE,
                        "a member name is empty, over %d "
                        "bytes or holds a NUL",
                        NAME_MAX_LEN);
      if (rc == DK_OK) {
        free(node->name);
        node->name = strndup((const char *)s, n);
        if (!node->name)
          rc = dk_err_set(err, DK_ENOMEM, "out of memory");
      }
    } else if (msgpack_key_is(key, klen, "Addr")) {
      rc = get_bytes(r, node->addr, sizeof(node->addr), &node->addr_len, "Addr",
                     err);
    } else if (msgpack_key_is(key, klen, "Port")) {
      rc = get_u32(r, UINT16_MAX, &v, "Port", err);
      node->port = (uint16_t)v;
    } else if (msgpack_key_is(key, klen, "Meta")) {
      rc = msgpack_get_str(r, &s, &n, err);
      if (rc == DK_OK && n > 0) {
        free(node->meta);
        node->meta = malloc(n);
        if (!node->meta)
          rc = dk_err_set(err, DK_ENOMEM, "out of memory");
        else
          memcpy(node->meta, s, n);
        node->meta_len = node->meta ? n : 0;
      }
    } else if (msgpack_key_is(key, klen, "Incarnation")) {
      rc = get_u32(r, UINT32_MAX, &v, "Incarnation", err);
      node->incarnation = (uint32_t)v;
    } else if (msgpack_key_is(key, klen, "State")) {
      rc = get_u32(r, GOSSIP_LEFT, &v, "State", err);
      node->state = (unsigned)v;
    } else if (msgpack_key_is(key, klen, "Vsn")) {
      rc =
        get_bytes(r, node->vsn, sizeof(node->vsn), &node->vsn_len, "Vsn", err);
    } else {
      rc = msgpack_skip(r, err);
    }
    if (rc != DK_OK)
      return err->code;
  }
  if (!node->name)
    return dk_err_set(err, DK_EPARSE, "a member has no Name");
  return DK_OK;
}

/* The push/pull message after its type byte. */
static enum dk_code parse_push_pull(struct msgpack_reader *r,
                                    struct gossip_table *out,
                                    struct dk_err *err)
{
  size_t fields, cap;
  uint64_t nodes = 0, v;

  if (msgpack_get_map(r, &fields, err) != DK_OK)
    return dk_err_prefix(err, "push/pull header");
  for (size_t i = 0; i < fields; i++) {
    const unsigned char *key;
    size_t klen;

    if (msgpack_get_str(r, &key, &klen, err) != DK_OK)
      return dk_err_prefix(err, "push/pull header");
    if (msgpack_key_is(key, klen, "Nodes")) {
      if (get_u32(r, UINT32_MAX, &nodes, "Nodes", err) != DK_OK)
        return err->code;
    } else if (msgpack_key_is(key, klen, "UserStateLen")) {
      if (get_u32(r, UINT32_MAX, &v, "UserStateLen", err) != DK_OK)
        return err->code;
    } else if (msgpack_skip(r, err) != DK_OK) {
      return err->code;
    }
  }
  /* every node takes several bytes: a count the bytes cannot hold is a
   * lie, not a reason to allocate */
  if (nodes > (r->len - r->pos) / 8)
    return dk_err_set(err, DK_EPARSE,
                      "the header announces %llu members in %zu bytes",
                      (unsigned long long)nodes, r->len - r->pos);
  cap = (size_t)nodes;
  out->nodes = cap ? calloc(cap, sizeof(*out->nodes)) : NULL;
  if (cap && !out->nodes)
    return dk_err_set(err, DK_ENOMEM, "out of memory");
  for (size_t i = 0; i < cap; i++) {
    if (get_node(r, &out->nodes[i], err) != DK_OK) {
      free(out->nodes[i].name);
      free(out->nodes[i].meta);
      return dk_err_prefix(err, "member %zu of %zu", i + 1, cap);
    }
    out->n = i + 1;
  }
  return DK_OK; /* the user state (Serf's) that follows is not needed */
}

static enum dk_code parse_error(struct msgpack_reader *r, struct dk_err *err)
{
  size_t fields;
  const unsigned char *key, *s;
  size_t klen, n;

  if (msgpack_get_map(r, &fields, err) == DK_OK) {
    for (size_t i = 0; i < fields; i++) {
      if (msgpack_get_str(r, &key, &klen, err) != DK_OK)
        break;
      if (msgpack_key_is(key, klen, "Error") &&
          msgpack_get_str(r, &s, &n, err) == DK_OK)
        return dk_err_set(err, DK_EEXEC,
                          "the peer refused the push/pull: "
                          "%.*s",
                          (int)(n > 200 ? 200 : n), (const char *)s);
      if (msgpack_skip(r, err) != DK_OK)
        break;
    }
  }
  return dk_err_set(err, DK_EEXEC, "the peer refused the push/pull");
}

/* A compressMsg body: {Algo, Buf}; the decoded bytes go to plain. */
static enum dk_code decompress(struct msgpack_reader *r, struct dynbuf *plain,
                               struct dk_err *err)
{
  size_t fields, n = 0, klen;
  const unsigned char *key, *buf = NULL;
  uint64_t algo = ALGO_LZW;

  if (msgpack_get_map(r, &fields, err) != DK_OK)
    return dk_err_prefix(err, "compressed answer");
  for (size_t i = 0; i < fields; i++) {
    enum dk_code rc;

    if (msgpack_get_str(r, &key, &klen, err) != DK_OK)
      return dk_err_prefix(err, "compressed answer");
    if (msgpack_key_is(key, klen, "Algo"))
      rc = msgpack_get_uint(r, &algo, err);
    else if (msgpack_key_is(key, klen, "Buf"))
      rc = msgpack_get_str(r, &buf, &n, err);
    else
      rc = msgpack_skip(r, err);
    if (rc != DK_OK)
      return dk_err_prefix(err, "compressed answer");
  }
  if (algo != ALGO_LZW)
    return dk_err_set(err, DK_EPARSE, "compression algorithm %llu is not LZW",
                      (unsigned long long)algo);
  if (!buf)
    return dk_err_set(err, DK_EPARSE, "compressed answer without Buf");
  return lzw_decode(buf, n, plain, err);
}

enum dk_code gossip_parse_answer(const unsigned char *buf, size_t len,
                                 struct gossip_table *out, struct dk_err *err)
{
  struct msgpack_reader r;
  struct dynbuf plain;
  enum dk_code rc;

  memset(out, 0, sizeof(*out));
  if (len == 0)
    return dk_err_set(err, DK_EPARSE,
                      "the peer closed the connection without an answer (does "
                      "its gossip use a label?)");
  if (buf[0] == MSG_ENCRYPT)
    return dk_err_set(err, DK_EPARSE,
                      "the peer's gossip is encrypted (dkron --encrypt)");
  if (buf[0] == MSG_ERROR) {
    msgpack_reader_init(&r, buf + 1, len - 1);
    return parse_error(&r, err);
  }
  if (buf[0] == MSG_PUSH_PULL) {
    msgpack_reader_init(&r, buf + 1, len - 1);
    rc = parse_push_pull(&r, out, err);
    if (rc != DK_OK)
      gossip_table_free(out);
    return rc;
  }
  if (buf[0] != MSG_COMPRESS)
    return dk_err_set(err, DK_EPARSE,
                      "not a memberlist push/pull answer (first byte 0x%02x)",
                      buf[0]);
  dynbuf_init(&plain, DECOMPRESSED_MAX);
  msgpack_reader_init(&r, buf + 1, len - 1);
  rc = decompress(&r, &plain, err);
  if (rc == DK_OK && dynbuf_len(&plain) > 0 &&
      (unsigned char)plain.data[0] != MSG_COMPRESS)
    rc = gossip_parse_answer((const unsigned char *)plain.data,
                             dynbuf_len(&plain), out, err);
  else if (rc == DK_OK)
    rc = dk_err_set(err, DK_EPARSE,
                    "the compressed answer is empty or "
                    "compressed twice");
  dynbuf_free(&plain);
  return rc;
}

enum dk_code gossip_push_pull(const char *ip, long port,
                              const struct gossip_node *push, size_t n_push,
                              long timeout_ms, struct gossip_table *out,
                              struct dk_err *err)
{
  long long deadline = clock_ms() + timeout_ms;
  unsigned char *req = NULL;
  size_t req_len = 0;
  struct dynbuf answer;
  enum dk_code rc;
  int fd;

  memset(out, 0, sizeof(*out));
  rc = gossip_encode_push_pull(push, n_push, &req, &req_len, err);
  if (rc != DK_OK)
    return rc;
  fd = tcp_connect(ip, port, deadline, "memberlist", err);
  if (fd < 0) {
    free(req);
    return err->code;
  }
  dynbuf_init(&answer, ANSWER_MAX);
  rc = tcp_send_all(fd, req, req_len, deadline, err);
  if (rc == DK_OK)
    rc = tcp_read_to_close(fd, &answer, deadline, err);
  close(fd);
  free(req);
  if (rc == DK_OK)
    rc = gossip_parse_answer((const unsigned char *)dynbuf_str(&answer),
                             dynbuf_len(&answer), out, err);
  dynbuf_free(&answer);
  if (rc != DK_OK)
    dk_err_prefix(err, "push/pull with %s:%ld", ip, port);
  return rc;
}

const struct gossip_node *gossip_find(const struct gossip_table *t,
                                      const char *name)
{
  for (size_t i = 0; i < t->n; i++) {
    if (strcmp(t->nodes[i].name, name) == 0)
      return &t->nodes[i];
  }
  return NULL;
}

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};

static bool is_v4(const struct gossip_node *n)
{
  return n->addr_len == 4 ||
         (n->addr_len == 16 && memcmp(n->addr, v4_mapped, 12) == 0);
}

void gossip_addr_text(const struct gossip_node *n, char *buf, size_t len)
{
  if (is_v4(n)) {
    if (inet_ntop(AF_INET, n->addr + (n->addr_len == 16 ? 12 : 0), buf,
                  (socklen_t)len))
      return;
  } else if (n->addr_len == 16 &&
             inet_ntop(AF_INET6, n->addr, buf, (socklen_t)len)) {
    return;
  }
  snprintf(buf, len, "?");
}

int gossip_addr_is(const struct gossip_node *n, const char *ip)
{
  unsigned char want[16];

  if (inet_pton(AF_INET, ip, want) == 1)
    return is_v4(n) &&
           memcmp(n->addr + (n->addr_len == 16 ? 12 : 0), want, 4) == 0;
  if (inet_pton(AF_INET6, ip, want) == 1)
    return !is_v4(n) && n->addr_len == 16 && memcmp(n->addr, want, 16) == 0;
  return 0;
}

enum gossip_leave_need gossip_plan_leave(const struct gossip_node *held,
                                         const char *keep_ip, int revive_dead,
                                         struct gossip_node push[2], size_t *n)
{
  *n = 0;
  if (!held)
    return GOSSIP_NOT_HELD;
  if (keep_ip && gossip_addr_is(held, keep_ip))
    return GOSSIP_KEPT;
  if (held->state == GOSSIP_LEFT)
    return GOSSIP_ALREADY_GONE;
  if (held->state == GOSSIP_DEAD) {
    /* one incarnation on is impossible at the top; the purge frees it */
    if (!revive_dead || held->incarnation == UINT32_MAX)
      return GOSSIP_ALREADY_GONE;
    push[0] = *held;
    push[0].state = GOSSIP_ALIVE;
    push[0].incarnation = held->incarnation + 1;
    push[1] = push[0];
    push[1].state = GOSSIP_LEFT;
    *n = 2;
    return GOSSIP_REVIVE_LEFT;
  }
  push[0] = *held;
  push[0].state = GOSSIP_LEFT;
  *n = 1;
  return GOSSIP_SEND_LEFT;
}

/* Whether t no longer holds a live entry of name other than at keep_ip. */
static int let_go(const struct gossip_table *t, const char *name,
                  const char *keep_ip, int revive_dead)
{
  const struct gossip_node *held = gossip_find(t, name);

  return !held || held->state == GOSSIP_LEFT ||
         (held->state == GOSSIP_DEAD && !revive_dead) ||
         (keep_ip && gossip_addr_is(held, keep_ip));
}

/* Pushes n entries to the peer, then reads its table again into *after:
 * the peer merges after it answered, before it closes, so the second read
 * sees the merge. */
static enum dk_code push_and_read_back(const char *peer_ip, long port,
                                       const struct gossip_node *push, size_t n,
                                       long timeout_ms,
                                       struct gossip_table *after,
                                       struct dk_err *err)
{
  enum dk_code rc =
    gossip_push_pull(peer_ip, port, push, n, timeout_ms, after, err);

  if (rc != DK_OK)
    return rc;
  gossip_table_free(after);
  return gossip_push_pull(peer_ip, port, NULL, 0, timeout_ms, after, err);
}

/* What the peer held under the name (NULL: nothing), into res. */
static void note_held(const struct gossip_node *held,
                      struct gossip_leave_result *res)
{
  if (!held)
    return;
  gossip_addr_text(held, res->old_addr, sizeof(res->old_addr));
  res->old_state = held->state;
}

enum dk_code gossip_leave_at(const char *peer_ip, long port, const char *name,
                             const char *keep_ip, int revive_dead,
                             long timeout_ms, struct gossip_leave_result *res,
                             struct dk_err *err)
{
  struct gossip_table before, after;
  struct gossip_node push[2];
  const struct gossip_node *held;
  enum dk_code rc;
  size_t n;

  memset(res, 0, sizeof(*res));
  rc = gossip_push_pull(peer_ip, port, NULL, 0, timeout_ms, &before, err);
  if (rc != DK_OK)
    return rc;
  held = gossip_find(&before, name);
  res->need = gossip_plan_leave(held, keep_ip, revive_dead, push, &n);
  note_held(held, res);
  if (n > 0) {
    rc = push_and_read_back(peer_ip, port, push, n, timeout_ms, &after, err);
    if (rc == DK_OK) {
      if (!let_go(&after, name, keep_ip, revive_dead)) {
        held = gossip_find(&after, name);
        rc = dk_err_set(
          err, DK_EEXEC, "%s:%ld still holds %s %s at incarnation %u", peer_ip,
          port, name, gossip_state_name(held->state), held->incarnation);
      }
      gossip_table_free(&after);
    }
  }
  gossip_table_free(&before);
  return rc;
}

enum dk_code gossip_refute_at(const char *peer_ip, long port, const char *name,
                              const char *live_ip, long timeout_ms,
                              struct gossip_leave_result *res, int *refuted,
                              struct dk_err *err)
{
  struct gossip_table before, after;
  const struct gossip_node *held;
  struct gossip_node push;
  enum dk_code rc;

  *refuted = 0;
  memset(res, 0, sizeof(*res));
  rc = gossip_push_pull(peer_ip, port, NULL, 0, timeout_ms, &before, err);
  if (rc != DK_OK)
    return rc;
  held = gossip_find(&before, name);
  res->need = held ? GOSSIP_KEPT : GOSSIP_NOT_HELD;
  note_held(held, res);
  if (held && held->state != GOSSIP_ALIVE && gossip_addr_is(held, live_ip) &&
      held->incarnation < UINT32_MAX) {
    push = *held;
    push.state = GOSSIP_ALIVE;
    push.incarnation = held->incarnation + 1;
    rc = push_and_read_back(peer_ip, port, &push, 1, timeout_ms, &after, err);
    if (rc == DK_OK) {
      held = gossip_find(&after, name);
      if (held && held->state != GOSSIP_ALIVE)
        rc = dk_err_set(err, DK_EEXEC, "%s:%ld still holds %s %s", peer_ip,
                        port, name, gossip_state_name(held->state));
      gossip_table_free(&after);
    }
    *refuted = rc == DK_OK;
  }
  gossip_table_free(&before);
  return rc;
}

int gossip_dkron_encrypts(char *const *dkron_args, int n)
{
  const char *env = getenv("DKRON_ENCRYPT");

  if (env && *env)
    return 1;
  for (int i = 0; i < n; i++) {
    if (strcmp(dkron_args[i], "--encrypt") == 0 ||
        strncmp(dkron_args[i], "--encrypt=", 10) == 0)
      return 1;
  }
  return 0;
}

const char *gossip_state_name(unsigned state)
{
  switch (state) {
    case GOSSIP_ALIVE:
      return "alive";
    case GOSSIP_SUSPECT:
      return "suspect";
    case GOSSIP_DEAD:
      return "dead";
    case GOSSIP_LEFT:
      return "left";
  }
  return "unknown";
}
