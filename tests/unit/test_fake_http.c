/* test_fake_http.c: the fake HTTP server of the unit tests (fake_http.c),
 * checked with plain libcurl. */
#include <curl/curl.h>
#include <string.h>

#include "fake_http.h"
#include "http_fixtures.h"
#include "tests.h"

/* A plain libcurl transfer, independent of discovery/http.c, so the fake
 * server is checked on its own. */
struct raw_result {
  CURLcode rc;
  long status;
  char body[4096];
  size_t len;
};

static size_t raw_write(char *data, size_t size, size_t n, void *user)
{
  struct raw_result *r = user;
  size_t len = size * n;
  size_t room = sizeof(r->body) - 1 - r->len;

  if (len > room)
    len = room;
  memcpy(r->body + r->len, data, len);
  r->len += len;
  r->body[r->len] = '\0';
  return size * n;
}

static void raw_request(const char *url, const char *method, const char *body,
                        const char *header, struct raw_result *r)
{
  CURL *h = curl_easy_init();
  struct curl_slist *hdrs = NULL;

  memset(r, 0, sizeof(*r));
  ck_assert_ptr_nonnull(h);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, raw_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
  if (body)
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  if (header) {
    hdrs = curl_slist_append(hdrs, header);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  }
  r->rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
  curl_easy_cleanup(h);
  curl_slist_free_all(hdrs);
}

START_TEST(fake_serves_script_and_records_requests)
{
  static const struct fake_response ok[] = {
    {.status = 201, .body = "{\"first\":1}"},
    {.status = 200, .body = "{\"again\":2}", .headers = "X-Test: yes\n"},
  };
  static const struct fake_route routes[] = {
    {"PATCH", "/api/thing", ok, 2},
  };
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct fake_request seen;
  struct raw_result r;
  char url[256];

  ck_assert_ptr_nonnull(fs);
  ck_assert_uint_ne(fake_server_port(fs), 0);
  url_for(fs, "/api/thing?labelSelector=app%3Ddkron", url, sizeof(url));
  raw_request(url, "PATCH", "{\"a\":1}",
              "Content-Type: application/merge-patch+json", &r);
  ck_assert_int_eq(r.rc, CURLE_OK);
  ck_assert_int_eq(r.status, 201);
  ck_assert_str_eq(r.body, "{\"first\":1}");
  raw_request(url, "PATCH", "{}", NULL, &r);
  ck_assert_int_eq(r.status, 200);
  raw_request(url, "PATCH", "{}", NULL, &r);
  ck_assert_str_eq(r.body, "{\"again\":2}"); /* last response repeats */
  url_for(fs, "/elsewhere", url, sizeof(url));
  raw_request(url, "GET", NULL, NULL, &r);
  ck_assert_int_eq(r.status, 404);
  ck_assert_str_eq(r.body, "no route");

  ck_assert_uint_eq(fake_server_hits(fs, "PATCH", "/api/thing"), 3);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 4);
  ck_assert_int_eq(fake_server_request(fs, 0, &seen), 0);
  ck_assert_str_eq(seen.method, "PATCH");
  ck_assert_str_eq(seen.path, "/api/thing");
  ck_assert_str_eq(seen.query, "labelSelector=app%3Ddkron");
  ck_assert_str_eq(seen.content_type, "application/merge-patch+json");
  ck_assert_str_eq(seen.body, "{\"a\":1}");
  ck_assert_int_eq(fake_server_request(fs, 4, &seen), -1);
  fake_server_stop(fs);
}
END_TEST

START_TEST(fake_streams_chunks_and_truncates)
{
  static const char *const chunks[] = {"one,", "two,", "three"};
  static const struct fake_response stream[] = {
    {.status = 200, .chunks = chunks, .n_chunks = 3, .chunk_delay_ms = 20},
  };
  static const struct fake_response cut[] = {
    {.status = 200, .body = "0123456789abcdef", .truncate = 1},
  };
  static const struct fake_route routes[] = {
    {"GET", "/watch", stream, 1},
    {"GET", "/cut", cut, 1},
  };
  struct fake_server *fs = fake_server_start(routes, 2, NULL, NULL);
  struct raw_result r;
  char url[256];

  ck_assert_ptr_nonnull(fs);
  url_for(fs, "/watch", url, sizeof(url));
  raw_request(url, "GET", NULL, NULL, &r);
  ck_assert_int_eq(r.rc, CURLE_OK);
  ck_assert_str_eq(r.body, "one,two,three");
  url_for(fs, "/cut", url, sizeof(url));
  raw_request(url, "GET", NULL, NULL, &r);
  ck_assert_int_eq(r.rc, CURLE_PARTIAL_FILE);
  ck_assert_str_eq(r.body, "01234567");
  ck_assert_int_eq(fake_server_set_script(fs, "GET", "/cut", stream, 1), 0);
  ck_assert_int_eq(fake_server_set_script(fs, "GET", "/none", stream, 1), -1);
  raw_request(url, "GET", NULL, NULL, &r);
  ck_assert_str_eq(r.body, "one,two,three");
  fake_server_stop(fs);
}
END_TEST

Suite *make_fake_http_suite(void)
{
  Suite *s = suite_create("fake_http");
  TCase *fake = tcase_create("fake_server");

  tcase_set_timeout(fake, 20);
  tcase_add_test(fake, fake_serves_script_and_records_requests);
  tcase_add_test(fake, fake_streams_chunks_and_truncates);
  suite_add_tcase(s, fake);
  return s;
}
