/* json.h: the one way discovery hands JSON text to cJSON.
 *
 * Every JSON body, watch line and token claim is parsed through json_parse,
 * which holds the rules for it:
 *   - the text is NUL-terminated (text[len] == '\0'): cJSON before 1.7.18
 *     can read one byte past the length it is given (CVE-2023-53154, e.g.
 *     on `{"":"",`), so the byte after the text must be ours and harmless;
 *   - it is one JSON value with only JSON white space (space, tab, CR, LF)
 *     around it: anything else after the value, a NUL byte included, means
 *     a truncated, concatenated or corrupted body and is refused.
 * Include this header, not <cjson/cJSON.h>, so that the version check below
 * applies wherever cJSON is used.
 */
#ifndef DK_JSON_H
#define DK_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Debian 12's libcjson-dev 1.7.15-1+deb12u3 and later carry the fix for
 * CVE-2023-53154 backported; older releases lack fixes the parsers rely on. */
#if !defined(CJSON_VERSION_MAJOR) || CJSON_VERSION_MAJOR < 1 || \
  (CJSON_VERSION_MAJOR == 1 &&                                  \
   (CJSON_VERSION_MINOR < 7 ||                                  \
    (CJSON_VERSION_MINOR == 7 && CJSON_VERSION_PATCH < 15)))
#error \
  "cJSON is older than 1.7.15: install libcjson-dev 1.7.15 or newer (on Debian 12, `make deps`; 1.7.15-1+deb12u3 or later has the CVE-2023-53154 fix)"
#endif

enum json_result {
  JSON_OK = 0,
  JSON_EMPTY,       /* nothing but white space (or text NULL) */
  JSON_MALFORMED,   /* not valid JSON; *offset is where parsing stopped */
  JSON_TRAILING,    /* data after the value; *offset is its first byte */
  JSON_UNTERMINATED /* text[len] is not '\0': the caller's bug */
};

/* Parses text (len bytes; text[len] must be '\0') as one JSON value. On
 * JSON_OK, *out is the tree (free it with cJSON_Delete) and *offset is
 * len; otherwise *out is NULL. text may be NULL only when len is 0. */
enum json_result json_parse(const char *text, size_t len, cJSON **out,
                            size_t *offset);

#endif
