/* test_dkron.c: the dkron HTTP client (dkron.c) against a fake server
 * serving the shapes real dkron servers return (dkron_fixtures.c), and the
 * concurrent leader search. The answers' parsers and the CLI wrappers have
 * their own suites (test_dkron_parse.c, test_dkron_cli.c). */
#include <stdio.h>
#include <string.h>

#include "dkron.h"
#include "dkron_fixtures.h"
#include "fake_http.h"
#include "tests.h"

/* /v1/leave answers with agent.peers: region -> array of ServerParts. */
static const char leave_json[] =
  "{\"global\":[{\"Name\":\"dkron-server-1\",\"ID\":\"dkron-server-1\","
  "\"Region\":\"global\",\"Datacenter\":\"dc1\",\"Port\":6868,\"Bootstrap\":"
  "false,\"Expect\":3,\"RaftVersion\":0,\"Addr\":{\"IP\":\"10.244.1.7\","
  "\"Port\":6868,\"Zone\":\"\"},\"RPCAddr\":{\"IP\":\"10.244.1.7\",\"Port\":"
  "6868,\"Zone\":\"\"},\"Status\":1}]}";

static struct dkron_client *client_for(const struct fake_server *fs)
{
  struct dk_err err = {0};
  struct dkron_client *c = dkron_client_new(fake_server_url(fs), NULL, &err);

  ck_assert_msg(c != NULL, "client: %s", err.msg);
  return c;
}

/* ---------------------------------------------------------------------- */
/* HTTP client                                                            */

START_TEST(members_over_http)
{
  struct fake_response r = reply(200, members_json);
  r.headers = "X-Total-Count: 4\n";
  struct fake_server *fs = serve("GET", "/v1/members", &r, 1);
  struct dkron_client *c = client_for(fs);
  struct dkron_members ms;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_members(c, &ms, &err), DK_OK);
  ck_assert_uint_eq(ms.n, 4);
  ck_assert_int_eq(dkron_members_find(&ms, "dkron-server-2")->status,
                   DKRON_FAILED);
  dkron_members_free(&ms);
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(members_malformed_is_parse_error)
{
  struct fake_response r = reply(200, "[{\"Name\":\"dkron-server-0\",");
  struct fake_server *fs = serve("GET", "/v1/members", &r, 1);
  struct dkron_client *c = client_for(fs);
  struct dkron_members ms;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_members(c, &ms, &err), DK_EPARSE);
  ck_assert_ptr_nonnull(strstr(err.msg, "/v1/members"));
  ck_assert_uint_eq(ms.n, 0);
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(leader_found)
{
  struct fake_response r = reply(200, leader_json);
  struct fake_server *fs = serve("GET", "/v1/leader", &r, 1);
  struct dkron_client *c = client_for(fs);
  struct dkron_member m;
  enum dkron_leader_state st;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_leader(c, &m, &st, &err), DK_OK);
  ck_assert_int_eq(st, DKRON_LEADER_FOUND);
  ck_assert_str_eq(m.name, "dkron-server-0");
  ck_assert_str_eq(m.rpc_addr, "10.244.0.12:6868");
  dkron_member_clear(&m);
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(leader_500_is_no_leader_without_retry)
{
  /* v4.0.9+: 500 "null"; older versions during start-up: 500 empty. */
  struct fake_response script[] = {reply(500, "null"), reply(500, NULL)};
  struct fake_server *fs = serve("GET", "/v1/leader", script, 2);
  struct dkron_client *c = client_for(fs);
  struct dkron_member m;
  enum dkron_leader_state st;
  struct dk_err err = {0};

  for (unsigned i = 1; i <= 2; i++) {
    ck_assert_int_eq(dkron_leader(c, &m, &st, &err), DK_OK);
    ck_assert_int_eq(st, DKRON_LEADER_NONE);
    ck_assert_ptr_null(m.name);
    /* One request per question: the caller polls, the client does not. */
    ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/leader"), i);
  }
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(leader_refused_is_unreachable)
{
  char url[64];
  struct dk_err err = {0};
  struct dkron_member m;
  enum dkron_leader_state st;

  refused_url(url, sizeof(url));
  struct dkron_client *c = dkron_client_new(url, NULL, &err);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(dkron_leader(c, &m, &st, &err), DK_ECONNECT);
  ck_assert_int_eq(st, DKRON_LEADER_UNREACHABLE);
  dkron_client_free(c);
}
END_TEST

START_TEST(leader_bad_answers_are_errors)
{
  struct fake_response script[] = {reply(200, "{\"Name\":\"dkron-serv"),
                                   reply(404, "404 page not found")};
  struct fake_server *fs = serve("GET", "/v1/leader", script, 2);
  struct dkron_client *c = client_for(fs);
  struct dkron_member m;
  enum dkron_leader_state st;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_leader(c, &m, &st, &err), DK_EPARSE);
  ck_assert_int_eq(st, DKRON_LEADER_ERROR);
  ck_assert_int_eq(dkron_leader(c, &m, &st, &err), DK_EHTTP);
  ck_assert_int_eq(st, DKRON_LEADER_ERROR);
  ck_assert_int_eq(err.http_status, 404);
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(isleader_judged_by_status)
{
  struct fake_response script[] = {
    reply(200, "\"I am a leader\""),    reply(404, "\"I am a follower\""),
    reply(200, "\"I am a follower\""),  reply(404, "\"I am a leader\""),
    reply(500, "{\"error\":\"boom\"}"),
  };
  static const int want[] = {1, 0, 1, 0};
  struct fake_server *fs = serve("GET", "/v1/isleader", script, 5);
  struct dkron_client *c = client_for(fs);
  struct dk_err err = {0};
  bool leader;

  for (size_t i = 0; i < 4; i++) {
    leader = !want[i];
    ck_assert_int_eq(dkron_is_leader(c, &leader, &err), DK_OK);
    ck_assert_int_eq(leader, want[i]);
  }
  leader = true;
  ck_assert_int_eq(dkron_is_leader(c, &leader, &err), DK_EHTTP);
  ck_assert_int_eq(err.http_status, 500);
  ck_assert(!leader);
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(busy_over_http)
{
  struct fake_response r = reply(200, busy_json);
  struct fake_server *fs = serve("GET", "/v1/busy", &r, 1);
  struct dkron_client *c = client_for(fs);
  struct dkron_executions ex;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_busy(c, &ex, &err), DK_OK);
  ck_assert_uint_eq(dkron_executions_on_node(&ex, "dkron-agent-a"), 2);
  dkron_executions_free(&ex);
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(leave_posts_once)
{
  struct fake_response script[] = {reply(200, leave_json),
                                   reply(500, leave_json)};
  struct fake_server *fs = serve("POST", "/v1/leave", script, 2);
  struct dkron_client *c = client_for(fs);
  struct fake_request seen;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_leave(c, 2000, &err), DK_OK);
  ck_assert_int_eq(fake_server_request(fs, 0, &seen), 0);
  ck_assert_str_eq(seen.method, "POST");
  ck_assert_str_eq(seen.path, "/v1/leave");
  /* A failed leave is reported, not repeated: Stop() is not idempotent. */
  ck_assert_int_eq(dkron_leave(c, 2000, &err), DK_EHTTP);
  ck_assert_int_eq(err.http_status, 500);
  ck_assert_uint_eq(fake_server_hits(fs, "POST", "/v1/leave"), 2);
  dkron_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(health_and_base_url)
{
  struct fake_response script[] = {reply(200, "{\"status\":\"healthy\"}"),
                                   reply(503, NULL)};
  struct fake_server *fs = serve("GET", "/health", script, 2);
  char url[96];
  struct dk_err err = {0};

  /* A trailing '/' on the base URL must not produce "//health". */
  snprintf(url, sizeof(url), "%s/", fake_server_url(fs));
  struct dkron_client *c = dkron_client_new(url, NULL, &err);
  ck_assert_ptr_nonnull(c);
  ck_assert_str_eq(dkron_client_url(c), fake_server_url(fs));
  ck_assert_int_eq(dkron_health(c, &err), DK_OK);
  ck_assert_int_eq(dkron_health(c, &err), DK_EHTTP);
  dkron_client_free(c);
  fake_server_stop(fs);

  ck_assert_ptr_null(dkron_client_new("10.0.0.5:8080", NULL, &err));
  ck_assert_int_eq(err.code, DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "http://"));
}
END_TEST

/* One leader, one without, two stalled past the timeout, one refused: each
 * gets its own outcome and the call lasts about one timeout, not two. */
START_TEST(find_leader_concurrent)
{
  const long timeout = 1000;
  struct fake_response found = reply(200, leader_json);
  struct fake_response none = reply(500, "null");
  struct fake_response stall = reply(200, leader_json);
  stall.delay_ms = 8000;
  struct fake_server *a = serve("GET", "/v1/leader", &found, 1);
  struct fake_server *b = serve("GET", "/v1/leader", &none, 1);
  struct fake_server *c = serve("GET", "/v1/leader", &stall, 1);
  struct fake_server *d = serve("GET", "/v1/leader", &stall, 1);
  char refused[64];
  refused_url(refused, sizeof(refused));
  const char *urls[] = {fake_server_url(a), fake_server_url(b),
                        fake_server_url(c), fake_server_url(d), refused};
  struct dkron_peer_leader out[5];
  struct dk_err err = {0};

  long start = now_ms();
  ck_assert_int_eq(dkron_find_leader(urls, 5, timeout, out, &err), DK_OK);
  long elapsed = now_ms() - start;

  ck_assert_int_eq(out[0].state, DKRON_LEADER_FOUND);
  ck_assert_str_eq(out[0].leader.name, "dkron-server-0");
  ck_assert_str_eq(out[0].leader.rpc_addr, "10.244.0.12:6868");
  ck_assert_int_eq(out[1].state, DKRON_LEADER_NONE);
  ck_assert_int_eq(out[1].err.code, DK_OK);
  ck_assert_int_eq(out[2].state, DKRON_LEADER_UNREACHABLE);
  ck_assert_int_eq(out[2].err.code, DK_ETIMEOUT);
  ck_assert_int_eq(out[3].state, DKRON_LEADER_UNREACHABLE);
  ck_assert_int_eq(out[4].state, DKRON_LEADER_UNREACHABLE);
  ck_assert_int_eq(out[4].err.code, DK_ECONNECT);
  ck_assert_str_eq(out[4].url, refused);
  ck_assert_ptr_eq(dkron_peer_leaders_first(out, 5), &out[0]);
  ck_assert_ptr_null(dkron_peer_leaders_first(out + 1, 4));
  ck_assert_msg(elapsed >= timeout - 100 &&
                  elapsed < test_ms(2 * timeout - 100),
                "took %ld ms for a %ld ms timeout", elapsed, timeout);
  dkron_peer_leaders_clear(out, 5);
  fake_server_stop(a);
  fake_server_stop(b);
  fake_server_stop(c);
  fake_server_stop(d);
}
END_TEST

START_TEST(find_leader_bad_url_is_per_peer)
{
  struct fake_response none = reply(500, "null");
  struct fake_server *a = serve("GET", "/v1/leader", &none, 1);
  const char *urls[] = {"dkron-server-0:8080", fake_server_url(a)};
  struct dkron_peer_leader out[2];
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_find_leader(urls, 2, 1000, out, &err), DK_OK);
  ck_assert_int_eq(out[0].state, DKRON_LEADER_ERROR);
  ck_assert_int_eq(out[0].err.code, DK_EINVAL);
  ck_assert_int_eq(out[1].state, DKRON_LEADER_NONE);
  dkron_peer_leaders_clear(out, 2);
  ck_assert_int_eq(dkron_find_leader(urls, 0, 1000, out, &err), DK_EINVAL);
  fake_server_stop(a);
}
END_TEST

Suite *make_dkron_suite(void)
{
  Suite *s = suite_create("dkron");
  TCase *http = tcase_create("http");

  tcase_set_timeout(http, 20);
  tcase_add_test(http, members_over_http);
  tcase_add_test(http, members_malformed_is_parse_error);
  tcase_add_test(http, leader_found);
  tcase_add_test(http, leader_500_is_no_leader_without_retry);
  tcase_add_test(http, leader_refused_is_unreachable);
  tcase_add_test(http, leader_bad_answers_are_errors);
  tcase_add_test(http, isleader_judged_by_status);
  tcase_add_test(http, busy_over_http);
  tcase_add_test(http, leave_posts_once);
  tcase_add_test(http, health_and_base_url);
  tcase_add_test(http, find_leader_concurrent);
  tcase_add_test(http, find_leader_bad_url_is_per_peer);
  suite_add_tcase(s, http);
  return s;
}
