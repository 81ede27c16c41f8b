/* test_http_errors.c: the codes and messages of failed transfers
 * (http_errors.c), against the fake HTTP server or a closed port: refused,
 * stalled, truncated, over the body cap. */
#include <stdio.h>
#include <string.h>

#include "fake_http.h"
#include "http.h"
#include "http_fixtures.h"
#include "tests.h"

/* ---- transport failures ---- */

START_TEST(connection_refused_is_econnect)
{
  struct http_client_opts o = {.max_attempts = 2, .backoff_base_ms = 5};
  struct http_client *c = client_with(&o);
  struct http_request req = {.method = "GET"};
  struct http_response resp;
  struct dk_err err = {0};
  char url[128];

  snprintf(url, sizeof(url), "http://127.0.0.1:%u/api",
           (unsigned)closed_port());
  req.url = url;
  ck_assert_int_eq(http_do(c, &req, &resp, &err), DK_ECONNECT);
  ck_assert_int_eq(resp.attempts, 2);
  ck_assert_int_eq(resp.status, 0);
  ck_assert_msg(strstr(err.msg, "GET http://127.0.0.1:") &&
                  strstr(err.msg, "/api") && strstr(err.msg, "refused"),
                "msg: %s", err.msg);
  http_response_free(&resp);
  http_client_free(c);
}
END_TEST

START_TEST(stalled_server_times_out)
{
  static const struct fake_response slow[] = {
    {.status = 200, .body = "late", .delay_ms = 8000}};
  static const struct fake_route routes[] = {{"GET", "/slow", slow, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client_opts o = {.timeout_ms = 300, .max_attempts = 1};
  struct http_client *c = client_with(&o);
  struct http_response resp;
  struct dk_err err = {0};
  long start = now_ms();

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(request(c, fs, "GET", "/slow", &resp, &err), DK_ETIMEOUT);
  ck_assert_int_lt(now_ms() - start, test_ms(5000));
  ck_assert_ptr_null(resp.body);
  ck_assert_msg(strstr(err.msg, "timeout") != NULL, "msg: %s", err.msg);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST
START_TEST(truncated_body_is_an_error_and_retried)
{
  static const struct fake_response cut[] = {
    {.status = 200, .body = "{\"items\":[1,2,3,4,5,6,7,8]}", .truncate = 1},
    {.status = 200, .body = "{}"},
  };
  static const struct fake_route routes[] = {{"GET", "/cut", cut, 2}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client_opts once = {.max_attempts = 1};
  struct http_client_opts twice = {.max_attempts = 2, .backoff_base_ms = 5};
  struct http_client *c = client_with(&once);
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_ne(request(c, fs, "GET", "/cut", &resp, &err), DK_OK);
  ck_assert_ptr_null(resp.body);
  http_response_free(&resp);
  http_client_free(c);

  ck_assert_int_eq(fake_server_set_script(fs, "GET", "/cut", cut, 2), 0);
  c = client_with(&twice);
  ck_assert_int_eq(request(c, fs, "GET", "/cut", &resp, &err), DK_OK);
  ck_assert_str_eq(resp.body, "{}");
  ck_assert_int_eq(resp.attempts, 2);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(body_over_cap_is_etoobig)
{
  static char big[4097];
  static struct fake_response script[1];
  static const struct fake_route routes[] = {{"GET", "/big", script, 1}};
  struct fake_server *fs;
  struct http_client_opts o = {.max_body = 1024};
  struct http_client *c;
  struct http_response resp;
  struct dk_err err = {0};

  memset(big, 'x', sizeof(big) - 1);
  script[0] = (struct fake_response){.status = 200, .body = big};
  fs = fake_server_start(routes, 1, NULL, NULL);
  ck_assert_ptr_nonnull(fs);
  c = client_with(&o);
  ck_assert_int_eq(request(c, fs, "GET", "/big", &resp, &err), DK_ETOOBIG);
  ck_assert_ptr_null(resp.body);
  ck_assert_uint_eq(resp.len, 0);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/big"), 1);
  ck_assert_msg(strstr(err.msg, "1024") && strstr(err.msg, "max_body"),
                "msg: %s", err.msg);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST
Suite *make_http_errors_suite(void)
{
  Suite *s = suite_create("http_errors");
  TCase *client = tcase_create("client");

  tcase_set_timeout(client, 30);
  tcase_add_test(client, connection_refused_is_econnect);
  tcase_add_test(client, stalled_server_times_out);
  tcase_add_test(client, truncated_body_is_an_error_and_retried);
  tcase_add_test(client, body_over_cap_is_etoobig);
  suite_add_tcase(s, client);
  return s;
}
