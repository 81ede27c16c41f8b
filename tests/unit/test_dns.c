/* test_dns.c: the resolver (dns.c) against a real dnsmasq on 127.0.0.1
 * (dns_fixtures.c), a server that is down or silent, and bad input.
 * Waiting until every name resolves has its own suite (test_dns_wait.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "dns_fixtures.h"
#include "tests.h"

START_TEST(resolves_names_to_their_addresses)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 1000, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"peer-3.svc.test.", NULL, {0}}};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_resolve(r, q, 2, &err), DK_OK);
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_uint_eq(q[0].result.naddrs, 1);
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.1");
  ck_assert_int_eq(q[1].result.status, DNS_OK);
  ck_assert_uint_eq(q[1].result.naddrs, 2);
  ck_assert(dns_result_has_ip(&q[1].result, "10.1.0.4"));
  /* Any spelling of the same IPv6 address matches. */
  ck_assert(dns_result_has_ip(&q[1].result, "fd00:0:0:0:0:0:1:4"));
  ck_assert(!dns_result_has_ip(&q[1].result, "10.1.0.1"));
  dns_resolver_free(r);
}
END_TEST

START_TEST(ipv4_only_resolver_returns_no_ipv6)
{
  struct dns_opts o = {1000, 2, NULL, g_dm.server, AF_INET};
  struct dns_resolver *r = NULL;
  struct dns_query q = {"peer-3.svc.test", NULL, {0}};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_resolver_new(&o, &r, &err), DK_OK);
  ck_assert_int_eq(dns_resolve(r, &q, 1, &err), DK_OK);
  ck_assert_int_eq(q.result.status, DNS_OK);
  ck_assert_uint_eq(q.result.naddrs, 1);
  ck_assert_str_eq(q.result.addrs[0], "10.1.0.4");
  dns_resolver_free(r);
}
END_TEST

START_TEST(missing_name_is_not_found_quickly)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 1000, 2);
  struct dns_query q = {"ghost.svc.test", NULL, {0}};
  int64_t start = now_ms();

  ck_assert_int_eq(dns_resolve(r, &q, 1, NULL), DK_OK);
  ck_assert_int_eq(q.result.status, DNS_NOTFOUND);
  ck_assert_uint_eq(q.result.naddrs, 0);
  /* An NXDOMAIN answer, not a timeout. */
  ck_assert_int_lt(now_ms() - start, test_ms(1000));
  dns_resolver_free(r);
}
END_TEST

START_TEST(dotted_names_skip_the_search_list)
{
  struct dns_resolver *r;
  struct dns_query q[] = {{"solo", NULL, {0}}, {"two.part", NULL, {0}}};

  /* c-ares reads these at channel creation. */
  setenv("LOCALDOMAIN", "svc.test", 1);
  setenv("RES_OPTIONS", "ndots:1", 1);
  r = new_resolver(g_dm.server, 1000, 2);
  unsetenv("LOCALDOMAIN");
  unsetenv("RES_OPTIONS");
  ck_assert_int_eq(dns_resolve(r, q, 2, NULL), DK_OK);
  /* A short name still goes through the search list... */
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.8");
  /* ...but a dotted one is absolute: two.part.svc.test is not tried. */
  ck_assert_int_eq(q[1].result.status, DNS_NOTFOUND);
  dns_resolver_free(r);
}
END_TEST

START_TEST(server_down_reports_timeout)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q = {"peer-0.svc.test", NULL, {0}};
  int64_t start;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(NULL));
  r = new_resolver(server, 300, 2);
  start = now_ms();
  ck_assert_int_eq(dns_resolve(r, &q, 1, NULL), DK_OK);
  ck_assert_int_eq(q.result.status, DNS_TIMEOUT);
  ck_assert_int_lt(now_ms() - start, test_ms(3000));
  dns_resolver_free(r);
}
END_TEST

START_TEST(silent_server_times_out_after_the_tries)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q = {"peer-0.svc.test", NULL, {0}};
  int64_t start, elapsed;
  int fd = -1;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(&fd));
  r = new_resolver(server, 300, 2);
  start = now_ms();
  ck_assert_int_eq(dns_resolve(r, &q, 1, NULL), DK_OK);
  elapsed = now_ms() - start;
  close(fd);
  ck_assert_int_eq(q.result.status, DNS_TIMEOUT);
  /* Two tries: 300 ms, then 600 ms (c-ares doubles per try). */
  ck_assert_int_ge(elapsed, 600);
  ck_assert_int_lt(elapsed, test_ms(3000));
  dns_resolver_free(r);
}
END_TEST

START_TEST(slow_names_are_resolved_concurrently)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q[] = {{"a.svc.test", NULL, {0}},
                          {"b.svc.test", NULL, {0}},
                          {"c.svc.test", NULL, {0}},
                          {"d.svc.test", NULL, {0}}};
  int64_t start, elapsed;
  int fd = -1;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(&fd));
  r = new_resolver(server, 500, 1);
  start = now_ms();
  ck_assert_int_eq(dns_resolve(r, q, 4, NULL), DK_OK);
  elapsed = now_ms() - start;
  close(fd);
  for (size_t i = 0; i < 4; i++)
    ck_assert_int_eq(q[i].result.status, DNS_TIMEOUT);
  /* One shared 500 ms timeout, not four in a row (2000 ms). */
  ck_assert_int_ge(elapsed, 500);
  ck_assert_int_lt(elapsed, test_ms(1500));
  dns_resolver_free(r);
}
END_TEST

START_TEST(bad_input_is_rejected_with_a_hint)
{
  struct dns_opts bad_server = {0, 0, NULL, "dns.example:53", 0};
  struct dns_opts bad_lookups = {0, 0, "x", NULL, 0};
  struct dns_opts bad_tries = {0, 11, NULL, NULL, 0};
  struct dns_resolver *r = NULL;
  struct dns_query empty = {"", NULL, {0}};
  struct dns_query bad_ip = {"peer-0.svc.test", "10.0.0", {0}};
  struct dns_wait_opts no_deadline = {0, 0, 0, 0.0, 0, NULL, NULL};
  struct dns_wait_opts bad_jitter = {1000, 0, 0, 1.5, 0, NULL, NULL};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_resolver_new(&bad_server, &r, &err), DK_EINVAL);
  ck_assert_ptr_null(r);
  ck_assert_msg(strstr(err.msg, "dns.example:53") && strstr(err.msg, "ip:port"),
                "%s", err.msg);
  ck_assert_int_eq(dns_resolver_new(&bad_lookups, &r, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "lookups"));
  ck_assert_int_eq(dns_resolver_new(&bad_tries, &r, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "1 to 10"));

  ck_assert_int_eq(dns_resolver_new(NULL, &r, &err), DK_OK);
  ck_assert_int_eq(dns_resolve(r, &empty, 1, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
  ck_assert_int_eq(dns_wait_all(r, &bad_ip, 1, &bad_jitter, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "\"10.0.0\""));
  bad_ip.expect_ip = NULL;
  ck_assert_int_eq(dns_wait_all(r, &bad_ip, 1, &no_deadline, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "deadline"));
  ck_assert_int_eq(dns_wait_all(r, &bad_ip, 1, &bad_jitter, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "jitter"));
  dns_resolver_free(r);
}
END_TEST

START_TEST(numeric_names_need_no_server)
{
  struct dns_resolver *r = new_resolver("127.0.0.1:9", 300, 1);
  struct dns_query q[] = {{"10.3.0.1", NULL, {0}}, {"fd00::9", NULL, {0}}};

  ck_assert_int_eq(dns_resolve(r, q, 2, NULL), DK_OK);
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_str_eq(q[0].result.addrs[0], "10.3.0.1");
  ck_assert_int_eq(q[1].result.status, DNS_OK);
  ck_assert_str_eq(q[1].result.addrs[0], "fd00::9");
  dns_resolver_free(r);
}
END_TEST

Suite *make_dns_suite(void)
{
  Suite *s = suite_create("dns");
  TCase *live = tcase_create("dnsmasq");
  TCase *down = tcase_create("no_server");
  TCase *input = tcase_create("input");

  tcase_add_unchecked_fixture(live, case_setup, case_teardown);
  tcase_add_checked_fixture(live, dnsmasq_setup, dnsmasq_teardown);
  tcase_set_timeout(live, 30);
  tcase_add_test(live, resolves_names_to_their_addresses);
  tcase_add_test(live, ipv4_only_resolver_returns_no_ipv6);
  tcase_add_test(live, missing_name_is_not_found_quickly);
  tcase_add_test(live, dotted_names_skip_the_search_list);
  suite_add_tcase(s, live);

  tcase_add_checked_fixture(down, global_setup, dns_global_cleanup);
  tcase_set_timeout(down, 30);
  tcase_add_test(down, server_down_reports_timeout);
  tcase_add_test(down, silent_server_times_out_after_the_tries);
  tcase_add_test(down, slow_names_are_resolved_concurrently);
  suite_add_tcase(s, down);

  tcase_add_checked_fixture(input, global_setup, dns_global_cleanup);
  tcase_add_test(input, bad_input_is_rejected_with_a_hint);
  tcase_add_test(input, numeric_names_need_no_server);
  suite_add_tcase(s, input);
  return s;
}
