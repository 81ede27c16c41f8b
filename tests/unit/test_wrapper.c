/* test_wrapper.c: the wrapper's own functions (wrapper.c): the Kubernetes
 * client's interrupt, which stops a call once the shutdown's API budget is
 * spent. */
#include <string.h>

#include "clock.h"
#include "tests.h"
#include "wrapper.h"

/* The Kubernetes client's interrupt: a budget that has run out stops the
 * call; no budget and no pending stop signal lets it run. */
START_TEST(api_budget_stops_calls_once_spent)
{
  struct wrapper w;

  memset(&w, 0, sizeof(w));
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
  w.api_deadline = clock_ms() + 60000;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
  w.api_deadline = clock_ms() - 1;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 1);
  w.api_deadline = 0;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
}
END_TEST

Suite *make_wrapper_suite(void)
{
  Suite *s = suite_create("wrapper");
  TCase *tc = tcase_create("wrapper");

  tcase_add_test(tc, api_budget_stops_calls_once_spent);
  suite_add_tcase(s, tc);
  return s;
}
