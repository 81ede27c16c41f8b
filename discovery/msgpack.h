/* msgpack.h: the part of MessagePack that hashicorp's Go programs speak
 * on their wires (go-msgpack's MsgpackHandle, as memberlist and raft use
 * it): structs as maps keyed by field name, strings and byte slices as
 * "raw" strings (fixstr, str16, str32; the bin types are read too), nil
 * for an empty slice, integers in their shortest form.
 *
 * The writer appends to a dynbuf; the reader walks a buffer it does not
 * own, checks every length against what is left, and never recurses
 * deeper than MSGPACK_MAX_DEPTH, so hostile bytes cost at most a parse
 * error.
 */
#ifndef DK_MSGPACK_H
#define DK_MSGPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "err.h"

#define MSGPACK_MAX_DEPTH 16

/* Each appends one value; a failure shows in the dynbuf (see dynbuf.h). */
void msgpack_put_map(struct dynbuf *b, size_t n);
void msgpack_put_array(struct dynbuf *b, size_t n);
void msgpack_put_str(struct dynbuf *b, const void *s, size_t n);
void msgpack_put_cstr(struct dynbuf *b, const char *s);
void msgpack_put_uint(struct dynbuf *b, uint64_t v);
void msgpack_put_bool(struct dynbuf *b, bool v);

struct msgpack_reader {
  const unsigned char *p;
  size_t len;
  size_t pos;
};

void msgpack_reader_init(struct msgpack_reader *r, const void *p, size_t len);

/* Each reads one value of its kind at the cursor and moves past it; on
 * DK_EPARSE (another kind, or truncated) the cursor stays where it was. */
enum dk_code msgpack_get_map(struct msgpack_reader *r, size_t *n,
                             struct dk_err *err);
enum dk_code msgpack_get_array(struct msgpack_reader *r, size_t *n,
                               struct dk_err *err);
/* A string or byte slice (str, bin or nil: nil gives n == 0). *s points
 * into the reader's buffer and is not NUL-terminated. */
enum dk_code msgpack_get_str(struct msgpack_reader *r, const unsigned char **s,
                             size_t *n, struct dk_err *err);
/* A non-negative integer of any width (a negative one is an error). */
enum dk_code msgpack_get_uint(struct msgpack_reader *r, uint64_t *v,
                              struct dk_err *err);
enum dk_code msgpack_get_bool(struct msgpack_reader *r, bool *v,
                              struct dk_err *err);
/* Skips one value of any kind, containers included. */
enum dk_code msgpack_skip(struct msgpack_reader *r, struct dk_err *err);

/* Whether the n bytes at s spell key (for matching map keys). */
bool msgpack_key_is(const unsigned char *s, size_t n, const char *key);

#endif
