/* test_dkron.c: the dkron HTTP client against a fake server serving the
 * shapes real dkron servers return, the raft CLI output parsers, and the CLI
 * wrappers end to end with a fake `dkron` program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dkron.h"
#include "dkron_cli.h"
#include "fake_http.h"
#include "tests.h"

/* ---------------------------------------------------------------------- */
/* Real-shaped bodies (dkron v4 /v1/members, /v1/leader, /v1/busy).       */

#define TAGS_SERVER(ip, ver)                                                  \
  "{\"dc\":\"dc1\",\"expect\":\"3\",\"port\":\"6868\",\"region\":\"global\"," \
  "\"role\":\"dkron\",\"rpc_addr\":\"" ip ":6868\",\"server\":\"true\","      \
  "\"version\":\"" ver "\"}"

#define PROTO                                                                \
  "\"ProtocolMin\":1,\"ProtocolMax\":5,\"ProtocolCur\":2,\"DelegateMin\":2," \
  "\"DelegateMax\":5,\"DelegateCur\":4"

static const char members_json[] =
  "[{\"Name\":\"dkron-server-0\",\"Addr\":\"10.244.0.12\",\"Port\":8946,"
  "\"Tags\":" TAGS_SERVER(
    "10.244.0.12",
    "4.0.9") ",\"Status\":1," PROTO ",\"id\":\"5b0f9c1e-8d7a-4f61-9a52-"
             "2f1de0c1b7a3\",\"statusText\":\"alive\"},"
             "{\"Name\":\"dkron-server-1\",\"Addr\":\"10.244.1.7\",\"Port\":"
             "8946,"
             "\"Tags\":" TAGS_SERVER(
               "10.244.1.7",
               "4.0.9") ",\"Status\":3," PROTO
                        ",\"id\":\"c2a1e3f0-1b4d-4c5e-8f9a-0b1c2d3e4f50\","
                        "\"statusText\":\"left\"},"
                        "{\"Name\":\"dkron-server-2\",\"Addr\":\"10.244.2.9\","
                        "\"Port\":8946,"
                        "\"Tags\":" TAGS_SERVER(
                          "10.244.2.9",
                          "4.0.9") ",\"Status\":4," PROTO
                                   ",\"id\":\"9e8d7c6b-5a49-4382-9170-"
                                   "6f5e4d3c2b1a\",\"statusText\":\"failed\"},"
                                   "{\"Name\":\"dkron-agent-7d9f8-x2x4q\","
                                   "\"Addr\":\"10.244.2.31\","
                                   "\"Port\":8946,\"Tags\":{\"dc\":\"dc1\","
                                   "\"port\":\"6868\",\"region\":"
                                   "\"global\",\"role\":\"dkron\",\"rpc_addr\":"
                                   "\"10.244.2.31:6868\","
                                   "\"version\":\"4.0.9\"},\"Status\":1," PROTO
                                   ",\"id\":\"0f1e2d3c-4b5a-4697-8877-"
                                   "665544332211\",\"statusText\":\"alive\"}"
                                   "]\n";

static const char leader_json[] =
  "{\"Name\":\"dkron-server-0\",\"Addr\":\"10.244.0.12\",\"Port\":8946,"
  "\"Tags\":" TAGS_SERVER("10.244.0.12", "4.0.9") ",\"Status\":1," PROTO "}";

static const char busy_json[] =
  "[{\"id\":\"1732262400000000000-dkron-agent-a\",\"job_name\":\"backup\","
  "\"started_at\":\"2026-11-22T07:00:00.123456789Z\",\"finished_at\":"
  "\"0001-01-01T00:00:00Z\",\"success\":false,\"output\":\"\",\"node_name\":"
  "\"dkron-agent-a\",\"group\":1732262400000000000,\"attempt\":1},"
  "{\"id\":\"1732262460000000000-dkron-server-1\",\"job_name\":\"report\","
  "\"started_at\":\"2026-11-22T07:01:00Z\",\"finished_at\":"
  "\"0001-01-01T00:00:00Z\",\"success\":false,\"output\":\"\",\"node_name\":"
  "\"dkron-server-1\",\"group\":1732262460000000000,\"attempt\":1},"
  "{\"id\":\"1732262520000000000-dkron-agent-a\",\"job_name\":\"cleanup\","
  "\"started_at\":\"2026-11-22T07:02:00Z\",\"finished_at\":"
  "\"0001-01-01T00:00:00Z\",\"success\":false,\"output\":\"\",\"node_name\":"
  "\"dkron-agent-a\",\"group\":1732262520000000000,\"attempt\":2}]";

/* /v1/leave answers with agent.peers: region -> array of ServerParts. */
static const char leave_json[] =
  "{\"global\":[{\"Name\":\"dkron-server-1\",\"ID\":\"dkron-server-1\","
  "\"Region\":\"global\",\"Datacenter\":\"dc1\",\"Port\":6868,\"Bootstrap\":"
  "false,\"Expect\":3,\"RaftVersion\":0,\"Addr\":{\"IP\":\"10.244.1.7\","
  "\"Port\":6868,\"Zone\":\"\"},\"RPCAddr\":{\"IP\":\"10.244.1.7\",\"Port\":"
  "6868,\"Zone\":\"\"},\"Status\":1}]}";

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A fake server with one route answering `script` on method+path. */
static struct fake_server *serve(const char *method, const char *path,
                                 const struct fake_response *script, size_t n)
{
  struct fake_route route = {method, path, script, n};
  struct fake_server *fs = fake_server_start(&route, 1, NULL, NULL);

  ck_assert_ptr_nonnull(fs);
  return fs;
}

static struct dkron_client *client_for(const struct fake_server *fs)
{
  struct dk_err err = {0};
  struct dkron_client *c = dkron_client_new(fake_server_url(fs), NULL, &err);

  ck_assert_msg(c != NULL, "client: %s", err.msg);
  return c;
}

/* A base URL nothing listens on: a fake server's port after it stopped. */
static void refused_url(char *buf, size_t len)
{
  struct fake_response none = {404, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0};
  struct fake_server *fs = serve("GET", "/unused", &none, 1);

  snprintf(buf, len, "%s", fake_server_url(fs));
  fake_server_stop(fs);
}

static struct fake_response reply(unsigned status, const char *body)
{
  struct fake_response r = {status, body, NULL, NULL, 0, 0, NULL, 0, 0, 0};
  return r;
}

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

/* ---------------------------------------------------------------------- */
/* raft list-peers parsing                                                */

static const char list_peers_v4[] =
  "Node            ID              Address            State     Voter\n"
  "dkron-server-0  dkron-server-0  10.244.0.12:6868   leader    true\n"
  "dkron-server-1  dkron-server-1  10.244.1.7:6868    follower  true\n"
  "dkron-server-2  dkron-server-2  10.244.2.9:6868    follower  false\n";

START_TEST(list_peers_v4_table)
{
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_list_peers(list_peers_v4, &p, &err), DK_OK);
  ck_assert_uint_eq(p.n, 3);
  ck_assert_str_eq(p.items[0].node, "dkron-server-0");
  ck_assert_str_eq(p.items[0].id, "dkron-server-0");
  ck_assert_str_eq(p.items[0].address, "10.244.0.12:6868");
  ck_assert(p.items[0].leader);
  ck_assert(p.items[0].voter);
  ck_assert(!p.items[1].leader);
  ck_assert(!p.items[2].voter);
  ck_assert_ptr_eq(dkron_raft_peers_find(&p, "dkron-server-1"), &p.items[1]);
  ck_assert_ptr_null(dkron_raft_peers_find(&p, "dkron-server-3"));
  dkron_raft_peers_free(&p);
}
END_TEST

START_TEST(list_peers_v3_stray_line_and_unknown_node)
{
  const char *text =
    "No valid config found: Applying default values.\n"
    "time=\"2026-11-22T07:00:00Z\" level=info msg=\"connected\"\n"
    "Node            ID              Address           State     Voter\r\n"
    "dkron-server-0  dkron-server-0  10.244.0.12:6868  follower  true\r\n"
    "(unknown)       dkron-server-2  10.244.9.99:6868  follower  true\r\n"
    "\n";
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_list_peers(text, &p, &err), DK_OK);
  ck_assert_uint_eq(p.n, 2);
  ck_assert_str_eq(p.items[1].node, "(unknown)");
  ck_assert_str_eq(p.items[1].id, "dkron-server-2");
  ck_assert_str_eq(p.items[1].address, "10.244.9.99:6868");
  ck_assert(!p.items[0].leader && !p.items[1].leader);
  ck_assert(p.items[1].voter);
  dkron_raft_peers_free(&p);

  ck_assert_int_eq(
    dkron_parse_list_peers("Node  ID  Address  State  Voter\n", &p, &err),
    DK_OK);
  ck_assert_uint_eq(p.n, 0);
}
END_TEST

static const char *const bad_list_peers[] = {
  "",
  "Error: rpc error: code = Unavailable desc = connection refused\n",
  "No valid config found: Applying default values.\n",
  "Node  ID  Address  State\n",
  "Node  ID  Address  State  Voter\nonly three columns\n",
  "Node  ID  Address  State  Voter\na  a  10.0.0.1:6868  leader  true  x\n",
  "Node  ID  Address  State  Voter\na  a  10.0.0.1:6868  leader  yes\n",
};

START_TEST(list_peers_rejects_bad_output)
{
  struct dkron_raft_peers p = {(void *)1, 7};
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_list_peers(bad_list_peers[_i], &p, &err),
                   DK_EPARSE);
  ck_assert_ptr_null(p.items);
  ck_assert_uint_eq(p.n, 0);
  ck_assert(err.msg[0] != '\0');
}
END_TEST

/* ---------------------------------------------------------------------- */
/* remove-peer classification                                             */

static const char usage_tail[] =
  "Usage:\n  dkron raft remove-peer [flags]\n\nFlags:\n"
  "  -h, --help             help for remove-peer\n"
  "      --peer-id string   Remove a Dkron server with the given ID from the "
  "Raft configuration.\n\nGlobal Flags:\n"
  "      --rpc-addr string   gRPC address of the agent. (default \"{{ "
  "GetPrivateIP }}:6868\")\n\n";

struct classify_case {
  int exit_code;
  const char *out;
  const char *err_prefix; /* usage_tail is appended after it */
  enum dk_code want;
  enum dkron_remove_outcome outcome;
  const char *msg_has;
};

static const struct classify_case classify_cases[] = {
  {0, "", "time=\"2026-11-22T07:10:00Z\" level=info msg=\"Peer removed\"\n",
   DK_OK, DKRON_PEER_REMOVED, NULL},
  {1, "id \"dkron-server-3\" was not found in the Raft configuration\n",
   "Error: id \"dkron-server-3\" was not found in the Raft configuration\n",
   DK_OK, DKRON_PEER_ALREADY_GONE, NULL},
  {1, "rpc error: code = Unknown desc = node is not the leader\n",
   "Error: rpc error: code = Unknown desc = node is not the leader\n",
   DK_ENOTLEADER, DKRON_PEER_NOT_REMOVED, "node is not the leader"},
  {1, "rpc error: code = Unknown desc = leadership lost while committing log\n",
   "Error: rpc error: code = Unknown desc = leadership lost while committing "
   "log\n",
   DK_ENOTLEADER, DKRON_PEER_NOT_REMOVED, "leadership lost"},
  {1, "context deadline exceeded\n", "Error: context deadline exceeded\n",
   DK_EEXEC, DKRON_PEER_NOT_REMOVED, "Error: context deadline exceeded"},
  {2, "", NULL, DK_EEXEC, DKRON_PEER_NOT_REMOVED, "exited 2: (no output)"},
  {127, NULL, NULL, DK_EEXEC, DKRON_PEER_NOT_REMOVED, "could not be run"},
};

START_TEST(classify_remove_peer_table)
{
  const struct classify_case *tc = &classify_cases[_i];
  char errtext[2048];
  enum dkron_remove_outcome outcome = DKRON_PEER_REMOVED;
  struct dk_err err = {0};

  const char *e = tc->err_prefix; /* success prints no usage */
  if (tc->err_prefix && tc->exit_code != 0) {
    snprintf(errtext, sizeof(errtext), "%s%s", tc->err_prefix, usage_tail);
    e = errtext;
  }
  enum dk_code rc =
    dkron_classify_remove_peer(tc->exit_code, tc->out, e, &outcome, &err);
  ck_assert_int_eq(rc, tc->want);
  ck_assert_int_eq(outcome, tc->outcome);
  if (tc->msg_has)
    ck_assert_msg(strstr(err.msg, tc->msg_has) != NULL, "case %d: \"%s\"", _i,
                  err.msg);
  /* The usage text is never what the error says. */
  ck_assert_ptr_null(strstr(err.msg, "Usage"));
  ck_assert_ptr_null(strstr(err.msg, "GetPrivateIP"));
}
END_TEST

/* ---------------------------------------------------------------------- */
/* CLI wrappers with a fake dkron program                                 */

struct fake_cli {
  char dir[64];
  char bin[128];
  char args[128];
  char count[128];
};

/* Writes an executable sh script that records its arguments (one line per
 * run) and then runs body. */
static void fake_cli_make(struct fake_cli *f, const char *body)
{
  snprintf(f->dir, sizeof(f->dir), "/tmp/dkron-test-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(f->dir));
  snprintf(f->bin, sizeof(f->bin), "%s/dkron", f->dir);
  snprintf(f->args, sizeof(f->args), "%s/args", f->dir);
  snprintf(f->count, sizeof(f->count), "%s/count", f->dir);
  FILE *fp = fopen(f->bin, "w");
  ck_assert_ptr_nonnull(fp);
  fprintf(fp, "#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\n%s\n", f->args, body);
  ck_assert_int_eq(fclose(fp), 0);
  ck_assert_int_eq(chmod(f->bin, 0700), 0);
}

static void fake_cli_cleanup(struct fake_cli *f)
{
  unlink(f->args);
  unlink(f->count);
  unlink(f->bin);
  ck_assert_int_eq(rmdir(f->dir), 0);
}

/* The recorded argument lines, "" if the program never ran. */
static void fake_cli_args(const struct fake_cli *f, char *buf, size_t len)
{
  FILE *fp = fopen(f->args, "r");
  size_t n = 0;

  if (fp) {
    n = fread(buf, 1, len - 1, fp);
    fclose(fp);
  }
  buf[n] = '\0';
}

START_TEST(list_peers_runs_dkron)
{
  struct fake_cli f;
  char body[1024];
  char args[256];
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  snprintf(body, sizeof(body), "printf '%%s' '%s'\nexit 0", list_peers_v4);
  fake_cli_make(&f, body);
  ck_assert_int_eq(dkron_list_peers(f.bin, "10.244.0.12:6868", 5000, &p, &err),
                   DK_OK);
  ck_assert_uint_eq(p.n, 3);
  ck_assert(p.items[0].leader);
  dkron_raft_peers_free(&p);
  fake_cli_args(&f, args, sizeof(args));
  ck_assert_str_eq(args, "raft list-peers --rpc-addr=10.244.0.12:6868\n");
  fake_cli_cleanup(&f);
}
END_TEST

START_TEST(list_peers_failure_is_exec_error)
{
  struct fake_cli f;
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  fake_cli_make(&f, "echo 'Error: context deadline exceeded' >&2\n"
                    "echo 'context deadline exceeded'\nexit 1");
  ck_assert_int_eq(dkron_list_peers(f.bin, "127.0.0.1:6868", 5000, &p, &err),
                   DK_EEXEC);
  ck_assert_ptr_nonnull(strstr(err.msg, "context deadline exceeded"));
  ck_assert_uint_eq(p.n, 0);
  fake_cli_cleanup(&f);
}
END_TEST

struct remove_case {
  const char *body;
  enum dk_code want;
  enum dkron_remove_outcome outcome;
};

static const struct remove_case remove_cases[] = {
  {"echo 'time=\"2026-11-22T07:10:00Z\" level=info msg=\"Peer removed\"' >&2\n"
   "exit 0",
   DK_OK, DKRON_PEER_REMOVED},
  {"echo 'Error: id \"dkron-server-3\" was not found in the Raft "
   "configuration' >&2\necho 'Usage:' >&2\n"
   "echo 'id \"dkron-server-3\" was not found in the Raft configuration'\n"
   "exit 1",
   DK_OK, DKRON_PEER_ALREADY_GONE},
  {"echo 'Error: rpc error: code = Unknown desc = node is not the leader' "
   ">&2\necho 'rpc error: code = Unknown desc = node is not the leader'\n"
   "exit 1",
   DK_ENOTLEADER, DKRON_PEER_NOT_REMOVED},
  {"echo 'Error: rpc error: code = Unavailable desc = connection refused' "
   ">&2\nexit 1",
   DK_EEXEC, DKRON_PEER_NOT_REMOVED},
  {"exec sleep 30", DK_ETIMEOUT, DKRON_PEER_NOT_REMOVED},
};

START_TEST(remove_peer_runs_dkron)
{
  const struct remove_case *tc = &remove_cases[_i];
  struct fake_cli f;
  char args[256];
  enum dkron_remove_outcome outcome = DKRON_PEER_REMOVED;
  struct dk_err err = {0};

  fake_cli_make(&f, tc->body);
  long start = now_ms();
  enum dk_code rc = dkron_remove_peer(f.bin, "10.244.0.12:6868",
                                      "dkron-server-3", 1500, &outcome, &err);
  ck_assert_msg(rc == tc->want, "case %d: %s (%s)", _i, dk_code_name(rc),
                err.msg);
  ck_assert_int_eq(outcome, tc->outcome);
  if (tc->want == DK_ETIMEOUT)
    ck_assert_int_lt(now_ms() - start, test_ms(10000));
  fake_cli_args(&f, args, sizeof(args));
  ck_assert_str_eq(
    args,
    "raft remove-peer --peer-id=dkron-server-3 --rpc-addr=10.244.0.12:6868\n");
  fake_cli_cleanup(&f);
}
END_TEST

/* The first run hits a server that lost leadership; the second succeeds. */
static const char flaky_remove[] =
  "n=$(cat \"$(dirname \"$0\")/count\" 2>/dev/null || echo 0)\n"
  "echo $((n + 1)) > \"$(dirname \"$0\")/count\"\n"
  "if [ \"$n\" -eq 0 ]; then\n"
  "  echo 'Error: rpc error: code = Unknown desc = node is not the leader' "
  ">&2\n"
  "  exit 1\n"
  "fi\n"
  "exit 0";

START_TEST(remove_via_leader_retries_not_leader)
{
  struct fake_response found = reply(200, leader_json);
  struct fake_server *fs = serve("GET", "/v1/leader", &found, 1);
  char refused[64];
  refused_url(refused, sizeof(refused));
  const char *urls[] = {refused, fake_server_url(fs)};
  struct fake_cli f;
  char args[512];
  enum dkron_remove_outcome outcome;
  struct dk_err err = {0};

  fake_cli_make(&f, flaky_remove);
  struct dkron_remove_opts o = {
    .dkron_bin = f.bin,
    .peer_urls = urls,
    .n_peer_urls = 2,
    .peer_id = "dkron-server-3",
    .attempts = 4,
    .deadline_ms = 20000,
    .http_timeout_ms = 1000,
    .cli_timeout_ms = 5000,
    .backoff_ms = 20,
  };
  ck_assert_int_eq(dkron_remove_peer_via_leader(&o, &outcome, &err), DK_OK);
  ck_assert_int_eq(outcome, DKRON_PEER_REMOVED);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/leader"), 2);
  fake_cli_args(&f, args, sizeof(args));
  /* Both runs went to the leader's rpc_addr from /v1/leader. */
  ck_assert_str_eq(args, "raft remove-peer --peer-id=dkron-server-3 "
                         "--rpc-addr=10.244.0.12:6868\n"
                         "raft remove-peer --peer-id=dkron-server-3 "
                         "--rpc-addr=10.244.0.12:6868\n");
  fake_cli_cleanup(&f);
  fake_server_stop(fs);
}
END_TEST

START_TEST(remove_via_leader_gives_up_without_leader)
{
  struct fake_response none = reply(500, "null");
  struct fake_server *fs = serve("GET", "/v1/leader", &none, 1);
  const char *urls[] = {fake_server_url(fs)};
  struct fake_cli f;
  char args[256];
  enum dkron_remove_outcome outcome = DKRON_PEER_REMOVED;
  struct dk_err err = {0};

  fake_cli_make(&f, "exit 0");
  struct dkron_remove_opts o = {
    .dkron_bin = f.bin,
    .peer_urls = urls,
    .n_peer_urls = 1,
    .peer_id = "dkron-server-3",
    .attempts = 3,
    .backoff_ms = 10,
  };
  ck_assert_int_eq(dkron_remove_peer_via_leader(&o, &outcome, &err),
                   DK_ENOTLEADER);
  ck_assert_int_eq(outcome, DKRON_PEER_NOT_REMOVED);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/leader"), 3);
  ck_assert_ptr_nonnull(strstr(err.msg, "3 attempt"));
  ck_assert_ptr_nonnull(strstr(err.msg, "no leader"));
  fake_cli_args(&f, args, sizeof(args));
  ck_assert_str_eq(args, ""); /* never ran without a leader */
  fake_cli_cleanup(&f);
  fake_server_stop(fs);
}
END_TEST

Suite *make_dkron_suite(void)
{
  Suite *s = suite_create("dkron");
  TCase *parse = tcase_create("parse");
  TCase *http = tcase_create("http");
  TCase *cli = tcase_create("cli");

  tcase_add_test(parse, parse_members_real_shape);
  tcase_add_loop_test(parse, parse_members_rejects_malformed, 0,
                      (int)(sizeof(bad_members) / sizeof(bad_members[0])));
  tcase_add_test(parse, parsers_refuse_data_after_the_value);
  tcase_add_test(parse, parse_leader_shapes);
  tcase_add_test(parse, parse_busy_counts_per_node);
  tcase_add_test(parse, list_peers_v4_table);
  tcase_add_test(parse, list_peers_v3_stray_line_and_unknown_node);
  tcase_add_loop_test(
    parse, list_peers_rejects_bad_output, 0,
    (int)(sizeof(bad_list_peers) / sizeof(bad_list_peers[0])));
  tcase_add_loop_test(
    parse, classify_remove_peer_table, 0,
    (int)(sizeof(classify_cases) / sizeof(classify_cases[0])));
  suite_add_tcase(s, parse);

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

  tcase_set_timeout(cli, 30);
  tcase_add_test(cli, list_peers_runs_dkron);
  tcase_add_test(cli, list_peers_failure_is_exec_error);
  tcase_add_loop_test(cli, remove_peer_runs_dkron, 0,
                      (int)(sizeof(remove_cases) / sizeof(remove_cases[0])));
  tcase_add_test(cli, remove_via_leader_retries_not_leader);
  tcase_add_test(cli, remove_via_leader_gives_up_without_leader);
  suite_add_tcase(s, cli);
  return s;
}
