/* json.c: see json.h. */
#include "json.h"

#include <stdbool.h>

/* JSON's white space (RFC 8259): not \v, \f or NUL. */
static bool is_json_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Index of the first byte that is not JSON white space, from pos on. */
static size_t skip_space(const char *s, size_t pos, size_t len)
{
  while (pos < len && is_json_space(s[pos]))
    pos++;
  return pos;
}

enum json_result json_parse(const char *text, size_t len, cJSON **out,
                            size_t *offset)
{
  const char *end = NULL;

  *out = NULL;
  *offset = 0;
  if (!text || skip_space(text, 0, len) == len)
    return JSON_EMPTY;
  if (text[len] != '\0')
    return JSON_UNTERMINATED;
  *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  *offset = end && end >= text ? (size_t)(end - text) : 0;
  if (!*out)
    return JSON_MALFORMED;
  *offset = skip_space(text, *offset, len);
  if (*offset != len) {
    cJSON_Delete(*out);
    *out = NULL;
    return JSON_TRAILING;
  }
  return JSON_OK;
}
