/* lzw.h: decoding the LZW streams of Go's compress/lzw in LSB order with
 * 8-bit literals, the compression memberlist puts on its TCP state
 * exchange (memberlist's compressPayload, "lzwAlgo").
 *
 * The format: codes of 9 to 12 bits packed least significant bit first;
 * 256 clears the table, 257 ends the stream; the code width grows when
 * the next free code reaches 2^width, and stays at 12 bits once there
 * (the encoder sends a clear before the table would overflow).
 */
#ifndef DK_LZW_H
#define DK_LZW_H

#include <stddef.h>

#include "dynbuf.h"
#include "err.h"

/* Appends the decoded bytes of in[0..len) to out (whose cap bounds the
 * output: DK_ETOOBIG past it). DK_EPARSE on an invalid code or a stream
 * that ends without its end code. */
enum dk_code lzw_decode(const unsigned char *in, size_t len, struct dynbuf *out,
                        struct dk_err *err);

#endif
