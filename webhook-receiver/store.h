/* store.h: the webhook receiver's calls, kept per token in memory.
 *
 * Each token (1 to STORE_TOKEN_MAX characters of [A-Za-z0-9._-]) holds the
 * times it was called, as RFC 3339 stamps with nanoseconds and the local
 * offset ("2021-03-27T18:59:30.072822641+01:00"). Memory is bounded: at
 * most max_tokens tokens, max_stamps stamps per token and max_total stamps
 * in all; a call past a bound is refused, never half-stored. Not
 * thread-safe: the receiver holds a lock around every call.
 */
#ifndef RECEIVER_STORE_H
#define RECEIVER_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"

#define STORE_TOKEN_MAX 128
#define STORE_STAMP_LEN 35 /* 2021-03-27T18:59:30.072822641+01:00 */

struct store_limits {
  size_t max_tokens;
  size_t max_stamps; /* per token */
  size_t max_total;  /* stamps in all */
};

enum store_result {
  STORE_OK = 0,
  STORE_BAD_TOKEN, /* empty, too long, or a character outside the set */
  STORE_TOO_MANY_TOKENS,
  STORE_TOKEN_FULL, /* this token has max_stamps stamps */
  STORE_FULL,       /* max_total stamps in all */
  STORE_NOMEM
};

struct store;

struct store *store_new(const struct store_limits *limits);
void store_free(struct store *s); /* NULL is fine */

bool store_token_valid(const char *token);
/* Whether c is of the token alphabet. */
bool store_token_char(char c);

/* Adds one stamp to token's list (the token is made on its first call). */
enum store_result store_add(struct store *s, const char *token,
                            const char *stamp);

/* Appends {"token":["stamp",...],...} (tokens in the order they first
 * came). DK_ETOOBIG or DK_ENOMEM from the buffer. */
enum dk_code store_render(const struct store *s, struct dynbuf *out);

void store_clear(struct store *s);
size_t store_tokens(const struct store *s);
size_t store_stamps(const struct store *s); /* in all */

const char *store_result_text(enum store_result r);

/* Now as an RFC 3339 stamp with nanoseconds and the local offset, in out
 * (at least STORE_STAMP_LEN + 1 bytes). */
void store_stamp_now(char *out, size_t len);

#endif
