/* dynbuf.h: a growable byte buffer with a size cap, in the manner of
 * curl's dynbuf.
 *
 * The buffer owns its memory and keeps it NUL-terminated, so its contents
 * can be handed to a parser that wants a C string. Once an append fails
 * (out of memory, or the cap would be passed) the buffer is freed and
 * every later append fails too, so a caller may append several pieces and
 * check once, at the end.
 */
#ifndef DK_DYNBUF_H
#define DK_DYNBUF_H

#include <stddef.h>

#include "err.h"

struct dynbuf {
  char *data;
  size_t len;
  size_t alloc;
  size_t max;          /* the contents never grow past this many bytes */
  enum dk_code failed; /* DK_OK until an append failed */
};

/* An empty buffer that holds at most max bytes (max > 0). */
void dynbuf_init(struct dynbuf *b, size_t max);
/* Frees the memory; the buffer is empty and usable again. */
void dynbuf_free(struct dynbuf *b);
/* Empties the buffer and clears a failure, keeping the memory. */
void dynbuf_reset(struct dynbuf *b);

/* DK_OK, or DK_ENOMEM / DK_ETOOBIG (then the buffer is freed). */
enum dk_code dynbuf_add(struct dynbuf *b, const void *data, size_t n);
enum dk_code dynbuf_adds(struct dynbuf *b, const char *s);
enum dk_code dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Appends as much of data as the cap leaves room for and drops the rest,
 * for output that is kept up to a size: DK_OK even when some was dropped
 * (the buffer stays usable), DK_ENOMEM when memory ran out. */
enum dk_code dynbuf_add_trunc(struct dynbuf *b, const void *data, size_t n);

/* The contents ("" when empty) and their length. */
const char *dynbuf_str(const struct dynbuf *b);
size_t dynbuf_len(const struct dynbuf *b);

/* Hands the contents to the caller (free() them) and empties the buffer;
 * NULL after a failure. *len gets the length when len is not NULL. */
char *dynbuf_take(struct dynbuf *b, size_t *len);

#endif
