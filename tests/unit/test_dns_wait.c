/* test_dns_wait.c: waiting until every name resolves (dns_wait.c) against
 * a real dnsmasq on 127.0.0.1 (dns_fixtures.c) whose hosts file changes
 * during the wait, and against a silent server: names that appear later,
 * the deadline and its error, an expected IP, one round for many names,
 * stop(). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "dns_fixtures.h"
#include "dns_wait.h"
#include "log.h"
#include "tests.h"

/* Rewrites the hosts file after a delay, from another thread, while the
 * test thread is inside dns_wait_all. */
struct later {
  const char *content;
  long delay_ms;
  int rc;
};

static void *rewrite_later(void *arg)
{
  struct later *l = arg;

  sleep_ms(l->delay_ms);
  l->rc = set_hosts(l->content);
  return NULL;
}

START_TEST(name_appearing_later_resolves_before_deadline)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"late.svc.test", NULL, {0}}};
  struct dns_wait_opts w = {10000, 100, 400, 0.2, 0, NULL, NULL};
  struct later later = {BASE_HOSTS SELF_AT_5 "10.2.0.1 late.svc.test\n", 1000,
                        -1};
  struct dk_err err = {0};
  pthread_t th;
  int64_t start, elapsed;
  enum dk_code code;

  start = now_ms();
  ck_assert_int_eq(pthread_create(&th, NULL, rewrite_later, &later), 0);
  code = dns_wait_all(r, q, 2, &w, &err);
  elapsed = now_ms() - start;
  pthread_join(th, NULL);
  ck_assert_int_eq(later.rc, 0);
  ck_assert_msg(code == DK_OK, "%s", err.msg);
  /* It was pending until the rewrite, and found soon after. */
  ck_assert_int_ge(elapsed, 900);
  ck_assert_int_lt(elapsed, test_ms(5000));
  ck_assert_str_eq(q[1].result.addrs[0], "10.2.0.1");
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.1");
  dns_resolver_free(r);
}
END_TEST

START_TEST(wait_times_out_naming_the_missing_name)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"ghost.svc.test", NULL, {0}}};
  struct dns_wait_opts w = {1500, 50, 100, 0.0, 500, NULL, NULL};
  struct dk_err err = {0};
  char logbuf[8192];
  int fds[2], lines = 0;
  ssize_t got;
  int64_t start, elapsed;
  enum dk_code code;

  ck_assert_int_eq(pipe(fds), 0);
  log_setup("dns-test", LOG_INFO, LOG_FORMAT_TEXT);
  log_set_fd(fds[1]);
  start = now_ms();
  code = dns_wait_all(r, q, 2, &w, &err);
  elapsed = now_ms() - start;
  log_set_fd(STDERR_FILENO);
  close(fds[1]);
  got = read(fds[0], logbuf, sizeof(logbuf) - 1);
  close(fds[0]);
  ck_assert_int_gt(got, 0);
  logbuf[got] = '\0';

  ck_assert_int_eq(code, DK_ETIMEOUT);
  ck_assert_int_ge(elapsed, 1500);
  ck_assert_int_lt(elapsed, test_ms(3000));
  ck_assert_msg(strstr(err.msg, "1 of 2 names") &&
                  strstr(err.msg, "ghost.svc.test (not found)") &&
                  !strstr(err.msg, "peer-0"),
                "unexpected error: %s", err.msg);
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_int_eq(q[1].result.status, DNS_NOTFOUND);
  /* Progress lines name what is pending, throttled to one per 500 ms
   * although rounds run every 100 ms or less. */
  ck_assert_msg(strstr(logbuf, "waiting for DNS: 1 of 2 names pending: "
                               "ghost.svc.test (not found)"),
                "log: %s", logbuf);
  for (const char *p = logbuf; (p = strstr(p, "waiting for DNS")); p++)
    lines++;
  ck_assert_int_ge(lines, 2);
  ck_assert_int_le(lines, 4);
  dns_resolver_free(r);
}
END_TEST

START_TEST(expected_ip_mismatch_stays_pending_until_fixed)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q = {"self.svc.test", "10.0.0.7", {0}};
  struct dns_wait_opts shortw = {600, 100, 200, 0.0, 0, NULL, NULL};
  struct dns_wait_opts longw = {10000, 100, 400, 0.2, 0, NULL, NULL};
  struct later later = {BASE_HOSTS "10.0.0.7 self.svc.test\n", 1000, -1};
  struct dk_err err = {0};
  pthread_t th;
  int64_t start, elapsed;
  enum dk_code code;

  ck_assert_int_eq(dns_wait_all(r, &q, 1, &shortw, &err), DK_ETIMEOUT);
  ck_assert_msg(
    strstr(err.msg, "self.svc.test (resolves to 10.0.0.5, expected 10.0.0.7)"),
    "unexpected error: %s", err.msg);

  start = now_ms();
  ck_assert_int_eq(pthread_create(&th, NULL, rewrite_later, &later), 0);
  code = dns_wait_all(r, &q, 1, &longw, &err);
  elapsed = now_ms() - start;
  pthread_join(th, NULL);
  ck_assert_int_eq(later.rc, 0);
  ck_assert_msg(code == DK_OK, "%s", err.msg);
  ck_assert_int_ge(elapsed, 900);
  ck_assert(dns_result_has_ip(&q.result, "10.0.0.7"));
  dns_resolver_free(r);
}
END_TEST

START_TEST(several_names_resolve_in_one_round)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 1000, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"peer-1.svc.test", NULL, {0}},
                          {"peer-2.svc.test", NULL, {0}},
                          {"peer-3.svc.test", "10.1.0.4", {0}}};
  /* A second round would first pause 2 s. */
  struct dns_wait_opts w = {10000, 2000, 2000, 0.0, 0, NULL, NULL};
  struct dk_err err = {0};
  int64_t start = now_ms();

  ck_assert_msg(dns_wait_all(r, q, 4, &w, &err) == DK_OK, "%s", err.msg);
  ck_assert_int_lt(now_ms() - start, test_ms(1000));
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.1");
  ck_assert_str_eq(q[1].result.addrs[0], "10.1.0.2");
  ck_assert_str_eq(q[2].result.addrs[0], "10.1.0.3");
  ck_assert(dns_result_has_ip(&q[3].result, "10.1.0.4"));
  dns_resolver_free(r);
}
END_TEST

/* stop() for the cancel test: true once 300 ms have passed. */
static int stop_after_300ms(void *user)
{
  return now_ms() - *(int64_t *)user >= 300;
}
START_TEST(stop_callback_cancels_the_wait)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q = {"ghost.svc.test", NULL, {0}};
  int64_t start = now_ms();
  struct dns_wait_opts w = {10000, 100, 400, 0.2, 0, stop_after_300ms, &start};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_wait_all(r, &q, 1, &w, &err), DK_ECANCELED);
  ck_assert_int_lt(now_ms() - start, test_ms(1500));
  dns_resolver_free(r);
}
END_TEST

START_TEST(deadline_cuts_a_slow_round)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q = {"peer-0.svc.test", NULL, {0}};
  struct dns_wait_opts w = {300, 100, 400, 0.0, 0, NULL, NULL};
  struct dk_err err = {0};
  int64_t start, elapsed;
  enum dk_code code;
  int fd = -1;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(&fd));
  r = new_resolver(server, 5000, 2);
  start = now_ms();
  code = dns_wait_all(r, &q, 1, &w, &err);
  elapsed = now_ms() - start;
  close(fd);
  ck_assert_int_eq(code, DK_ETIMEOUT);
  ck_assert_int_ge(elapsed, 300);
  ck_assert_int_lt(elapsed, test_ms(1500));
  ck_assert_msg(strstr(err.msg, "peer-0.svc.test (timeout)"),
                "unexpected error: %s", err.msg);
  dns_resolver_free(r);
}
END_TEST

Suite *make_dns_wait_suite(void)
{
  Suite *s = suite_create("dns_wait");
  TCase *live = tcase_create("dnsmasq");
  TCase *down = tcase_create("no_server");

  tcase_add_unchecked_fixture(live, case_setup, case_teardown);
  tcase_add_checked_fixture(live, dnsmasq_setup, dnsmasq_teardown);
  tcase_set_timeout(live, 30);
  tcase_add_test(live, name_appearing_later_resolves_before_deadline);
  tcase_add_test(live, wait_times_out_naming_the_missing_name);
  tcase_add_test(live, expected_ip_mismatch_stays_pending_until_fixed);
  tcase_add_test(live, several_names_resolve_in_one_round);
  tcase_add_test(live, stop_callback_cancels_the_wait);
  suite_add_tcase(s, live);

  tcase_add_checked_fixture(down, global_setup, dns_global_cleanup);
  tcase_set_timeout(down, 30);
  tcase_add_test(down, deadline_cuts_a_slow_round);
  suite_add_tcase(s, down);
  return s;
}
