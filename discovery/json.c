/* json.c: see json.h. */
#include "json.h"

enum json_result json_parse(const char *text, size_t len, cJSON **out,
                            size_t *offset)
{
  const char *end = NULL;

  *out = NULL;
  *offset = 0;
  if (!text)
    return JSON_MALFORMED;
  if (text[len] != '\0')
    return JSON_UNTERMINATED;
  *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  *offset = end && end >= text ? (size_t)(end - text) : 0;
  return *out ? JSON_OK : JSON_MALFORMED;
}
