/* test_wrapper.c: the wrapper's own functions (wrapper.c): the Kubernetes
 * client's interrupt, which stops a call once the shutdown's API budget is
 * spent; the bootstrap decision of a single-server cluster. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log_capture.h"
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

/* A cluster of one has no peers to ask for a leader: that is normal, not
 * worth a warning on every start; with no Raft state it bootstraps. */
START_TEST(a_single_server_decides_without_asking_anyone)
{
  char dir[] = "/tmp/dk-single-XXXXXX";
  struct wrapper_config cfg;
  struct log_capture lc;
  struct wrapper w;
  long expect;

  ck_assert_ptr_nonnull(mkdtemp(dir));
  memset(&cfg, 0, sizeof(cfg));
  cfg.initial_cluster_size = 1;
  cfg.ordinal = 0;
  cfg.data_dir = dir;
  cfg.leader_query_timeout = 1000;
  memset(&w, 0, sizeof(w));
  w.cfg = &cfg;
  log_capture_begin(&lc);
  expect = wrapper_decide_bootstrap(&w);
  log_capture_end(&lc);
  ck_assert_int_eq(expect, 1);
  ck_assert_msg(!strstr(lc.text, "WARN") && !strstr(lc.text, "need at least"),
                "%s", lc.text);
  ck_assert_msg(strstr(lc.text, "--bootstrap-expect=1"), "%s", lc.text);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *make_wrapper_suite(void)
{
  Suite *s = suite_create("wrapper");
  TCase *tc = tcase_create("wrapper");

  tcase_add_test(tc, api_budget_stops_calls_once_spent);
  tcase_add_test(tc, a_single_server_decides_without_asking_anyone);
  suite_add_tcase(s, tc);
  return s;
}
