/* store.c: see store.h. Tokens live in an array (their order of arrival)
 * indexed by an open-addressing hash table; each token's stamps are one
 * growable array of fixed-size strings. */
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct token {
  char name[STORE_TOKEN_MAX + 1];
  char (*stamps)[STORE_STAMP_LEN + 1];
  size_t n, cap;
};

struct store {
  struct store_limits limits;
  struct token *tokens; /* in order of arrival */
  size_t n_tokens, cap_tokens;
  size_t *slots;  /* hash table: index + 1 into tokens, 0 = empty */
  size_t n_slots; /* a power of two, at least twice n_tokens */
  size_t total;
};

struct store *store_new(const struct store_limits *limits)
{
  struct store *s = calloc(1, sizeof(*s));

  if (s)
    s->limits = *limits;
  return s;
}

void store_clear(struct store *s)
{
  for (size_t i = 0; i < s->n_tokens; i++)
    free(s->tokens[i].stamps);
  free(s->tokens);
  free(s->slots);
  s->tokens = NULL;
  s->slots = NULL;
  s->n_tokens = s->cap_tokens = s->n_slots = 0;
  s->total = 0;
}

void store_free(struct store *s)
{
  if (!s)
    return;
  store_clear(s);
  free(s);
}

bool store_token_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool store_token_valid(const char *t)
{
  size_t n = 0;

  for (; t[n]; n++) {
    if (n == STORE_TOKEN_MAX || !store_token_char(t[n]))
      return false;
  }
  return n > 0;
}

static uint64_t hash(const char *t)
{
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */

  for (; *t; t++)
    h = (h ^ (unsigned char)*t) * 1099511628211ULL;
  return h;
}

/* The slot holding token t, or the empty slot where it would go. */
static size_t *slot_of(const struct store *s, const char *t)
{
  size_t mask = s->n_slots - 1, i = (size_t)hash(t) & mask;

  while (s->slots[i] && strcmp(s->tokens[s->slots[i] - 1].name, t) != 0)
    i = (i + 1) & mask;
  return &s->slots[i];
}

/* Doubles the table (rehashing every token); false when out of memory. */
static bool grow_slots(struct store *s)
{
  size_t n = s->n_slots ? s->n_slots * 2 : 64;
  size_t *old = s->slots;

  s->slots = calloc(n, sizeof(*s->slots));
  if (!s->slots) {
    s->slots = old;
    return false;
  }
  free(old);
  s->n_slots = n;
  for (size_t i = 0; i < s->n_tokens; i++)
    *slot_of(s, s->tokens[i].name) = i + 1;
  return true;
}

static struct token *find_or_add(struct store *s, const char *t,
                                 enum store_result *res)
{
  size_t *slot;
  struct token *tok;

  if (s->n_slots && *(slot = slot_of(s, t)))
    return &s->tokens[*slot - 1];
  if (s->n_tokens == s->limits.max_tokens) {
    *res = STORE_TOO_MANY_TOKENS;
    return NULL;
  }
  if ((s->n_tokens + 1) * 2 > s->n_slots && !grow_slots(s))
    return NULL;
  if (s->n_tokens == s->cap_tokens) {
    size_t cap = s->cap_tokens ? s->cap_tokens * 2 : 16;
    struct token *grown = realloc(s->tokens, cap * sizeof(*grown));
    if (!grown)
      return NULL;
    s->tokens = grown;
    s->cap_tokens = cap;
  }
  tok = &s->tokens[s->n_tokens];
  memset(tok, 0, sizeof(*tok));
  snprintf(tok->name, sizeof(tok->name), "%s", t);
  *slot_of(s, t) = ++s->n_tokens;
  return tok;
}

enum store_result store_add(struct store *s, const char *token,
                            const char *stamp)
{
  enum store_result res = STORE_NOMEM;
  struct token *tok;

  if (!store_token_valid(token))
    return STORE_BAD_TOKEN;
  if (s->total == s->limits.max_total)
    return STORE_FULL;
  tok = find_or_add(s, token, &res);
  if (!tok)
    return res;
  if (tok->n == s->limits.max_stamps)
    return STORE_TOKEN_FULL;
  if (tok->n == tok->cap) {
    size_t cap = tok->cap ? tok->cap * 2 : 64;
    void *grown = realloc(tok->stamps, cap * sizeof(*tok->stamps));
    if (!grown)
      return STORE_NOMEM;
    tok->stamps = grown;
    tok->cap = cap;
  }
  snprintf(tok->stamps[tok->n++], STORE_STAMP_LEN + 1, "%s", stamp);
  s->total++;
  return STORE_OK;
}

enum dk_code store_render(const struct store *s, struct dynbuf *out)
{
  dynbuf_adds(out, "{");
  for (size_t i = 0; i < s->n_tokens; i++) {
    const struct token *t = &s->tokens[i];

    /* tokens and stamps hold no character JSON would escape */
    dynbuf_addf(out, "%s\"%s\":[", i ? "," : "", t->name);
    for (size_t j = 0; j < t->n; j++)
      dynbuf_addf(out, "%s\"%s\"", j ? "," : "", t->stamps[j]);
    dynbuf_adds(out, "]");
  }
  dynbuf_adds(out, "}");
  return out->failed;
}

size_t store_tokens(const struct store *s)
{
  return s->n_tokens;
}

size_t store_stamps(const struct store *s)
{
  return s->total;
}

const char *store_result_text(enum store_result r)
{
  switch (r) {
    case STORE_OK:
      return "ok";
    case STORE_BAD_TOKEN:
      return "bad_token";
    case STORE_TOO_MANY_TOKENS:
      return "too_many_tokens";
    case STORE_TOKEN_FULL:
      return "token_full";
    case STORE_FULL:
      return "full";
    case STORE_NOMEM:
      return "out_of_memory";
  }
  return "?";
}

void store_stamp_now(char *out, size_t len)
{
  struct timespec ts;
  struct tm tm;
  char base[24];
  long off;

  clock_gettime(CLOCK_REALTIME, &ts);
  localtime_r(&ts.tv_sec, &tm);
  strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
  off = tm.tm_gmtoff / 60;
  snprintf(out, len, "%.19s.%09ld%c%02ld:%02ld", base, ts.tv_nsec,
           off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
           (off < 0 ? -off : off) % 60);
}
