/* test_status_server.c: the shared status endpoint on real sockets: what
 * /readyz and /healthz answer, over IPv4 and IPv6, and that slow or
 * greedy clients neither stall the other probes nor hold connections. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "status_server.h"
#include "tests.h"

/* A TCP connection to the server's port from `from` (an IPv4 loopback
 * address to bind, or NULL), or over IPv6 when v6. -1 on failure. */
static int connect_to(long port, bool v6, const char *from)
{
  int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int rc;

  ck_assert_int_ge(s, 0);
  if (v6) {
    struct sockaddr_in6 a = {0};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)port);
    a.sin6_addr = in6addr_loopback;
    rc = connect(s, (struct sockaddr *)&a, sizeof(a));
  } else {
    struct sockaddr_in a = {0};
    if (from) {
      struct sockaddr_in b = {0};
      b.sin_family = AF_INET;
      inet_pton(AF_INET, from, &b.sin_addr);
      ck_assert_int_eq(bind(s, (struct sockaddr *)&b, sizeof(b)), 0);
    }
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(s, (struct sockaddr *)&a, sizeof(a));
  }
  if (rc != 0) {
    close(s);
    return -1;
  }
  return s;
}

/* Reads until EOF or deadline_ms; returns the bytes read (NUL-ended). */
static size_t read_all(int s, char *out, size_t len, long deadline_ms)
{
  long long end = clock_ms() + deadline_ms;
  size_t n = 0;

  while (n < len - 1) {
    struct pollfd p = {s, POLLIN, 0};
    ssize_t r;

    if (poll(&p, 1, (int)clock_left_ms(end, -1)) <= 0)
      break;
    r = read(s, out + n, len - 1 - n);
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  out[n] = '\0';
  return n;
}

/* One whole request; the raw response in out. */
static void ask(long port, bool v6, const char *request, char *out, size_t len)
{
  int s = connect_to(port, v6, NULL);

  ck_assert_int_ge(s, 0);
  ck_assert_int_eq(write(s, request, strlen(request)),
                   (ssize_t)strlen(request));
  read_all(s, out, len, test_ms(2000));
  close(s);
}

static struct status_server *start_with(long stale_ms, unsigned per_ip,
                                        struct metrics *m)
{
  struct status_server_opts o = {.port = 0,
                                 .stale_ms = stale_ms,
                                 .idle_s = 1,
                                 .per_ip = per_ip,
                                 .metrics = m};
  struct dk_err err;
  struct status_server *st;

  dk_err_clear(&err);
  st = status_server_start(&o, &err);
  ck_assert_msg(st != NULL, "%s", err.msg);
  ck_assert_int_gt(status_server_port(st), 0);
  return st;
}

static struct status_server *start(long stale_ms, unsigned per_ip)
{
  return start_with(stale_ms, per_ip, NULL);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: x\r\n\r\n"

static void assert_status(const char *out, const char *status)
{
  ck_assert_msg(strncmp(out, "HTTP/1.1 ", 9) == 0 &&
                  strncmp(out + 9, status, strlen(status)) == 0,
                "expected %s, got: %s", status, out);
}

START_TEST(readyz_and_healthz_report_the_state)
{
  struct status_server *st = start(60000, 0);
  long port = status_server_port(st);
  char out[2048];

  ask(port, false, GET("/readyz"), out, sizeof(out));
  assert_status(out, "503");
  ck_assert_ptr_nonnull(strstr(out, "\r\n\r\nstarting\n"));
  status_server_set_ready(st, false, "no leader known yet");
  ask(port, false, GET("/readyz"), out, sizeof(out));
  assert_status(out, "503");
  ck_assert_ptr_nonnull(strstr(out, "\r\n\r\nno leader known yet\n"));
  ck_assert_ptr_nonnull(strstr(out, "text/plain"));
  status_server_set_ready(st, true, "a voter at 10.0.0.7:6868");
  ask(port, true, GET("/readyz"), out, sizeof(out)); /* over IPv6 too */
  assert_status(out, "200");
  ck_assert_ptr_nonnull(strstr(out, "\r\n\r\na voter at 10.0.0.7:6868\n"));
  ask(port, false, GET("/healthz"), out, sizeof(out));
  assert_status(out, "200");
  ck_assert_ptr_nonnull(strstr(out, "\r\n\r\nok\n"));
  ask(port, false, "HEAD /readyz HTTP/1.1\r\nHost: x\r\n\r\n", out,
      sizeof(out));
  assert_status(out, "200");
  ck_assert_ptr_null(strstr(out, "a voter")); /* no body */
  ask(port, false, GET("/readyz?verbose=1"), out, sizeof(out));
  assert_status(out, "200");
  ask(port, false, GET("/metrics"), out, sizeof(out));
  assert_status(out, "404");
  ask(port, false,
      "POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", out,
      sizeof(out));
  assert_status(out, "405");
  ck_assert_ptr_nonnull(strstr(out, "Allow: GET, HEAD"));
  /* Not HTTP (a TLS hello): refused or closed, never answered. */
  ask(port, false, "\x16\x03\x01garbage\r\n\r\n", out, sizeof(out));
  ck_assert_msg(out[0] == '\0' || strncmp(out, "HTTP/1.1 400", 12) == 0, "%s",
                out);
  status_server_stop(st);
}
END_TEST

START_TEST(metrics_are_served_fresh_on_every_scrape)
{
  struct metrics *m = metrics_new();
  struct metric *c =
    metrics_add(m, METRIC_COUNTER, "dkron_k8s_x_total", "Things.", "kind");
  struct status_server *st = start_with(60000, 0, m);
  long port = status_server_port(st);
  char out[4096];

  metric_inc(c, (const char *[]){"a"});
  ask(port, false, GET("/metrics"), out, sizeof(out));
  assert_status(out, "200");
  ck_assert_ptr_nonnull(
    strstr(out, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  ck_assert_ptr_nonnull(strstr(out, "\r\n\r\n# HELP dkron_k8s_x_total Things.\n"
                                    "# TYPE dkron_k8s_x_total counter\n"
                                    "dkron_k8s_x_total{kind=\"a\"} 1\n"));
  metric_inc(c, (const char *[]){"a"});
  ask(port, true, GET("/metrics"), out, sizeof(out));
  ck_assert_ptr_nonnull(strstr(out, "dkron_k8s_x_total{kind=\"a\"} 2\n"));
  status_server_stop(st);
  metrics_free(m);
}
END_TEST

START_TEST(healthz_follows_start_and_loop)
{
  struct status_server *st = start(test_ms(150), 0);
  long port = status_server_port(st);
  char out[2048];

  status_server_beat(st);
  ask(port, false, GET("/healthz"), out, sizeof(out));
  assert_status(out, "200");
  usleep((useconds_t)test_ms(300) * 1000);
  ask(port, false, GET("/healthz"), out, sizeof(out));
  assert_status(out, "503");
  ck_assert_ptr_nonnull(strstr(out, "the main loop has not run for"));
  status_server_beat(st);
  ask(port, false, GET("/healthz"), out, sizeof(out));
  assert_status(out, "200");
  /* Still starting (a startupProbe waits): 503 with the reason. */
  status_server_set_started(st, false, "waiting for the peers' DNS names");
  ask(port, false, GET("/healthz"), out, sizeof(out));
  assert_status(out, "503");
  ck_assert_ptr_nonnull(
    strstr(out, "\r\n\r\nstarting: waiting for the peers' DNS names\n"));
  status_server_set_started(st, true, NULL);
  ask(port, false, GET("/healthz"), out, sizeof(out));
  assert_status(out, "200");
  /* A shutdown blocks the loop on purpose: healthy, not ready. */
  status_server_stopping(st, "shutting down");
  usleep((useconds_t)test_ms(300) * 1000);
  ask(port, false, GET("/healthz"), out, sizeof(out));
  assert_status(out, "200");
  ask(port, false, GET("/readyz"), out, sizeof(out));
  assert_status(out, "503");
  ck_assert_ptr_nonnull(strstr(out, "\r\n\r\nshutting down\n"));
  status_server_stop(st);
}
END_TEST

/* Clients that send a request head one byte at a time, or never finish
 * it, are served by the same thread as the probes: the probes must still
 * be answered at once, and the slow connections closed once idle. */
START_TEST(slow_clients_do_not_stall_probes)
{
  struct status_server *st = start(60000, 64);
  long port = status_server_port(st);
  int slow[20];
  char out[2048];
  long long t0;

  status_server_set_ready(st, true, "ready");
  for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
    slow[i] = connect_to(port, false, NULL);
    ck_assert_int_ge(slow[i], 0);
    ck_assert_int_eq(write(slow[i], "GET /rea", 8), 8);
  }
  t0 = clock_ms();
  ask(port, false, GET("/readyz"), out, sizeof(out));
  assert_status(out, "200");
  ck_assert_int_lt(clock_ms() - t0, test_ms(500));
  /* Idle for more than idle_s (1 s): closed by the server. */
  for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
    ck_assert_uint_eq(read_all(slow[i], out, sizeof(out), test_ms(4000)), 0);
    close(slow[i]);
  }
  status_server_stop(st);
}
END_TEST

/* One client address may hold per_ip connections; more are refused, and
 * a probe from another address is still answered. */
START_TEST(one_client_cannot_take_every_connection)
{
  struct status_server *st = start(60000, 2);
  long port = status_server_port(st);
  int held[2], extra;
  char out[2048];

  status_server_set_ready(st, true, "ready");
  for (size_t i = 0; i < 2; i++) {
    held[i] = connect_to(port, false, "127.0.0.2");
    ck_assert_int_ge(held[i], 0);
    ck_assert_int_eq(write(held[i], "GET /", 5), 5);
  }
  usleep(100 * 1000); /* let the server accept both */
  extra = connect_to(port, false, "127.0.0.2");
  ck_assert_int_ge(extra, 0); /* the kernel accepts; the server closes it */
  /* the write may fail once the server has closed it: either way, no
   * answer comes back */
  if (write(extra, GET("/readyz"), strlen(GET("/readyz"))) > 0)
    read_all(extra, out, sizeof(out), test_ms(1000));
  else
    out[0] = '\0';
  ck_assert_ptr_null(strstr(out, "HTTP/1.1 200"));
  close(extra);
  ask(port, false, GET("/readyz"), out, sizeof(out));
  assert_status(out, "200");
  for (size_t i = 0; i < 2; i++)
    close(held[i]);
  status_server_stop(st);
}
END_TEST

START_TEST(port_in_use_is_explained)
{
  struct status_server *a = start(60000, 0);
  struct status_server_opts o = {.port = status_server_port(a)};
  struct dk_err err;

  dk_err_clear(&err);
  ck_assert_ptr_null(status_server_start(&o, &err));
  ck_assert_msg(strstr(err.msg, "cannot listen on status port") &&
                  strstr(err.msg, "0 to turn it off"),
                "%s", err.msg);
  o.port = 70000;
  ck_assert_ptr_null(status_server_start(&o, &err));
  ck_assert_msg(strstr(err.msg, "out of range"), "%s", err.msg);
  status_server_stop(a);
}
END_TEST

Suite *make_status_server_suite(void)
{
  Suite *s = suite_create("status_server");
  TCase *tc = tcase_create("status_server");

  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, readyz_and_healthz_report_the_state);
  tcase_add_test(tc, metrics_are_served_fresh_on_every_scrape);
  tcase_add_test(tc, healthz_follows_start_and_loop);
  tcase_add_test(tc, slow_clients_do_not_stall_probes);
  tcase_add_test(tc, one_client_cannot_take_every_connection);
  tcase_add_test(tc, port_in_use_is_explained);
  suite_add_tcase(s, tc);
  return s;
}
