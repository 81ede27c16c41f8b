/* test_http_retry.c: the HTTP client's retry policy (http_retry.c): the
 * backoff windows and Retry-After parsing. */
#include <time.h>

#include "http_retry.h"
#include "tests.h"

/* ---- backoff and Retry-After parsing ---- */

START_TEST(backoff_stays_in_its_window_and_grows)
{
  long top[7] = {0};

  for (int attempt = 1; attempt <= 6; attempt++) {
    long cap = 100L << (attempt - 1);

    if (cap > 1000)
      cap = 1000;
    for (int i = 0; i < 2000; i++) {
      long v = http_backoff_ms(100, 1000, attempt);

      ck_assert_int_ge(v, 0);
      ck_assert_int_le(v, cap);
      if (v > top[attempt])
        top[attempt] = v;
    }
  }
  /* Each window is wide enough that 2000 samples reach past the last. */
  for (int attempt = 2; attempt <= 4; attempt++)
    ck_assert_int_gt(top[attempt], top[attempt - 1]);
  ck_assert_int_gt(top[6], 900);
  ck_assert_int_le(http_backoff_ms(100, 1000, 200), 1000);
  ck_assert_int_eq(http_backoff_ms(0, 1000, 3), 0);
}
END_TEST

START_TEST(retry_after_parsing)
{
  char date[64];
  time_t later = time(NULL) + 120;
  struct tm tm;
  long ms;

  gmtime_r(&later, &tm);
  strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  ck_assert_int_eq(http_parse_retry_after("3"), 3000);
  ck_assert_int_eq(http_parse_retry_after(" 3 "), 3000);
  ck_assert_int_eq(http_parse_retry_after("0"), 0);
  ms = http_parse_retry_after(date);
  ck_assert_msg(ms > 100000 && ms <= 120000, "%s -> %ld", date, ms);
  ck_assert_int_eq(http_parse_retry_after("soon"), -1);
  ck_assert_int_eq(http_parse_retry_after("3x"), -1);
  ck_assert_int_eq(http_parse_retry_after("-5"), -1);
  ck_assert_int_eq(http_parse_retry_after(""), -1);
  ck_assert_int_eq(http_parse_retry_after(NULL), -1);
}
END_TEST
Suite *make_http_retry_suite(void)
{
  Suite *s = suite_create("http_retry");
  TCase *pure = tcase_create("backoff");

  tcase_add_test(pure, backoff_stays_in_its_window_and_grows);
  tcase_add_test(pure, retry_after_parsing);
  suite_add_tcase(s, pure);
  return s;
}
