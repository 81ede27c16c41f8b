/* dynbuf.c: see dynbuf.h. */
#include "dynbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DYNBUF_FIRST_ALLOC 128

void dynbuf_init(struct dynbuf *b, size_t max)
{
  memset(b, 0, sizeof(*b));
  b->max = max;
}

void dynbuf_free(struct dynbuf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->alloc = 0;
  b->failed = DK_OK;
}

void dynbuf_reset(struct dynbuf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
  b->failed = DK_OK;
}

static enum dk_code fail(struct dynbuf *b, enum dk_code code)
{
  dynbuf_free(b);
  b->failed = code;
  return code;
}

/* Room for n more bytes and the terminating NUL. */
static enum dk_code reserve(struct dynbuf *b, size_t n)
{
  size_t want, alloc;
  char *grown;

  if (b->failed != DK_OK)
    return b->failed;
  if (n > b->max || b->len > b->max - n)
    return fail(b, DK_ETOOBIG);
  want = b->len + n + 1;
  if (want <= b->alloc)
    return DK_OK;
  alloc = b->alloc ? b->alloc : DYNBUF_FIRST_ALLOC;
  while (alloc < want)
    alloc = alloc <= SIZE_MAX / 2 ? alloc * 2 : want;
  if (b->max < SIZE_MAX && alloc > b->max + 1)
    alloc = b->max + 1; /* want <= max + 1 always */
  grown = realloc(b->data, alloc);
  if (!grown)
    return fail(b, DK_ENOMEM);
  b->data = grown;
  b->alloc = alloc;
  return DK_OK;
}

enum dk_code dynbuf_add(struct dynbuf *b, const void *data, size_t n)
{
  enum dk_code rc = reserve(b, n);

  if (rc != DK_OK)
    return rc;
  if (n)
    memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
  return DK_OK;
}

enum dk_code dynbuf_add_trunc(struct dynbuf *b, const void *data, size_t n)
{
  size_t room = b->max > b->len ? b->max - b->len : 0;

  if (b->failed != DK_OK)
    return b->failed;
  if (n > room)
    n = room;
  return n ? dynbuf_add(b, data, n) : DK_OK;
}

enum dk_code dynbuf_adds(struct dynbuf *b, const char *s)
{
  return dynbuf_add(b, s, strlen(s));
}

enum dk_code dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  enum dk_code rc;

  if (b->failed != DK_OK)
    return b->failed;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return fail(b, DK_EINVAL);
  rc = reserve(b, (size_t)n);
  if (rc != DK_OK)
    return rc;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return DK_OK;
}

const char *dynbuf_str(const struct dynbuf *b)
{
  return b->data ? b->data : "";
}

size_t dynbuf_len(const struct dynbuf *b)
{
  return b->len;
}

char *dynbuf_take(struct dynbuf *b, size_t *len)
{
  char *data = b->failed == DK_OK ? b->data : NULL;

  if (data == NULL && b->failed == DK_OK) {
    data = calloc(1, 1); /* an empty, owned string */
    if (!data)
      b->failed = DK_ENOMEM;
  }
  if (len)
    *len = data ? b->len : 0;
  if (data == b->data)
    b->data = NULL;
  dynbuf_free(b);
  return data;
}
