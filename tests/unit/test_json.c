/* test_json.c: the rules every JSON text is parsed under (json.h). */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tests.h"

/* A copy of text in a buffer of exactly len + extra bytes, so that ASan
 * and valgrind see any read past it. */
static char *exact_copy(const char *text, size_t len, size_t extra)
{
  char *buf = malloc(len + extra);

  ck_assert_ptr_nonnull(buf);
  memcpy(buf, text, len);
  if (extra)
    buf[len] = '\0';
  return buf;
}

START_TEST(json_parse_takes_a_terminated_text)
{
  char *text = exact_copy("[1, {\"a\":true}]", 15, 1);
  cJSON *root = NULL;
  size_t off = 99;

  ck_assert_int_eq(json_parse(text, 15, &root, &off), JSON_OK);
  ck_assert_ptr_nonnull(root);
  ck_assert(cJSON_IsArray(root));
  ck_assert_int_eq(cJSON_GetArraySize(root), 2);
  ck_assert_uint_eq(off, 15);
  cJSON_Delete(root);
  free(text);
}
END_TEST

/* The shape of CVE-2023-53154: an object cut after a comma, at the very
 * end of its buffer. With the NUL after it, no cJSON reads past it. */
START_TEST(json_parse_cut_after_a_comma_is_malformed)
{
  static const char *const cut[] = {"{\"\":\"\",", "{\"a\":1,", "[1,",
                                    "{\"a\":{\"b\":[],"};

  for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
    size_t len = strlen(cut[i]);
    char *text = exact_copy(cut[i], len, 1);
    cJSON *root = (cJSON *)1;
    size_t off = 0;

    ck_assert_int_eq(json_parse(text, len, &root, &off), JSON_MALFORMED);
    ck_assert_ptr_null(root);
    ck_assert_uint_le(off, len);
    free(text);
  }
}
END_TEST

/* A text that is a slice of a larger buffer (a line inside a chunk) is
 * refused before cJSON sees it: the caller must copy and terminate it. */
START_TEST(json_parse_refuses_an_unterminated_slice)
{
  static const char chunk[] = "{\"a\":1}\n{\"b\":2}\n";
  cJSON *root = (cJSON *)1;
  size_t off = 7;

  ck_assert_int_eq(json_parse(chunk, 7, &root, &off), JSON_UNTERMINATED);
  ck_assert_ptr_null(root);
  ck_assert_uint_eq(off, 0);
  ck_assert_int_eq(json_parse(NULL, 0, &root, &off), JSON_EMPTY);
  ck_assert_ptr_null(root);
}
END_TEST

/* One rule for what may follow the value, for every parser: JSON white
 * space only. A NUL inside the length is data, not an end. */
struct trailing_case {
  const char *text;
  size_t len;
  enum json_result want;
  size_t offset;
};

static const struct trailing_case trailing_cases[] = {
  {"[1] ", 4, JSON_OK, 4},
  {" \r\n[1]\t\n", 8, JSON_OK, 8},
  {"[1]x", 4, JSON_TRAILING, 3},
  {"[1] [2]", 7, JSON_TRAILING, 4},
  {"[]\0junk", 7, JSON_TRAILING, 2},
  {"{} \0", 4, JSON_TRAILING, 3},
  {"{}\v", 3, JSON_TRAILING, 2},
  {"   ", 3, JSON_EMPTY, 0},
  {"", 0, JSON_EMPTY, 0},
};

START_TEST(json_parse_refuses_data_after_the_value)
{
  const struct trailing_case *c = &trailing_cases[_i];
  char *text = exact_copy(c->text, c->len, 1);
  cJSON *root = NULL;
  size_t off = 99;

  ck_assert_int_eq(json_parse(text, c->len, &root, &off), c->want);
  ck_assert_uint_eq(off, c->offset);
  ck_assert(c->want == JSON_OK ? root != NULL : root == NULL);
  cJSON_Delete(root);
  free(text);
}
END_TEST

Suite *make_json_suite(void)
{
  Suite *s = suite_create("json");
  TCase *tc = tcase_create("parse");

  tcase_add_test(tc, json_parse_takes_a_terminated_text);
  tcase_add_test(tc, json_parse_cut_after_a_comma_is_malformed);
  tcase_add_test(tc, json_parse_refuses_an_unterminated_slice);
  tcase_add_loop_test(
    tc, json_parse_refuses_data_after_the_value, 0,
    (int)(sizeof(trailing_cases) / sizeof(trailing_cases[0])));
  suite_add_tcase(s, tc);
  return s;
}
