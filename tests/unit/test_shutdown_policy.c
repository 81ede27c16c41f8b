/* test_shutdown_policy.c: the shutdown's decisions (shutdown_policy.c),
 * table-driven: whether a leaving server removes itself from Raft, the
 * quorum guard and its order for servers stopping at once, the
 * --remove-on-exit names. */
#include <string.h>

#include "shutdown_policy.h"
#include "tests.h"

struct shutdown_case {
  long ordinal, replicas;
  bool leave_ok;
  enum remove_mode mode;
  enum removal removal;
  const char *reason_has;
};

static const struct shutdown_case shutdown_cases[] = {
  {1, 3, true, REMOVE_AUTO, REMOVAL_NONE, "a restart (ordinal 1"},
  {2, 3, true, REMOVE_AUTO, REMOVAL_NONE, "ordinal 2 < spec.replicas=3"},
  {3, 3, true, REMOVE_AUTO, REMOVAL_SCALED_DOWN, "scaled down"},
  {4, 3, true, REMOVE_AUTO, REMOVAL_SCALED_DOWN, "ordinal 4 is at or above"},
  {0, 0, true, REMOVE_AUTO, REMOVAL_SCALED_DOWN, "spec.replicas=0"},
  {1, 3, false, REMOVE_AUTO, REMOVAL_LEAVE_FAILED, "graceful leave failed"},
  {1, -1, true, REMOVE_AUTO, REMOVAL_NONE, "could not be read"},
  {1, -1, false, REMOVE_AUTO, REMOVAL_LEAVE_FAILED, "graceful leave failed"},
  {1, 3, true, REMOVE_ALWAYS, REMOVAL_ALWAYS, "always"},
  /* always wins over a scale-down and a failed leave */
  {4, 3, false, REMOVE_ALWAYS, REMOVAL_ALWAYS, "always"},
  /* a scale-down is named as such even when the leave failed too */
  {4, 3, false, REMOVE_AUTO, REMOVAL_SCALED_DOWN, "scaled down"},
};

START_TEST(shutdown_decision_table)
{
  const struct shutdown_case *c = &shutdown_cases[_i];
  struct shutdown_facts f = {c->ordinal, c->replicas, c->leave_ok, c->mode,
                             false};
  char reason[256];

  ck_assert_int_eq(shutdown_should_remove(&f, reason, sizeof(reason)),
                   c->removal);
  ck_assert_msg(strstr(reason, c->reason_has), "reason '%s' lacks '%s'", reason,
                c->reason_has);
}
END_TEST

/* A leave abandoned before dkron answered is not a failed one: a restart
 * stays a restart; a scale-down is still one. */
START_TEST(an_abandoned_leave_is_not_a_failed_one)
{
  struct shutdown_facts f = {.ordinal = 1,
                             .replicas = 3,
                             .leave_ok = false,
                             .mode = REMOVE_AUTO,
                             .leave_interrupted = true};
  char reason[256];

  ck_assert_int_eq(shutdown_should_remove(&f, reason, sizeof(reason)),
                   REMOVAL_NONE);
  ck_assert_msg(strstr(reason, "leave was abandoned"), "%s", reason);
  f.replicas = -1;
  ck_assert_int_eq(shutdown_should_remove(&f, reason, sizeof(reason)),
                   REMOVAL_NONE);
  f.replicas = 1;
  ck_assert_int_eq(shutdown_should_remove(&f, reason, sizeof(reason)),
                   REMOVAL_SCALED_DOWN);
}
END_TEST

START_TEST(removals_have_metric_names)
{
  ck_assert_str_eq(removal_name(REMOVAL_SCALED_DOWN), "scaled_down");
  ck_assert_str_eq(removal_name(REMOVAL_LEAVE_FAILED), "leave_failed");
  ck_assert_str_eq(removal_name(REMOVAL_ALWAYS), "always");
  ck_assert_str_eq(removal_name(REMOVAL_NONE), "none");
}
END_TEST

struct quorum_case {
  long voters, replicas;
  bool self_voter;
  long others_working, others_staying;
  bool leave;
  const char *why_has;
};

static const struct quorum_case quorum_cases[] = {
  {3, 3, true, 2, 2, true, "2 other voters work, quorum of 3 servers is 2"},
  {3, 3, true, 1, 1, false, "only 1 other voter work"},
  /* a drained server already dropped from Raft: it comes back */
  {2, 3, true, 1, 1, false, "Raft lists 2 voters, the StatefulSet 3 servers"},
  {3, -1, true, 1, 1, false, "leaving now would lose it"},
  {5, 5, true, 3, 3, true, "quorum of 5 servers is 3: leaving keeps it"},
  {5, 3, true, 3, 3, true, "leaving keeps it"}, /* a scale-down */
  {5, 5, true, 2, 2, false, "leaving now would lose it"},
  /* all servers deleted at once: no one to wait for */
  {3, 3, true, 1, 0, true, "every other voter is stopping too"},
  {2, 2, true, 0, 0, true, "a cluster of 2 servers: any departure"},
  {1, 1, true, 0, 0, true, "a cluster of 1 server"},
  {3, 3, false, 1, 1, true, "not a voter"},
};

START_TEST(quorum_guard_table)
{
  const struct quorum_case *c = &quorum_cases[_i];
  char why[256];

  ck_assert_int_eq(leave_keeps_quorum(c->voters, c->replicas, c->self_voter,
                                      c->others_working, c->others_staying, why,
                                      sizeof(why)),
                   c->leave);
  ck_assert_msg(strstr(why, c->why_has), "'%s' lacks '%s'", why, c->why_has);
}
END_TEST

START_TEST(quorum_guard_orders_simultaneous_stops)
{
  /* s-1 and s-0 stop at once: s-1 counts s-0 (it waits for s-1), s-0 does
   * not count s-1 (it goes first). */
  ck_assert(guard_counts_voter(true, true, 0, 1));
  ck_assert(!guard_counts_voter(true, true, 1, 0));
  ck_assert(guard_counts_voter(true, false, 2, 0));
  ck_assert(!guard_counts_voter(false, false, 2, 0));
}
END_TEST

START_TEST(remove_mode_names)
{
  enum remove_mode m;

  ck_assert_int_eq(remove_mode_parse("always", &m), 0);
  ck_assert_int_eq(m, REMOVE_ALWAYS);
  ck_assert_int_eq(remove_mode_parse("auto", &m), 0);
  ck_assert_int_eq(m, REMOVE_AUTO);
  ck_assert_int_eq(remove_mode_parse("sometimes", &m), -1);
}
END_TEST

Suite *make_shutdown_policy_suite(void)
{
  Suite *s = suite_create("shutdown_policy");
  TCase *tc = tcase_create("shutdown_policy");

  tcase_add_loop_test(
    tc, shutdown_decision_table, 0,
    (int)(sizeof(shutdown_cases) / sizeof(shutdown_cases[0])));
  tcase_add_test(tc, remove_mode_names);
  tcase_add_test(tc, an_abandoned_leave_is_not_a_failed_one);
  tcase_add_test(tc, removals_have_metric_names);
  tcase_add_test(tc, quorum_guard_orders_simultaneous_stops);
  tcase_add_loop_test(tc, quorum_guard_table, 0,
                      (int)(sizeof(quorum_cases) / sizeof(quorum_cases[0])));
  suite_add_tcase(s, tc);
  return s;
}
