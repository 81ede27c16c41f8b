/* lzw_fixture.h: an LZW encoder that follows Go's compress/lzw writer
 * (LSB order, 8-bit literals: a clear code first, the width growing when
 * the next code reaches 2^width, a clear when it would be 4095), to make
 * the streams memberlist sends for the decoder's and the gossip tests. */
#ifndef TESTS_LZW_FIXTURE_H
#define TESTS_LZW_FIXTURE_H

#include <stddef.h>

#include "dynbuf.h"

void lzw_encode(const unsigned char *in, size_t len, struct dynbuf *out);

#endif
