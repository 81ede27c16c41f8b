/* test_http.c: the fake HTTP server (checked with plain libcurl) and the
 * discovery/http client against it. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_http.h"
#include "http.h"
#include "log.h"
#include "log_capture.h"
#include "tests.h"

extern char **environ;

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

static void url_for(const struct fake_server *fs, const char *path, char *out,
                    size_t cap)
{
  int n = snprintf(out, cap, "%s%s", fake_server_url(fs), path);

  ck_assert(n > 0 && (size_t)n < cap);
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

/* ---- helpers for the client tests ---- */

#define TOKEN "s3cr3t-t0ken-value"

static long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct http_client *client_with(const struct http_client_opts *o)
{
  struct dk_err err = {0};
  struct http_client *c = http_client_new(o, &err);

  ck_assert_msg(c != NULL, "http_client_new: %s", err.msg);
  return c;
}

/* Runs one request against the fake server's path. */
static enum dk_code request(struct http_client *c, struct fake_server *fs,
                            const char *method, const char *path,
                            struct http_response *resp, struct dk_err *err)
{
  struct http_request req = {.method = method, .bearer = TOKEN};
  char url[256];

  url_for(fs, path, url, sizeof(url));
  req.url = url;
  return http_do(c, &req, resp, err);
}

/* A port on 127.0.0.1 that nobody listens on: bound, read, closed. */
static unsigned short closed_port(void)
{
  struct sockaddr_in addr = {.sin_family = AF_INET};
  socklen_t len = sizeof(addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  ck_assert_int_ge(fd, 0);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

/* ---- plain requests ---- */

START_TEST(get_returns_body_and_reuses_connection)
{
  static const struct fake_response ok[] = {{.status = 200, .body = "hello"}};
  static const struct fake_route routes[] = {{"GET", "/a", ok, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client *c = client_with(NULL);
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(request(c, fs, "GET", "/a", &resp, &err), DK_OK);
  ck_assert_int_eq(resp.status, 200);
  ck_assert_str_eq(resp.body, "hello");
  ck_assert_uint_eq(resp.len, 5);
  ck_assert_int_eq(resp.attempts, 1);
  http_response_free(&resp);
  ck_assert_int_eq(request(c, fs, "GET", "/a", &resp, &err), DK_OK);
  ck_assert_str_eq(resp.body, "hello");
  http_response_free(&resp);
  http_response_free(&resp); /* idempotent */
  ck_assert_ptr_null(resp.body);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/a"), 2);
  ck_assert_uint_eq(fake_server_connections(fs), 1);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(bearer_sent_but_never_logged_or_in_errors)
{
  static const struct fake_response busy[] = {{.status = 503}};
  static const struct fake_route routes[] = {{"GET", "/busy", busy, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client_opts o = {.max_attempts = 2, .backoff_base_ms = 5};
  struct http_client *c = client_with(&o);
  struct http_request req = {.method = "GET", .bearer = TOKEN};
  struct http_response resp;
  struct dk_err err = {0};
  struct fake_request seen;
  struct log_capture lc;
  char url[512];

  ck_assert_ptr_nonnull(fs);
  url_for(fs, "/busy?token=" TOKEN, url, sizeof(url));
  req.url = url;
  log_capture_begin(&lc);
  ck_assert_int_eq(http_do(c, &req, &resp, &err), DK_EHTTP);
  ck_assert_msg(strstr(err.msg, "/busy") && !strstr(err.msg, TOKEN), "msg: %s",
                err.msg);
  http_response_free(&resp);
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/x?token=" TOKEN,
           (unsigned)closed_port());
  ck_assert_int_eq(http_do(c, &req, &resp, &err), DK_ECONNECT);
  log_capture_end(&lc);

  ck_assert_int_eq(fake_server_request(fs, 0, &seen), 0);
  ck_assert_str_eq(seen.authorization, "Bearer " TOKEN);
  ck_assert_str_eq(seen.user_agent, "dkron-k8s/" DKRON_K8S_VERSION);
  ck_assert_msg(strstr(lc.text, "retry 2/2") != NULL, "log: %s", lc.text);
  ck_assert_msg(strstr(lc.text, TOKEN) == NULL, "token logged: %s", lc.text);
  ck_assert_msg(strstr(err.msg, "127.0.0.1") != NULL, "msg: %s", err.msg);
  ck_assert_msg(strstr(err.msg, TOKEN) == NULL, "token in error: %s", err.msg);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(patch_sends_body_and_is_not_retried)
{
  static const struct fake_response busy[] = {{.status = 503}};
  static const struct fake_route routes[] = {{"PATCH", "/p", busy, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client_opts o = {.backoff_base_ms = 5};
  struct http_client *c = client_with(&o);
  static const char body[] = "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}";
  struct http_request req = {.method = "PATCH",
                             .content_type = "application/merge-patch+json",
                             .body = body,
                             .body_len = sizeof(body) - 1};
  struct http_response resp;
  struct dk_err err = {0};
  struct fake_request seen;
  char url[256];

  ck_assert_ptr_nonnull(fs);
  url_for(fs, "/p", url, sizeof(url));
  req.url = url;
  ck_assert_int_eq(http_do(c, &req, &resp, &err), DK_OK);
  ck_assert_int_eq(resp.status, 503);
  ck_assert_int_eq(resp.attempts, 1);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 1);
  ck_assert_int_eq(fake_server_request(fs, 0, &seen), 0);
  ck_assert_str_eq(seen.method, "PATCH");
  ck_assert_str_eq(seen.content_type, "application/merge-patch+json");
  ck_assert_str_eq(seen.body, body);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(idempotent_post_is_retried)
{
  static const struct fake_response script[] = {{.status = 502},
                                                {.status = 201, .body = "{}"}};
  static const struct fake_route routes[] = {{"POST", "/q", script, 2}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client_opts o = {.backoff_base_ms = 5};
  struct http_client *c = client_with(&o);
  struct http_request req = {
    .method = "POST", .body = "{}", .body_len = 2, .idempotent = 1};
  struct http_response resp;
  struct dk_err err = {0};
  char url[256];

  ck_assert_ptr_nonnull(fs);
  url_for(fs, "/q", url, sizeof(url));
  req.url = url;
  ck_assert_int_eq(http_do(c, &req, &resp, &err), DK_OK);
  ck_assert_int_eq(resp.status, 201);
  ck_assert_int_eq(resp.attempts, 2);
  ck_assert_uint_eq(fake_server_hits(fs, "POST", "/q"), 2);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* ---- retries ---- */

static int never_stop(void *user)
{
  (void)user;
  return 0;
}

/* Loop 0: no interrupt; loop 1: an interrupt that never says stop (the
 * sliced backoff sleep still waits the whole Retry-After). */
START_TEST(retry_after_is_honoured)
{
  static const struct fake_response script[] = {
    {.status = 429, .headers = "Retry-After: 1\n"},
    {.status = 200, .body = "ok"},
  };
  static const struct fake_route routes[] = {{"GET", "/r", script, 2}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  /* A 1 ms backoff base: only Retry-After can explain a 1 s wait. */
  struct http_client_opts o = {.backoff_base_ms = 1,
                               .backoff_max_ms = 5000,
                               .interrupt = _i ? never_stop : NULL};
  struct http_client *c = client_with(&o);
  struct http_response resp;
  struct dk_err err = {0};
  long start = now_ms();

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(request(c, fs, "GET", "/r", &resp, &err), DK_OK);
  ck_assert_int_eq(resp.status, 200);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/r"), 2);
  ck_assert_int_ge(now_ms() - start, 950);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(transient_503_then_success)
{
  static const struct fake_response script[] = {
    {.status = 503}, {.status = 503}, {.status = 503}, {.status = 200}};
  static const struct fake_route routes[] = {{"GET", "/s", script, 4}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client_opts o = {.backoff_base_ms = 5, .backoff_max_ms = 20};
  struct http_client *c = client_with(&o);
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(request(c, fs, "GET", "/s", &resp, &err), DK_OK);
  ck_assert_int_eq(resp.status, 200);
  ck_assert_int_eq(resp.attempts, 4);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/s"), 4);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(persistent_500_gives_up)
{
  static const struct fake_response script[] = {{.status = 500}};
  static const struct fake_route routes[] = {{"GET", "/f", script, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client_opts o = {.max_attempts = 3, .backoff_base_ms = 5};
  struct http_client *c = client_with(&o);
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  ck_assert_int_eq(request(c, fs, "GET", "/f", &resp, &err), DK_EHTTP);
  ck_assert_int_eq(err.code, DK_EHTTP);
  ck_assert_int_eq(err.http_status, 500);
  ck_assert_int_eq(resp.status, 500);
  ck_assert_int_eq(resp.attempts, 3);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/f"), 3);
  ck_assert_msg(strstr(err.msg, "HTTP 500") && strstr(err.msg, "3 attempts"),
                "msg: %s", err.msg);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}
END_TEST

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

/* An interrupt that says stop once its deadline has passed. */
static long stop_deadline_ms;
static int stop_after_deadline(void *user)
{
  (void)user;
  return now_ms() >= stop_deadline_ms;
}

/* One GET of a route answering `reply`, with an interrupt that says stop
 * 300 ms in: it must end DK_ECANCELED within limit_ms, after one request. */
static void assert_stop_cuts_short(const struct fake_response *reply,
                                   struct http_client_opts o, long limit_ms)
{
  const struct fake_route routes[] = {{"GET", "/x", reply, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct http_client *c;
  struct http_response resp;
  struct dk_err err = {0};
  long start = now_ms();

  ck_assert_ptr_nonnull(fs);
  o.interrupt = stop_after_deadline;
  c = client_with(&o);
  stop_deadline_ms = start + 300;
  ck_assert_int_eq(request(c, fs, "GET", "/x", &resp, &err), DK_ECANCELED);
  ck_assert_int_lt(now_ms() - start, test_ms(limit_ms));
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/x"), 1);
  ck_assert_msg(strstr(err.msg, "abandoned: the caller stopped it") != NULL,
                "msg: %s", err.msg);
  ck_assert_ptr_null(resp.body);
  http_response_free(&resp);
  http_client_free(c);
  fake_server_stop(fs);
}

/* Without the interrupt: three 5 s Retry-After waits. */
START_TEST(stop_request_cuts_backoff_short)
{
  static const struct fake_response busy = {.status = 503,
                                            .headers = "Retry-After: 5\n"};
  struct http_client_opts o = {.backoff_max_ms = 5000};

  assert_stop_cuts_short(&busy, o, 2000);
}
END_TEST

/* Without the interrupt: 8 s until the reply. */
START_TEST(stop_request_abandons_a_stalled_transfer)
{
  static const struct fake_response slow = {
    .status = 200, .body = "late", .delay_ms = 8000};
  struct http_client_opts o = {.timeout_ms = 20000};

  assert_stop_cuts_short(&slow, o, 4000);
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

/* ---- TLS with certificates made by the openssl CLI ---- */

static struct {
  char dir[256];
  char *cert_pem; /* server cert, signed by CA A */
  char *key_pem;
  char ca_a[320];
  char ca_b[320];
  char why[256]; /* non-empty if the fixture could not be built */
} tls;

static const char *const tls_files[] = {"ca-a.key", "ca-a.crt", "ca-a.srl",
                                        "ca-b.key", "ca-b.crt", "srv.key",
                                        "srv.csr",  "srv.crt",  "srv.ext"};

/* Runs openssl with argv (no shell) in the fixture dir; 0 on success. */
static int run_openssl(const char *const *args)
{
  char *argv[32];
  size_t n = 0;
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int status = 0;
  int rc;

  argv[n++] = "openssl";
  for (; *args && n < 31; args++)
    argv[n++] = (char *)*args;
  argv[n] = NULL;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY,
                                   0);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY,
                                   0);
  posix_spawn_file_actions_addchdir_np(&fa, tls.dir);
  rc = posix_spawnp(&pid, "openssl", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return -1;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Reads a whole small file under the fixture dir into a new string. */
static char *read_fixture(const char *name)
{
  char path[320];
  char *buf = NULL;
  long size;
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", tls.dir, name);
  f = fopen(path, "r");
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)size + 1)) &&
      fread(buf, 1, (size_t)size, f) != (size_t)size) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  return buf;
}

static int write_fixture(const char *name, const char *text)
{
  char path[320];
  FILE *f;
  int rc;

  snprintf(path, sizeof(path), "%s/%s", tls.dir, name);
  f = fopen(path, "w");
  if (!f)
    return -1;
  rc = fputs(text, f) < 0 ? -1 : 0;
  return fclose(f) == 0 ? rc : -1;
}

static int make_ca(const char *key, const char *crt, const char *cn)
{
  const char *const args[] = {"req",
                              "-x509",
                              "-new",
                              "-newkey",
                              "ec",
                              "-pkeyopt",
                              "ec_paramgen_curve:prime256v1",
                              "-nodes",
                              "-keyout",
                              key,
                              "-out",
                              crt,
                              "-days",
                              "2",
                              "-subj",
                              cn,
                              NULL};

  return run_openssl(args);
}

/* Two CAs and a server cert for IP:127.0.0.1 signed by the first. */
static int make_certs(void)
{
  const char *const csr[] = {"req",           "-new",
                             "-newkey",       "ec",
                             "-pkeyopt",      "ec_paramgen_curve:prime256v1",
                             "-nodes",        "-keyout",
                             "srv.key",       "-out",
                             "srv.csr",       "-subj",
                             "/CN=127.0.0.1", NULL};
  const char *const sign[] = {
    "x509",     "-req",   "-in",      "srv.csr",         "-CA",
    "ca-a.crt", "-CAkey", "ca-a.key", "-CAcreateserial", "-out",
    "srv.crt",  "-days",  "2",        "-extfile",        "srv.ext",
    NULL};

  if (make_ca("ca-a.key", "ca-a.crt", "/CN=dkron-k8s test CA A") != 0 ||
      make_ca("ca-b.key", "ca-b.crt", "/CN=dkron-k8s test CA B") != 0)
    return -1;
  if (write_fixture("srv.ext", "subjectAltName=IP:127.0.0.1\n"
                               "extendedKeyUsage=serverAuth\n") != 0)
    return -1;
  return run_openssl(csr) == 0 && run_openssl(sign) == 0 ? 0 : -1;
}

static void tls_setup(void)
{
  memset(&tls, 0, sizeof(tls));
  const char *tmp = getenv("TMPDIR");

  snprintf(tls.dir, sizeof(tls.dir), "%s/dk-http-tls.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(tls.dir)) {
    snprintf(tls.why, sizeof(tls.why), "mkdtemp: %s", strerror(errno));
    tls.dir[0] = '\0';
    return;
  }
  snprintf(tls.ca_a, sizeof(tls.ca_a), "%s/ca-a.crt", tls.dir);
  snprintf(tls.ca_b, sizeof(tls.ca_b), "%s/ca-b.crt", tls.dir);
  if (make_certs() != 0) {
    snprintf(tls.why, sizeof(tls.why),
             "openssl could not make the test certificates (is openssl "
             "installed? run make deps)");
    return;
  }
  tls.cert_pem = read_fixture("srv.crt");
  tls.key_pem = read_fixture("srv.key");
  if (!tls.cert_pem || !tls.key_pem)
    snprintf(tls.why, sizeof(tls.why), "could not read the generated PEMs");
}

static void tls_teardown(void)
{
  char path[320];

  free(tls.cert_pem);
  free(tls.key_pem);
  tls.cert_pem = tls.key_pem = NULL;
  if (!tls.dir[0])
    return;
  for (size_t i = 0; i < sizeof(tls_files) / sizeof(tls_files[0]); i++) {
    snprintf(path, sizeof(path), "%s/%s", tls.dir, tls_files[i]);
    unlink(path);
  }
  rmdir(tls.dir);
}

/* GET / over TLS with the given CA file (NULL: system store). */
static enum dk_code tls_get(const char *ca_file, struct http_response *resp,
                            struct dk_err *err)
{
  static const struct fake_response ok[] = {{.status = 200, .body = "tls"}};
  static const struct fake_route routes[] = {{"GET", "/", ok, 1}};
  struct fake_server *fs;
  struct http_client_opts o = {.ca_file = ca_file, .max_attempts = 1};
  struct http_client *c;
  enum dk_code rc;

  ck_assert_msg(tls.why[0] == '\0', "TLS fixture: %s", tls.why);
  fs = fake_server_start(routes, 1, tls.cert_pem, tls.key_pem);
  ck_assert_ptr_nonnull(fs);
  ck_assert(strncmp(fake_server_url(fs), "https://", 8) == 0);
  c = client_with(&o);
  rc = request(c, fs, "GET", "/", resp, err);
  http_client_free(c);
  fake_server_stop(fs);
  return rc;
}

START_TEST(tls_trusted_ca_succeeds)
{
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_msg(tls_get(tls.ca_a, &resp, &err) == DK_OK, "%s", err.msg);
  ck_assert_int_eq(resp.status, 200);
  ck_assert_str_eq(resp.body, "tls");
  http_response_free(&resp);
}
END_TEST

START_TEST(tls_other_ca_fails_closed)
{
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_int_eq(tls_get(tls.ca_b, &resp, &err), DK_ETLS);
  ck_assert_ptr_null(resp.body);
  ck_assert_msg(strstr(err.msg, "tls") != NULL, "msg: %s", err.msg);
  http_response_free(&resp);
}
END_TEST

START_TEST(tls_system_store_rejects_test_ca)
{
  struct http_response resp;
  struct dk_err err = {0};

  ck_assert_int_eq(tls_get(NULL, &resp, &err), DK_ETLS);
  ck_assert_ptr_null(resp.body);
  http_response_free(&resp);
}
END_TEST

/* ---- backoff and Retry-After parsing ---- */

START_TEST(backoff_stays_in_its_window_and_grows)
{
  long top[7] = {0};

  for (int attempt = 1; attempt <= 6; attempt++) {
    long cap = 100L << (attempt - 1);

    if (cap > 1000)
      cap = 1000;
    for (int i = 0; i < 2000; i++) {
      long v = http_backoff_ms(100, 1000, attempt);

      ck_assert_int_ge(v, 0);
      ck_assert_int_le(v, cap);
      if (v > top[attempt])
        top[attempt] = v;
    }
  }
  /* Each window is wide enough that 2000 samples reach past the last. */
  for (int attempt = 2; attempt <= 4; attempt++)
    ck_assert_int_gt(top[attempt], top[attempt - 1]);
  ck_assert_int_gt(top[6], 900);
  ck_assert_int_le(http_backoff_ms(100, 1000, 200), 1000);
  ck_assert_int_eq(http_backoff_ms(0, 1000, 3), 0);
}
END_TEST

START_TEST(retry_after_parsing)
{
  char date[64];
  time_t later = time(NULL) + 120;
  struct tm tm;
  long ms;

  gmtime_r(&later, &tm);
  strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  ck_assert_int_eq(http_parse_retry_after("3"), 3000);
  ck_assert_int_eq(http_parse_retry_after(" 3 "), 3000);
  ck_assert_int_eq(http_parse_retry_after("0"), 0);
  ms = http_parse_retry_after(date);
  ck_assert_msg(ms > 100000 && ms <= 120000, "%s -> %ld", date, ms);
  ck_assert_int_eq(http_parse_retry_after("soon"), -1);
  ck_assert_int_eq(http_parse_retry_after("3x"), -1);
  ck_assert_int_eq(http_parse_retry_after("-5"), -1);
  ck_assert_int_eq(http_parse_retry_after(""), -1);
  ck_assert_int_eq(http_parse_retry_after(NULL), -1);
}
END_TEST

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

Suite *make_http_suite(void)
{
  Suite *s = suite_create("http");
  TCase *fake = tcase_create("fake_server");
  TCase *client = tcase_create("client");
  TCase *tls_case = tcase_create("tls");
  TCase *pure = tcase_create("backoff");
  TCase *stream = tcase_create("stream");

  tcase_set_timeout(fake, 20);
  tcase_add_test(fake, fake_serves_script_and_records_requests);
  tcase_add_test(fake, fake_streams_chunks_and_truncates);
  suite_add_tcase(s, fake);

  tcase_set_timeout(client, 30);
  tcase_add_test(client, get_returns_body_and_reuses_connection);
  tcase_add_test(client, bearer_sent_but_never_logged_or_in_errors);
  tcase_add_test(client, patch_sends_body_and_is_not_retried);
  tcase_add_test(client, idempotent_post_is_retried);
  tcase_add_loop_test(client, retry_after_is_honoured, 0, 2);
  tcase_add_test(client, transient_503_then_success);
  tcase_add_test(client, persistent_500_gives_up);
  tcase_add_test(client, connection_refused_is_econnect);
  tcase_add_test(client, stalled_server_times_out);
  tcase_add_test(client, truncated_body_is_an_error_and_retried);
  tcase_add_test(client, body_over_cap_is_etoobig);
  tcase_add_test(client, stop_request_cuts_backoff_short);
  tcase_add_test(client, stop_request_abandons_a_stalled_transfer);
  suite_add_tcase(s, client);

  tcase_set_timeout(tls_case, 30);
  tcase_add_unchecked_fixture(tls_case, tls_setup, tls_teardown);
  tcase_add_test(tls_case, tls_trusted_ca_succeeds);
  tcase_add_test(tls_case, tls_other_ca_fails_closed);
  tcase_add_test(tls_case, tls_system_store_rejects_test_ca);
  suite_add_tcase(s, tls_case);

  tcase_add_test(pure, backoff_stays_in_its_window_and_grows);
  tcase_add_test(pure, retry_after_parsing);
  suite_add_tcase(s, pure);

  tcase_set_timeout(stream, 30);
  tcase_add_test(stream, stream_delivers_chunks_in_order);
  tcase_add_test(stream, stream_stops_when_asked);
  tcase_add_test(stream, stream_idle_timeout);
  tcase_add_test(stream, stream_error_status_lands_in_response);
  suite_add_tcase(s, stream);
  return s;
}
