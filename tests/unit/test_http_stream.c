/* test_http_stream.c: streaming GETs (http_stream.c) against the fake HTTP
 * server: chunks in order, a stop, an idle stream, an error status. */
#include <string.h>

#include "fake_http.h"
#include "http_fixtures.h"
#include "http_stream.h"
#include "tests.h"

/* ---- streams ---- */

struct sink {
  char data[256];
  size_t len;
  unsigned calls;
  int stop_after_first; /* should_stop answers yes once data arrived */
  int refuse;           /* on_data returns non-zero */
};

static int sink_data(const char *data, size_t len, void *user)
{
  struct sink *s = user;

  ck_assert_uint_le(s->len + len, sizeof(s->data) - 1);
  memcpy(s->data + s->len, data, len);
  s->len += len;
  s->data[s->len] = '\0';
  s->calls++;
  return s->refuse;
}

static int sink_stop(void *user)
{
  struct sink *s = user;

  return s->stop_after_first && s->calls > 0;
}

/* Streams path from a fresh client; returns the code, fills sink/resp. */
static enum dk_code stream_path(struct fake_server *fs, const char *path,
                                long idle_ms, struct sink *sink,
                                struct http_response *resp, struct dk_err *err)
{
  struct http_client *c = client_with(NULL);
  struct http_request req = {.method = "GET", .bearer = TOKEN};
  enum dk_code rc;
  char url[256];

  url_for(fs, path, url, sizeof(url));
  req.url = url;
  rc = http_stream(c, &req, idle_ms, sink_data, sink_stop, sink, resp, err);
  http_client_free(c);
  return rc;
}

static const char *const watch_chunks[] = {"{\"type\":\"ADDED\"}\n",
                                           "{\"type\":\"MODIFIED\"}\n",
                                           "{\"type\":\"DELETED\"}\n"};

START_TEST(stream_delivers_chunks_in_order)
{
  static const struct fake_response script[] = {{.status = 200,
                                                 .chunks = watch_chunks,
                                                 .n_chunks = 3,
                                                 .chunk_delay_ms = 50}};
  static const struct fake_route routes[] = {{"GET", "/w", script, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct sink sink = {0};
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  ck_assert_msg(stream_path(fs, "/w", 5000, &sink, &resp, &err) == DK_OK, "%s",
                err.msg);
  ck_assert_int_eq(resp.status, 200);
  ck_assert_str_eq(sink.data, "{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n"
                              "{\"type\":\"DELETED\"}\n");
  ck_assert_uint_ge(sink.calls, 3); /* one per delayed chunk, at least */
  ck_assert_ptr_null(resp.body);
  http_response_free(&resp);
  fake_server_stop(fs);
}
END_TEST

START_TEST(stream_stops_when_asked)
{
  static const struct fake_response script[] = {{.status = 200,
                                                 .chunks = watch_chunks,
                                                 .n_chunks = 1,
                                                 .hold_open_ms = 20000}};
  static const struct fake_route routes[] = {{"GET", "/w", script, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct sink sink = {.stop_after_first = 1};
  struct http_response resp;
  struct dk_err err = {0};
  long start = now_ms();

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(stream_path(fs, "/w", 0, &sink, &resp, &err), DK_ECANCELED);
  ck_assert_int_lt(now_ms() - start, test_ms(10000));
  ck_assert_uint_eq(sink.calls, 1);
  http_response_free(&resp);

  sink = (struct sink){.refuse = 1};
  ck_assert_int_eq(stream_path(fs, "/w", 0, &sink, &resp, &err), DK_ECANCELED);
  http_response_free(&resp);
  fake_server_stop(fs);
}
END_TEST

START_TEST(stream_idle_timeout)
{
  static const struct fake_response script[] = {{.status = 200,
                                                 .chunks = watch_chunks,
                                                 .n_chunks = 1,
                                                 .hold_open_ms = 20000}};
  static const struct fake_route routes[] = {{"GET", "/w", script, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct sink sink = {0};
  struct http_response resp;
  struct dk_err err = {0};
  long start = now_ms();

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(stream_path(fs, "/w", 400, &sink, &resp, &err), DK_ETIMEOUT);
  ck_assert_int_ge(now_ms() - start, 400);
  ck_assert_int_lt(now_ms() - start, test_ms(10000));
  ck_assert_str_eq(sink.data, watch_chunks[0]);
  ck_assert_msg(strstr(err.msg, "400 ms") != NULL, "msg: %s", err.msg);
  http_response_free(&resp);
  fake_server_stop(fs);
}
END_TEST

START_TEST(stream_error_status_lands_in_response)
{
  static const char gone[] =
    "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Expired\","
    "\"code\":410}";
  static const struct fake_response script[] = {{.status = 410, .body = gone}};
  static const struct fake_route routes[] = {{"GET", "/w", script, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct sink sink = {0};
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(stream_path(fs, "/w", 5000, &sink, &resp, &err), DK_OK);
  ck_assert_int_eq(resp.status, 410);
  ck_assert_str_eq(resp.body, gone);
  ck_assert_uint_eq(sink.calls, 0);
  http_response_free(&resp);
  fake_server_stop(fs);
}
END_TEST
Suite *make_http_stream_suite(void)
{
  Suite *s = suite_create("http_stream");
  TCase *stream = tcase_create("stream");

  tcase_set_timeout(stream, 30);
  tcase_add_test(stream, stream_delivers_chunks_in_order);
  tcase_add_test(stream, stream_stops_when_asked);
  tcase_add_test(stream, stream_idle_timeout);
  tcase_add_test(stream, stream_error_status_lands_in_response);
  suite_add_tcase(s, stream);
  return s;
}
