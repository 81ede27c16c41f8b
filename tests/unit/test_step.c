/* test_step.c: the step results main() reads. */
#include "step.h"
#include "tests.h"

START_TEST(go_on_has_no_exit_code)
{
  struct step s = step_go_on();

  ck_assert_int_eq(s.kind, STEP_GO_ON);
  ck_assert_int_eq(s.exit_code, 0);
  ck_assert(step_goes_on(s));
}
END_TEST

START_TEST(exit_zero_stops_cleanly_and_others_fail)
{
  static const int codes[] = {1, 2, 126, 127, 143};
  struct step s = step_exit(0);

  ck_assert_int_eq(s.kind, STEP_STOP_CLEANLY);
  ck_assert_int_eq(s.exit_code, 0);
  ck_assert(!step_goes_on(s));
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    s = step_exit(codes[i]);
    ck_assert_int_eq(s.kind, STEP_FAIL);
    ck_assert_int_eq(s.exit_code, codes[i]);
    ck_assert(!step_goes_on(s));
  }
}
END_TEST

Suite *make_step_suite(void)
{
  Suite *s = suite_create("step");
  TCase *tc = tcase_create("step");

  tcase_add_test(tc, go_on_has_no_exit_code);
  tcase_add_test(tc, exit_zero_stops_cleanly_and_others_fail);
  suite_add_tcase(s, tc);
  return s;
}
