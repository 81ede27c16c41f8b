/* lzw_fixture.c: see lzw_fixture.h. */
#include "lzw_fixture.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* Go's compress/lzw writer, LSB order, 8-bit literals. */
struct lzw_enc {
  uint16_t (*next)[256]; /* code, byte -> code (0: none) */
  unsigned width, hi, overflow;
  uint32_t bits;
  unsigned nbits;
  struct dynbuf *out;
};

static void enc_write(struct lzw_enc *e, unsigned code)
{
  e->bits |= (uint32_t)code << e->nbits;
  e->nbits += e->width;
  while (e->nbits >= 8) {
    unsigned char c = (unsigned char)e->bits;
    dynbuf_add(e->out, &c, 1);
    e->bits >>= 8;
    e->nbits -= 8;
  }
}

/* false when the table was cleared (no entry may be added) */
static bool enc_inc_hi(struct lzw_enc *e)
{
  e->hi++;
  if (e->hi == e->overflow) {
    e->width++;
    e->overflow <<= 1;
  }
  if (e->hi == 4095) {
    enc_write(e, 256);
    e->width = 9;
    e->hi = 257;
    e->overflow = 512;
    memset(e->next, 0, 4096 * sizeof(*e->next));
    return false;
  }
  return true;
}

void lzw_encode(const unsigned char *in, size_t len, struct dynbuf *out)
{
  struct lzw_enc e = {.width = 9, .hi = 257, .overflow = 512, .out = out};
  unsigned code;

  e.next = calloc(4096, sizeof(*e.next));
  ck_assert_ptr_nonnull(e.next);
  enc_write(&e, 256);
  if (len > 0) {
    code = in[0];
    for (size_t i = 1; i < len; i++) {
      if (e.next[code][in[i]]) {
        code = e.next[code][in[i]];
        continue;
      }
      enc_write(&e, code);
      if (enc_inc_hi(&e))
        e.next[code][in[i]] = (uint16_t)e.hi;
      code = in[i];
    }
    enc_write(&e, code);
    enc_inc_hi(&e);
  }
  enc_write(&e, 257);
  if (e.nbits > 0) {
    unsigned char c = (unsigned char)e.bits;
    dynbuf_add(out, &c, 1);
  }
  free(e.next);
}
