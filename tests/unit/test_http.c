/* test_http.c: the HTTP client (http.c) against the fake HTTP server:
 * plain requests, the bearer token kept out of logs and errors, retries, a
 * caller's stop, and TLS verification with certificates made by the openssl
 * CLI. The retry policy, the failures' codes and messages and the streams
 * have their own suites (test_http_retry.c, test_http_errors.c,
 * test_http_stream.c). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_http.h"
#include "http.h"
#include "http_fixtures.h"
#include "log.h"
#include "log_capture.h"
#include "tests.h"

extern char **environ;

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
/* ---- a caller's stop ---- */

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
  /* The handshake, and loading the system store, can take seconds on a
   * loaded machine and more under valgrind: these tests check the outcome,
   * not the time, so the bounds are wide and stretch with the run. */
  struct http_client_opts o = {.ca_file = ca_file,
                               .max_attempts = 1,
                               .connect_timeout_ms = test_ms(15000),
                               .timeout_ms = test_ms(20000)};
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
Suite *make_http_suite(void)
{
  Suite *s = suite_create("http");
  TCase *client = tcase_create("client");
  TCase *tls_case = tcase_create("tls");

  tcase_set_timeout(client, 30);
  tcase_add_test(client, get_returns_body_and_reuses_connection);
  tcase_add_test(client, bearer_sent_but_never_logged_or_in_errors);
  tcase_add_test(client, patch_sends_body_and_is_not_retried);
  tcase_add_test(client, idempotent_post_is_retried);
  tcase_add_loop_test(client, retry_after_is_honoured, 0, 2);
  tcase_add_test(client, transient_503_then_success);
  tcase_add_test(client, persistent_500_gives_up);
  tcase_add_test(client, stop_request_cuts_backoff_short);
  tcase_add_test(client, stop_request_abandons_a_stalled_transfer);
  suite_add_tcase(s, client);

  tcase_set_timeout(tls_case, 30);
  tcase_add_unchecked_fixture(tls_case, tls_setup, tls_teardown);
  tcase_add_test(tls_case, tls_trusted_ca_succeeds);
  tcase_add_test(tls_case, tls_other_ca_fails_closed);
  tcase_add_test(tls_case, tls_system_store_rejects_test_ca);
  suite_add_tcase(s, tls_case);
  return s;
}
