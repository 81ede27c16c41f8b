/* dkron_fixtures.c: the fixtures of the dkron suites (see
 * dkron_fixtures.h). */
#include "dkron_fixtures.h"

#include <stdio.h>

#include "tests.h"

const char members_json[] =
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

const char leader_json[] =
  "{\"Name\":\"dkron-server-0\",\"Addr\":\"10.244.0.12\",\"Port\":8946,"
  "\"Tags\":" TAGS_SERVER("10.244.0.12", "4.0.9") ",\"Status\":1," PROTO "}";

const char busy_json[] =
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

/* A fake server with one route answering `script` on method+path. */
struct fake_server *serve(const char *method, const char *path,
                          const struct fake_response *script, size_t n)
{
  struct fake_route route = {method, path, script, n};
  struct fake_server *fs = fake_server_start(&route, 1, NULL, NULL);

  ck_assert_ptr_nonnull(fs);
  return fs;
}

void refused_url(char *buf, size_t len)
{
  struct fake_response none = {404, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0};
  struct fake_server *fs = serve("GET", "/unused", &none, 1);

  snprintf(buf, len, "%s", fake_server_url(fs));
  fake_server_stop(fs);
}

struct fake_response reply(unsigned status, const char *body)
{
  struct fake_response r = {status, body, NULL, NULL, 0, 0, NULL, 0, 0, 0};
  return r;
}
