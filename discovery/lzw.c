/* lzw.c: see lzw.h. */
#include "lzw.h"

#include <stdint.h>
#include <stdlib.h>

#define LIT_WIDTH    8
#define CLEAR_CODE   (1u << LIT_WIDTH)
#define EOF_CODE     (CLEAR_CODE + 1)
#define MAX_WIDTH    12
#define TABLE_SIZE   (1u << MAX_WIDTH)
#define INVALID_CODE 0xffffu

struct lzw_state {
  uint16_t prefix[TABLE_SIZE];
  uint8_t suffix[TABLE_SIZE];
  uint8_t scratch[TABLE_SIZE]; /* one code's expansion, built backwards */
  unsigned width, hi, overflow, last;
};

static void clear_table(struct lzw_state *s)
{
  s->width = LIT_WIDTH + 1;
  s->hi = EOF_CODE;
  s->overflow = 1u << s->width;
  s->last = INVALID_CODE;
}

/* The first byte of the expansion of code (a literal or a table code). */
static unsigned head_of(const struct lzw_state *s, unsigned code)
{
  while (code >= CLEAR_CODE)
    code = s->prefix[code];
  return code;
}

/* Expands code into out and records the new table entry. */
static enum dk_code expand(struct lzw_state *s, unsigned code,
                           struct dynbuf *out, struct dk_err *err)
{
  size_t i = TABLE_SIZE;
  unsigned c = code, first;

  if (code == s->hi && s->last != INVALID_CODE) {
    /* the code being defined: the last expansion plus its own head */
    s->scratch[--i] = (uint8_t)head_of(s, s->last);
    c = s->last;
  }
  while (c >= CLEAR_CODE) {
    if (i == 0)
      return dk_err_set(err, DK_EPARSE, "lzw: a code's chain loops");
    s->scratch[--i] = s->suffix[c];
    c = s->prefix[c];
  }
  if (i == 0)
    return dk_err_set(err, DK_EPARSE, "lzw: a code's chain loops");
  s->scratch[--i] = (uint8_t)c;
  first = c;
  if (dynbuf_add(out, s->scratch + i, TABLE_SIZE - i) != DK_OK)
    return dk_err_set(err, out->failed, "lzw: the output is over %zu bytes",
                      out->max);
  if (s->last != INVALID_CODE) {
    s->suffix[s->hi] = (uint8_t)first;
    s->prefix[s->hi] = (uint16_t)s->last;
  }
  return DK_OK;
}

enum dk_code lzw_decode(const unsigned char *in, size_t len, struct dynbuf *out,
                        struct dk_err *err)
{
  struct lzw_state *s = calloc(1, sizeof(*s));
  uint32_t bits = 0;
  unsigned nbits = 0;
  size_t pos = 0;
  enum dk_code rc = DK_OK;

  if (!s)
    return dk_err_set(err, DK_ENOMEM, "lzw: out of memory");
  clear_table(s);
  for (;;) {
    unsigned code;

    while (nbits < s->width) {
      if (pos == len) {
        rc = dk_err_set(err, DK_EPARSE,
                        "lzw: the stream ends without its end code");
        goto out;
      }
      bits |= (uint32_t)in[pos++] << nbits;
      nbits += 8;
    }
    code = bits & ((1u << s->width) - 1);
    bits >>= s->width;
    nbits -= s->width;
    if (code == CLEAR_CODE) {
      clear_table(s);
      continue;
    }
    if (code == EOF_CODE)
      break;
    /* code == hi is the entry being defined, or, once the table is full,
     * its last entry */
    if (code > s->hi) {
      rc = dk_err_set(err, DK_EPARSE, "lzw: invalid code %u (next free %u)",
                      code, s->hi);
      goto out;
    }
    rc = expand(s, code, out, err);
    if (rc != DK_OK)
      goto out;
    s->last = code;
    if (++s->hi >= s->overflow) {
      if (s->width == MAX_WIDTH) {
        /* full: no new entries until the encoder clears the table */
        s->last = INVALID_CODE;
        s->hi--;
      } else {
        s->width++;
        s->overflow = 1u << s->width;
      }
    }
  }
out:
  free(s);
  return rc;
}
