/* redact.c: see redact.h. */
#include "redact.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Output that keeps the text it can and cuts the rest. */
struct sink {
  char *out;
  size_t len, cap; /* cap excludes the NUL */
};

static void put(struct sink *s, const char *text, size_t n)
{
  if (n > s->cap - s->len)
    n = s->cap - s->len;
  memcpy(s->out + s->len, text, n);
  s->len += n;
}

static bool is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static bool is_base64url(char c)
{
  return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

/* RFC 6750 b64token characters. */
static bool is_token(char c)
{
  return is_base64url(c) || c == '.' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}

static size_t span(const char *s, bool (*ok)(char))
{
  size_t n = 0;

  while (s[n] && ok(s[n]))
    n++;
  return n;
}

static size_t skip_any(const char *s, const char *chars)
{
  size_t n = 0;

  while (s[n] && strchr(chars, s[n]))
    n++;
  return n;
}

/* At s: "eyJ" base64url+ '.' base64url+ '.' base64url*; its length or 0. */
static size_t match_jwt(const char *s)
{
  size_t n, part;

  if (strncmp(s, "eyJ", 3) != 0)
    return 0;
  n = 3 + span(s + 3, is_base64url);
  if (n == 3 || s[n] != '.')
    return 0;
  part = span(s + n + 1, is_base64url);
  if (part == 0 || s[n + 1 + part] != '.')
    return 0;
  n += 1 + part + 1;
  return n + span(s + n, is_base64url);
}

/* At s: "bearer" + white space + a token. Sets *keep to the length kept
 * ("bearer "), returns the length through the token, or 0. */
static size_t match_bearer(const char *s, size_t *keep)
{
  size_t n, token;

  if (strncasecmp(s, "bearer", 6) != 0)
    return 0;
  n = 6 + skip_any(s + 6, " \t");
  token = span(s + n, is_token);
  if (n == 6 || token == 0)
    return 0;
  *keep = n;
  return n + token;
}

/* At s: "authorization" then ':' or '=' and its value (an optional scheme
 * word, white space, a token). Sets *keep to the length kept (through the
 * separator and what surrounds it), returns the length through the value,
 * or 0. */
static size_t match_authorization(const char *s, size_t *keep)
{
  size_t n, word, gap, token;

  if (strncasecmp(s, "authorization", 13) != 0)
    return 0;
  n = 13 + skip_any(s + 13, "\"' \t");
  if (s[n] != ':' && s[n] != '=')
    return 0;
  n += 1 + skip_any(s + n + 1, "\"' \t[");
  *keep = n;
  word = span(s + n, is_alpha);
  gap = word ? skip_any(s + n + word, " \t") : 0;
  token = gap ? span(s + n + word + gap, is_token) : 0;
  if (token)
    return n + word + gap + token; /* scheme and credentials */
  token = span(s + n, is_token);
  return token ? n + token : 0;
}

void redact_secrets(const char *in, char *out, size_t outlen)
{
  struct sink s = {.out = out, .len = 0, .cap = outlen - 1};
  size_t i = 0;

  while (in[i] && s.len < s.cap) {
    size_t keep = 0;
    size_t n = match_authorization(in + i, &keep);

    if (!n)
      n = match_bearer(in + i, &keep);
    if (!n) {
      keep = 0;
      n = match_jwt(in + i);
    }
    if (n) {
      put(&s, in + i, keep);
      put(&s, REDACTED, strlen(REDACTED));
      i += n;
    } else {
      put(&s, in + i, 1);
      i++;
    }
  }
  out[s.len] = '\0';
}
