/* msgpack.c: see msgpack.h. */
#include "msgpack.h"

#include <string.h>

#define MP_FIXMAP   0x80
#define MP_FIXARRAY 0x90
#define MP_FIXSTR   0xa0
#define MP_NIL      0xc0
#define MP_FALSE    0xc2
#define MP_TRUE     0xc3
#define MP_BIN8     0xc4
#define MP_BIN16    0xc5
#define MP_BIN32    0xc6
#define MP_EXT8     0xc7
#define MP_EXT16    0xc8
#define MP_EXT32    0xc9
#define MP_FLOAT32  0xca
#define MP_FLOAT64  0xcb
#define MP_UINT8    0xcc
#define MP_UINT16   0xcd
#define MP_UINT32   0xce
#define MP_UINT64   0xcf
#define MP_INT8     0xd0
#define MP_INT16    0xd1
#define MP_INT32    0xd2
#define MP_INT64    0xd3
#define MP_FIXEXT1  0xd4
#define MP_FIXEXT16 0xd8
#define MP_STR8     0xd9
#define MP_STR16    0xda
#define MP_STR32    0xdb
#define MP_ARRAY16  0xdc
#define MP_ARRAY32  0xdd
#define MP_MAP16    0xde
#define MP_MAP32    0xdf

static void put_be(struct dynbuf *b, unsigned char tag, uint64_t v,
                   size_t width)
{
  unsigned char out[9];

  out[0] = tag;
  for (size_t i = 0; i < width; i++)
    out[1 + i] = (unsigned char)(v >> (8 * (width - 1 - i)));
  dynbuf_add(b, out, 1 + width);
}

/* A container or string head: the fix form below fix_max, else 16 or 32
 * bits. */
static void put_head(struct dynbuf *b, unsigned char fix, size_t fix_max,
                     unsigned char tag16, size_t n)
{
  unsigned char one;

  if (n <= fix_max) {
    one = (unsigned char)(fix | n);
    dynbuf_add(b, &one, 1);
  } else if (n <= 0xffff) {
    put_be(b, tag16, n, 2);
  } else {
    put_be(b, (unsigned char)(tag16 + 1), n, 4);
  }
}

void msgpack_put_map(struct dynbuf *b, size_t n)
{
  put_head(b, MP_FIXMAP, 15, MP_MAP16, n);
}

void msgpack_put_array(struct dynbuf *b, size_t n)
{
  put_head(b, MP_FIXARRAY, 15, MP_ARRAY16, n);
}

/* As go-msgpack writes them without WriteExt: no str8, no bin. */
void msgpack_put_str(struct dynbuf *b, const void *s, size_t n)
{
  put_head(b, MP_FIXSTR, 31, MP_STR16, n);
  dynbuf_add(b, s, n);
}

void msgpack_put_cstr(struct dynbuf *b, const char *s)
{
  msgpack_put_str(b, s, strlen(s));
}

void msgpack_put_uint(struct dynbuf *b, uint64_t v)
{
  unsigned char one = (unsigned char)v;

  if (v <= 0x7f)
    dynbuf_add(b, &one, 1);
  else if (v <= 0xff)
    put_be(b, MP_UINT8, v, 1);
  else if (v <= 0xffff)
    put_be(b, MP_UINT16, v, 2);
  else if (v <= 0xffffffffu)
    put_be(b, MP_UINT32, v, 4);
  else
    put_be(b, MP_UINT64, v, 8);
}

void msgpack_put_bool(struct dynbuf *b, bool v)
{
  unsigned char one = v ? MP_TRUE : MP_FALSE;

  dynbuf_add(b, &one, 1);
}

void msgpack_reader_init(struct msgpack_reader *r, const void *p, size_t len)
{
  r->p = p;
  r->len = len;
  r->pos = 0;
}

static enum dk_code truncated(struct dk_err *err)
{
  return dk_err_set(err, DK_EPARSE, "msgpack: truncated value");
}

/* The big-endian number of width bytes at pos + 1; DK_EPARSE if short. */
static enum dk_code read_be(const struct msgpack_reader *r, size_t width,
                            uint64_t *v, struct dk_err *err)
{
  if (r->len - r->pos < 1 + width)
    return truncated(err);
  *v = 0;
  for (size_t i = 0; i < width; i++)
    *v = *v << 8 | r->p[r->pos + 1 + i];
  return DK_OK;
}

static enum dk_code wrong_kind(const struct msgpack_reader *r, const char *want,
                               struct dk_err *err)
{
  return dk_err_set(err, DK_EPARSE,
                    "msgpack: expected %s at offset %zu, found 0x%02x", want,
                    r->pos, r->p[r->pos]);
}

/* A container head: fix forms with their low bits, 16/32-bit forms. */
static enum dk_code get_head(struct msgpack_reader *r, unsigned char fix,
                             unsigned char fix_mask, unsigned char tag16,
                             const char *want, size_t *n, struct dk_err *err)
{
  unsigned char c;
  uint64_t v;
  size_t width;

  if (r->pos >= r->len)
    return truncated(err);
  c = r->p[r->pos];
  if ((c & (unsigned char)~fix_mask) == fix) {
    *n = c & fix_mask;
    r->pos++;
    return DK_OK;
  }
  if (c != tag16 && c != tag16 + 1)
    return wrong_kind(r, want, err);
  width = c == tag16 ? 2 : 4;
  if (read_be(r, width, &v, err) != DK_OK)
    return err->code;
  *n = (size_t)v;
  r->pos += 1 + width;
  return DK_OK;
}

enum dk_code msgpack_get_map(struct msgpack_reader *r, size_t *n,
                             struct dk_err *err)
{
  return get_head(r, MP_FIXMAP, 0x0f, MP_MAP16, "a map", n, err);
}

enum dk_code msgpack_get_array(struct msgpack_reader *r, size_t *n,
                               struct dk_err *err)
{
  return get_head(r, MP_FIXARRAY, 0x0f, MP_ARRAY16, "an array", n, err);
}

enum dk_code msgpack_get_str(struct msgpack_reader *r, const unsigned char **s,
                             size_t *n, struct dk_err *err)
{
  unsigned char c;
  size_t head, width;
  uint64_t v = 0;

  if (r->pos >= r->len)
    return truncated(err);
  c = r->p[r->pos];
  if ((c & 0xe0) == MP_FIXSTR) {
    head = 1;
    v = c & 0x1f;
  } else if (c == MP_NIL) {
    head = 1;
  } else {
    switch (c) {
      case MP_STR8:
      case MP_BIN8:
        width = 1;
        break;
      case MP_STR16:
      case MP_BIN16:
        width = 2;
        break;
      case MP_STR32:
      case MP_BIN32:
        width = 4;
        break;
      default:
        return wrong_kind(r, "a string", err);
    }
    if (read_be(r, width, &v, err) != DK_OK)
      return err->code;
    head = 1 + width;
  }
  if (v > r->len - r->pos - head)
    return truncated(err);
  *s = r->p + r->pos + head;
  *n = (size_t)v;
  r->pos += head + (size_t)v;
  return DK_OK;
}

enum dk_code msgpack_get_uint(struct msgpack_reader *r, uint64_t *v,
                              struct dk_err *err)
{
  unsigned char c;
  size_t width;
  bool is_signed = false;

  if (r->pos >= r->len)
    return truncated(err);
  c = r->p[r->pos];
  if (c <= 0x7f) {
    *v = c;
    r->pos++;
    return DK_OK;
  }
  if (c >= MP_UINT8 && c <= MP_UINT64) {
    width = (size_t)1 << (c - MP_UINT8);
  } else if (c >= MP_INT8 && c <= MP_INT64) {
    width = (size_t)1 << (c - MP_INT8);
    is_signed = true;
  } else {
    return wrong_kind(r, "a non-negative integer", err);
  }
  if (read_be(r, width, v, err) != DK_OK)
    return err->code;
  if (is_signed && (*v >> (8 * width - 1)) & 1)
    return dk_err_set(err, DK_EPARSE, "msgpack: negative integer at offset %zu",
                      r->pos);
  r->pos += 1 + width;
  return DK_OK;
}

enum dk_code msgpack_get_bool(struct msgpack_reader *r, bool *v,
                              struct dk_err *err)
{
  if (r->pos >= r->len)
    return truncated(err);
  if (r->p[r->pos] != MP_TRUE && r->p[r->pos] != MP_FALSE)
    return wrong_kind(r, "a boolean", err);
  *v = r->p[r->pos++] == MP_TRUE;
  return DK_OK;
}

/* The size of the scalar at the cursor, or 0 with *items set to the
 * number of values a container at the cursor holds. */
static enum dk_code scalar_size(const struct msgpack_reader *r, size_t *size,
                                uint64_t *items, struct dk_err *err)
{
  unsigned char c = r->p[r->pos];
  uint64_t v;

  *size = 0;
  *items = 0;
  if (c <= 0x7f || c >= 0xe0 || c == MP_NIL || c == MP_FALSE || c == MP_TRUE) {
    *size = 1;
  } else if ((c & 0xf0) == MP_FIXMAP) {
    *items = 2u * (c & 0x0f);
  } else if ((c & 0xf0) == MP_FIXARRAY) {
    *items = c & 0x0f;
  } else if ((c & 0xe0) == MP_FIXSTR) {
    *size = 1u + (c & 0x1f);
  } else if (c == MP_BIN8 || c == MP_STR8 || c == MP_BIN16 || c == MP_STR16 ||
             c == MP_BIN32 || c == MP_STR32) {
    size_t w = c == MP_BIN8 || c == MP_STR8     ? 1
               : c == MP_BIN16 || c == MP_STR16 ? 2
                                                : 4;
    if (read_be(r, w, &v, err) != DK_OK)
      return err->code;
    *size = 1 + w + (size_t)v;
  } else if (c >= MP_EXT8 && c <= MP_EXT32) {
    size_t w = (size_t)1 << (c - MP_EXT8);
    if (read_be(r, w, &v, err) != DK_OK)
      return err->code;
    *size = 1 + w + 1 + (size_t)v;
  } else if (c == MP_FLOAT32 || c == MP_FLOAT64) {
    *size = c == MP_FLOAT32 ? 5 : 9;
  } else if (c >= MP_UINT8 && c <= MP_UINT64) {
    *size = 1 + ((size_t)1 << (c - MP_UINT8));
  } else if (c >= MP_INT8 && c <= MP_INT64) {
    *size = 1 + ((size_t)1 << (c - MP_INT8));
  } else if (c >= MP_FIXEXT1 && c <= MP_FIXEXT16) {
    *size = 2 + ((size_t)1 << (c - MP_FIXEXT1));
  } else if (c == MP_ARRAY16 || c == MP_ARRAY32 || c == MP_MAP16 ||
             c == MP_MAP32) {
    size_t w = c == MP_ARRAY16 || c == MP_MAP16 ? 2 : 4;
    if (read_be(r, w, &v, err) != DK_OK)
      return err->code;
    *items = c == MP_MAP16 || c == MP_MAP32 ? 2 * v : v;
    *size = 1 + w; /* the head; the items follow */
    return DK_OK;
  } else {
    return dk_err_set(err, DK_EPARSE, "msgpack: byte 0x%02x is not a value", c);
  }
  if (*items)
    *size = 1;
  else if (*size == 0)
    *size = 1; /* an empty fixmap or fixarray */
  return DK_OK;
}

enum dk_code msgpack_skip(struct msgpack_reader *r, struct dk_err *err)
{
  uint64_t pending[MSGPACK_MAX_DEPTH]; /* values left per open container */
  size_t depth = 0, start = r->pos;

  do {
    size_t size;
    uint64_t items;

    if (r->pos >= r->len) {
      r->pos = start;
      return truncated(err);
    }
    if (scalar_size(r, &size, &items, err) != DK_OK) {
      r->pos = start;
      return err->code;
    }
    if (size > r->len - r->pos) {
      r->pos = start;
      return truncated(err);
    }
    r->pos += size;
    /* the value just passed completes one item of the innermost container */
    if (depth > 0)
      pending[depth - 1]--;
    if (items > 0) {
      if (depth == MSGPACK_MAX_DEPTH) {
        r->pos = start;
        return dk_err_set(err, DK_EPARSE,
                          "msgpack: nested deeper than %d levels",
                          MSGPACK_MAX_DEPTH);
      }
      pending[depth++] = items;
    }
    while (depth > 0 && pending[depth - 1] == 0)
      depth--;
  } while (depth > 0);
  return DK_OK;
}

bool msgpack_key_is(const unsigned char *s, size_t n, const char *key)
{
  return strlen(key) == n && memcmp(s, key, n) == 0;
}
