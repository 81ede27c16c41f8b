/* test_dynbuf.c: the capped growable buffer: contents stay NUL-terminated,
 * the cap holds exactly, and a failure is sticky until reset. */
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "tests.h"

START_TEST(appends_grow_and_stay_terminated)
{
  struct dynbuf b;
  char *s;
  size_t len = 0;

  dynbuf_init(&b, 1 << 20);
  ck_assert_str_eq(dynbuf_str(&b), "");
  for (int i = 0; i < 1000; i++)
    ck_assert_int_eq(dynbuf_addf(&b, "%03d,", i), DK_OK);
  ck_assert_uint_eq(dynbuf_len(&b), 4000);
  ck_assert_uint_eq(strlen(dynbuf_str(&b)), 4000);
  ck_assert(strncmp(dynbuf_str(&b) + 3996, "999,", 4) == 0);
  ck_assert_int_eq(dynbuf_add(&b, "x\0y", 3), DK_OK);
  ck_assert_uint_eq(dynbuf_len(&b), 4003);
  s = dynbuf_take(&b, &len);
  ck_assert_ptr_nonnull(s);
  ck_assert_uint_eq(len, 4003);
  ck_assert_int_eq(s[4003], '\0');
  free(s);
  ck_assert_uint_eq(dynbuf_len(&b), 0);
  dynbuf_free(&b);
}
END_TEST

START_TEST(cap_is_exact_and_failure_sticks)
{
  struct dynbuf b;

  dynbuf_init(&b, 8);
  ck_assert_int_eq(dynbuf_adds(&b, "12345678"), DK_OK); /* exactly the cap */
  ck_assert_int_eq(dynbuf_adds(&b, "9"), DK_ETOOBIG);
  ck_assert_uint_eq(dynbuf_len(&b), 0); /* freed */
  ck_assert_int_eq(dynbuf_adds(&b, ""), DK_ETOOBIG);
  ck_assert_int_eq(dynbuf_addf(&b, "%d", 1), DK_ETOOBIG);
  ck_assert_ptr_null(dynbuf_take(&b, NULL));
  /* take() frees and clears: the buffer is usable again */
  ck_assert_int_eq(dynbuf_addf(&b, "%s", "abc"), DK_OK);
  ck_assert_str_eq(dynbuf_str(&b), "abc");
  ck_assert_int_eq(dynbuf_addf(&b, "%s", "defghi"), DK_ETOOBIG);
  dynbuf_reset(&b);
  ck_assert_int_eq(dynbuf_adds(&b, "ok"), DK_OK);
  ck_assert_str_eq(dynbuf_str(&b), "ok");
  dynbuf_free(&b);
}
END_TEST

START_TEST(take_of_empty_gives_an_owned_empty_string)
{
  struct dynbuf b;
  size_t len = 99;
  char *s;

  dynbuf_init(&b, 16);
  s = dynbuf_take(&b, &len);
  ck_assert_ptr_nonnull(s);
  ck_assert_str_eq(s, "");
  ck_assert_uint_eq(len, 0);
  free(s);
}
END_TEST

/* A truncating append keeps what fits, drops the rest without failing,
 * and the buffer stays usable. */
START_TEST(truncating_append_keeps_what_fits)
{
  struct dynbuf b;
  char *s;
  size_t len = 99;

  dynbuf_init(&b, 8);
  ck_assert_int_eq(dynbuf_add_trunc(&b, "12345", 5), DK_OK);
  ck_assert_int_eq(dynbuf_add_trunc(&b, "67890", 5), DK_OK);
  ck_assert_str_eq(dynbuf_str(&b), "12345678");
  ck_assert_int_eq(dynbuf_add_trunc(&b, "x", 1), DK_OK);
  ck_assert_uint_eq(dynbuf_len(&b), 8);
  ck_assert_int_eq(b.failed, DK_OK);
  s = dynbuf_take(&b, &len);
  ck_assert_str_eq(s, "12345678");
  ck_assert_uint_eq(len, 8);
  free(s);
  /* A cap of 0 keeps nothing and allocates nothing until taken. */
  dynbuf_init(&b, 0);
  ck_assert_int_eq(dynbuf_add_trunc(&b, "abc", 3), DK_OK);
  ck_assert_ptr_null(b.data);
  s = dynbuf_take(&b, &len);
  ck_assert_str_eq(s, "");
  ck_assert_uint_eq(len, 0);
  free(s);
}
END_TEST

Suite *make_dynbuf_suite(void)
{
  Suite *s = suite_create("dynbuf");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, appends_grow_and_stay_terminated);
  tcase_add_test(tc, cap_is_exact_and_failure_sticks);
  tcase_add_test(tc, take_of_empty_gives_an_owned_empty_string);
  tcase_add_test(tc, truncating_append_keeps_what_fits);
  suite_add_tcase(s, tc);
  return s;
}
