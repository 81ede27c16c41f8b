/* test_member_check.c: the membership check against a fake server that
 * plays both the wrapper's status port and dkron's API: the small answer
 * first, dkron's whole list only when the wrapper has no such endpoint or
 * the busy executions are wanted, one kept connection, and the pace of the
 * checks. Also the wrapper side: GET /members/<name> on the status server. */
#include <string.h>

#include "fake_http.h"
#include "member_check.h"
#include "status_server.h"
#include "tests.h"

#define NODE "dkron-agent-x1"
#define MEMBERS_BODY                                                   \
  "[{\"Name\":\"dkron-server-0\",\"Addr\":\"10.0.0.1\",\"Port\":8946," \
  "\"Tags\":{\"server\":\"true\",\"role\":\"dkron\",\"rpc_addr\":"     \
  "\"10.0.0.1:6868\"},\"Status\":1},{\"Name\":\"" NODE "\",\"Addr\":"  \
  "\"10.0.0.9\",\"Port\":8946,\"Tags\":{\"role\":\"dkron\"},\"Status\":1}]"

static struct member_check *checker(struct fake_server *fs, long status_port)
{
  struct member_check_opts o = {.node = NODE,
                                .status_port = status_port,
                                .http_port = fake_server_port(fs),
                                .timeout_ms = 2000};
  struct dk_err err = {0};
  struct member_check *mc = member_check_new(&o, &err);

  ck_assert_msg(mc != NULL, "%s", err.msg);
  return mc;
}

START_TEST(wrapper_answer_first_and_one_connection)
{
  static const struct fake_response alive[] = {
    {.status = 200, .body = "{\"name\":\"" NODE "\",\"status\":\"alive\"}"}};
  static const struct fake_response members[] = {
    {.status = 200, .body = MEMBERS_BODY}};
  const struct fake_route routes[] = {{"GET", "/members/" NODE, alive, 1},
                                      {"GET", "/v1/members", members, 1}};
  struct fake_server *fs = fake_server_start(routes, 2, NULL, NULL);
  struct member_check *mc;

  ck_assert_ptr_nonnull(fs);
  mc = checker(fs, fake_server_port(fs));
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_ALIVE);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/members/" NODE), 3);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/members"), 0);
  ck_assert_uint_eq(fake_server_connections(fs), 1); /* kept alive */
  ck_assert_uint_lt(member_check_bytes(mc), 200);
  member_check_free(mc);
  fake_server_stop(fs);
}
END_TEST

START_TEST(not_a_member_is_an_answer_too)
{
  static const struct fake_response gone[] = {
    {.status = 404, .body = "{\"name\":\"" NODE "\",\"member\":false}"}};
  static const struct fake_response failed[] = {
    {.status = 200, .body = "{\"name\":\"" NODE "\",\"status\":\"failed\"}"}};
  const struct fake_route routes[] = {{"GET", "/members/" NODE, gone, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct member_check *mc;

  ck_assert_ptr_nonnull(fs);
  mc = checker(fs, fake_server_port(fs));
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_NOT_ALIVE);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/members"), 0);
  ck_assert_int_eq(
    fake_server_set_script(fs, "GET", "/members/" NODE, failed, 1), 0);
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_NOT_ALIVE);
  member_check_free(mc);
  fake_server_stop(fs);
}
END_TEST

START_TEST(older_servers_and_busy_checks_ask_dkron)
{
  static const struct fake_response members[] = {
    {.status = 200, .body = MEMBERS_BODY}};
  static const struct fake_response busy[] = {{.status = 200, .body = "[]"}};
  /* no /members route: the fake's 404 "no route", as an older wrapper's
   * text 404 */
  const struct fake_route routes[] = {{"GET", "/v1/members", members, 1},
                                      {"GET", "/v1/busy", busy, 1}};
  struct fake_server *fs = fake_server_start(routes, 2, NULL, NULL);
  struct member_check *mc;
  long n_busy = 99;

  ck_assert_ptr_nonnull(fs);
  mc = checker(fs, fake_server_port(fs));
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_ALIVE);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/members"), 1);
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", &n_busy), MEMBER_ALIVE);
  ck_assert_int_eq(n_busy, 0);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/members/" NODE), 1);
  member_check_free(mc);
  /* --server-status-port=0: dkron only */
  mc = checker(fs, 0);
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_ALIVE);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/members/" NODE), 1);
  member_check_free(mc);
  fake_server_stop(fs);
}
END_TEST

START_TEST(unanswered_is_unknown)
{
  struct member_check_opts o = {
    .node = NODE, .status_port = 1, .http_port = 1, .timeout_ms = 500};
  struct dk_err err = {0};
  struct member_check *mc = member_check_new(&o, &err);

  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_UNKNOWN);
  member_check_free(mc);
}
END_TEST

START_TEST(pace_slows_while_steady_and_resets)
{
  uint64_t rng = 42;
  long every = 5000;

  for (int i = 0; i < 20; i++) {
    long next = member_check_next_interval(every, 5000, 60000, true, &rng);
    ck_assert_int_ge(next, 5000);
    ck_assert_int_le(next, 60000);
    ck_assert_int_ge(next, every < 30000 ? every * 2 * 8 / 10 : 48000);
    every = next;
  }
  ck_assert_int_ge(every, 48000); /* at the cap, give or take the jitter */
  every = member_check_next_interval(every, 5000, 60000, false, &rng);
  ck_assert_int_ge(every, 5000);
  ck_assert_int_le(every, 6000);
  /* max below base: never slower than base */
  ck_assert_int_eq(member_check_next_interval(5000, 5000, 1000, true, &rng),
                   5000);
  /* a fleet started together spreads out */
  {
    uint64_t a = 1, b = 2;
    int differ = 0;
    for (int i = 0; i < 8; i++)
      differ += member_check_next_interval(5000, 5000, 60000, true, &a) !=
                member_check_next_interval(5000, 5000, 60000, true, &b);
    ck_assert_int_gt(differ, 0);
  }
}
END_TEST

/* The wrapper's side: what the status server answers on /members/<name>. */
START_TEST(status_server_answers_about_one_member)
{
  struct status_server_opts so = {.port = 0, .stale_ms = 60000};
  struct dk_err err = {0};
  struct status_server *st = status_server_start(&so, &err);
  const struct status_member view[] = {
    {"dkron-server-0", "alive"}, {NODE, "failed"}, {"a-first", "alive"}};
  struct member_check *mc;
  struct fake_server *dummy;
  const struct fake_route none[] = {{"GET", "/nothing", NULL, 0}};

  ck_assert_ptr_nonnull(st);
  dummy = fake_server_start(none, 0, NULL, NULL); /* dkron: absent */
  ck_assert_ptr_nonnull(dummy);
  mc = checker(dummy, status_server_port(st));
  /* before the first view: 503, so dkron is asked (here: not there) */
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_UNKNOWN);
  status_server_set_members(st, view, 3);
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_NOT_ALIVE);
  status_server_set_members(st, (const struct status_member[]){{NODE, "alive"}},
                            1);
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_ALIVE);
  status_server_set_members(st, view, 0);
  ck_assert_int_eq(member_check_ask(mc, "127.0.0.1", NULL), MEMBER_NOT_ALIVE);
  member_check_free(mc);
  fake_server_stop(dummy);
  status_server_stop(st);
}
END_TEST

Suite *make_member_check_suite(void)
{
  Suite *s = suite_create("member_check");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, wrapper_answer_first_and_one_connection);
  tcase_add_test(tc, not_a_member_is_an_answer_too);
  tcase_add_test(tc, older_servers_and_busy_checks_ask_dkron);
  tcase_add_test(tc, unanswered_is_unknown);
  tcase_add_test(tc, pace_slows_while_steady_and_resets);
  tcase_add_test(tc, status_server_answers_about_one_member);
  suite_add_tcase(s, tc);
  return s;
}
