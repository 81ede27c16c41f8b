/* test_dkron_parse.c: the parsers of dkron's HTTP API answers
 * (dkron_parse.c) on the shapes real dkron servers return. */
#include <string.h>

#include "dkron_fixtures.h"
#include "dkron_parse.h"
#include "tests.h"

/* ---------------------------------------------------------------------- */
/* Parsers                                                                */

START_TEST(parse_members_real_shape)
{
  struct dkron_members ms;
  struct dk_err err = {0};

  ck_assert_int_eq(
    dkron_parse_members(members_json, strlen(members_json), &ms, &err), DK_OK);
  ck_assert_uint_eq(ms.n, 4);
  const struct dkron_member *s0 = dkron_members_find(&ms, "dkron-server-0");
  ck_assert_ptr_nonnull(s0);
  ck_assert_str_eq(s0->addr, "10.244.0.12");
  ck_assert_int_eq(s0->port, 8946);
  ck_assert_int_eq(s0->status, DKRON_ALIVE);
  ck_assert(s0->server);
  ck_assert_str_eq(s0->rpc_addr, "10.244.0.12:6868");
  ck_assert_str_eq(s0->role, "dkron");
  ck_assert_int_eq(dkron_members_find(&ms, "dkron-server-1")->status,
                   DKRON_LEFT);
  ck_assert_int_eq(dkron_members_find(&ms, "dkron-server-2")->status,
                   DKRON_FAILED);
  const struct dkron_member *agent =
    dkron_members_find(&ms, "dkron-agent-7d9f8-x2x4q");
  ck_assert_ptr_nonnull(agent);
  ck_assert(!agent->server);
  ck_assert_str_eq(agent->rpc_addr, "10.244.2.31:6868");
  /* Identity is the Name: the random "id" is not a way to find a member. */
  ck_assert_ptr_null(
    dkron_members_find(&ms, "5b0f9c1e-8d7a-4f61-9a52-2f1de0c1b7a3"));
  ck_assert_ptr_null(dkron_members_find(&ms, "dkron-server-3"));
  ck_assert_str_eq(dkron_status_name(agent->status), "alive");
  dkron_members_free(&ms);
  ck_assert_uint_eq(ms.n, 0);
}
END_TEST

static const char *const bad_members[] = {
  "",
  "   ",
  "[",
  "{\"Name\":\"a\"}",
  "[1]",
  "[{\"Addr\":\"10.0.0.1\"}]",
  "[{\"Name\":\"\"}]",
  "[{\"Name\":7}]",
  "[{\"Name\":\"a\",\"Status\":\"alive\"}]",
  "[{\"Name\":\"a\",\"Port\":1.5}]",
  "[{\"Name\":\"a\",\"Port\":70000}]",
  "[{\"Name\":\"a\",\"Tags\":[]}]",
  "[{\"Name\":\"a\",\"Tags\":{\"rpc_addr\":5}}]",
  "[{\"Name\":\"a\"}] garbage",
  "[{\"Name\":\"a\"}][{\"Name\":\"b\"}]",
};

START_TEST(parse_members_rejects_malformed)
{
  const char *body = bad_members[_i];
  struct dkron_members ms = {(void *)1, 99};
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_members(body, strlen(body), &ms, &err),
                   DK_EPARSE);
  ck_assert_msg(err.msg[0] != '\0', "no message for %s", body);
  ck_assert_ptr_null(ms.items);
  ck_assert_uint_eq(ms.n, 0);
}
END_TEST

/* Anything but white space after the JSON value is refused, a NUL byte
 * included (a body is len bytes, not a C string), as the Kubernetes
 * parsers do: one rule for every JSON body (json.h). */
START_TEST(parsers_refuse_data_after_the_value)
{
  static const char members[] = "[]\0junk";
  static const char leader[] = "null\0junk";
  static const char busy[] = "[] \n\0";
  struct dkron_members ms = {NULL, 0};
  struct dkron_executions ex = {NULL, 0};
  struct dkron_member m;
  struct dk_err err = {0};
  bool found = true;

  ck_assert_int_eq(dkron_parse_members(members, sizeof(members) - 1, &ms, &err),
                   DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "unexpected data after the JSON value at byte "
                                "2"),
                "%s", err.msg);
  ck_assert_int_eq(
    dkron_parse_leader(leader, sizeof(leader) - 1, &m, &found, &err),
    DK_EPARSE);
  ck_assert(!found);
  ck_assert_int_eq(dkron_parse_busy(busy, sizeof(busy) - 1, &ex, &err),
                   DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "at byte 4"), "%s", err.msg);
  /* White space after the value is fine. */
  ck_assert_int_eq(dkron_parse_busy("[] \r\n\t", 6, &ex, &err), DK_OK);
  dkron_executions_free(&ex);
}
END_TEST

START_TEST(parse_leader_shapes)
{
  struct dkron_member m;
  struct dk_err err = {0};
  bool found = true;

  ck_assert_int_eq(
    dkron_parse_leader(leader_json, strlen(leader_json), &m, &found, &err),
    DK_OK);
  ck_assert(found);
  ck_assert_str_eq(m.name, "dkron-server-0");
  ck_assert_str_eq(m.rpc_addr, "10.244.0.12:6868");
  dkron_member_clear(&m);

  ck_assert_int_eq(dkron_parse_leader("null", 4, &m, &found, &err), DK_OK);
  ck_assert(!found);
  ck_assert_int_eq(dkron_parse_leader("null\n", 5, &m, &found, &err), DK_OK);
  ck_assert(!found);
  ck_assert_int_eq(dkron_parse_leader(NULL, 0, &m, &found, &err), DK_OK);
  ck_assert(!found);

  /* dkron matches raft.Leader() "" (none known) against a starting
   * member's missing rpc_addr: no leader. */
  const char *no_rpc = "{\"Name\":\"x\",\"Addr\":\"10.0.0.9\",\"Tags\":{"
                       "\"role\":\"dkron\",\"server\":\"true\"}}";
  ck_assert_int_eq(dkron_parse_leader(no_rpc, strlen(no_rpc), &m, &found, &err),
                   DK_OK);
  ck_assert(!found);
  ck_assert_ptr_null(m.name);
  ck_assert_int_eq(dkron_parse_leader("{\"Name\"", 7, &m, &found, &err),
                   DK_EPARSE);
  ck_assert_int_eq(dkron_parse_leader("[]", 2, &m, &found, &err), DK_EPARSE);
}
END_TEST

START_TEST(parse_busy_counts_per_node)
{
  struct dkron_executions ex;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_busy(busy_json, strlen(busy_json), &ex, &err),
                   DK_OK);
  ck_assert_uint_eq(ex.n, 3);
  ck_assert_str_eq(ex.items[0].job_name, "backup");
  ck_assert_str_eq(ex.items[0].started_at, "2026-11-22T07:00:00.123456789Z");
  ck_assert_uint_eq(dkron_executions_on_node(&ex, "dkron-agent-a"), 2);
  ck_assert_uint_eq(dkron_executions_on_node(&ex, "dkron-server-1"), 1);
  ck_assert_uint_eq(dkron_executions_on_node(&ex, "dkron-server-0"), 0);
  dkron_executions_free(&ex);

  ck_assert_int_eq(dkron_parse_busy("[]", 2, &ex, &err), DK_OK);
  ck_assert_uint_eq(ex.n, 0);
  ck_assert_uint_eq(dkron_executions_on_node(&ex, "dkron-agent-a"), 0);
  ck_assert_int_eq(dkron_parse_busy("{}", 2, &ex, &err), DK_EPARSE);
  const char *no_node = "[{\"job_name\":\"j\"}]";
  ck_assert_int_eq(dkron_parse_busy(no_node, strlen(no_node), &ex, &err),
                   DK_EPARSE);
  ck_assert_ptr_null(ex.items);
}
END_TEST

Suite *make_dkron_parse_suite(void)
{
  Suite *s = suite_create("dkron_parse");
  TCase *parse = tcase_create("parse");

  tcase_add_test(parse, parse_members_real_shape);
  tcase_add_loop_test(parse, parse_members_rejects_malformed, 0,
                      (int)(sizeof(bad_members) / sizeof(bad_members[0])));
  tcase_add_test(parse, parsers_refuse_data_after_the_value);
  tcase_add_test(parse, parse_leader_shapes);
  tcase_add_test(parse, parse_busy_counts_per_node);
  suite_add_tcase(s, parse);
  return s;
}
