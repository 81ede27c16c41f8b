/* test_podinfo.c: the pod facts both entrypoints default to: the host name,
 * the service account's namespace file, and the checks of POD_NAME and
 * POD_IP with the messages that name the downward-API fix. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "k8s.h"
#include "podinfo.h"
#include "tests.h"

struct ip_case {
  const char *text;
  int is_ip;
};

static const struct ip_case ip_cases[] = {
  {"10.244.0.11", 1},
  {"0.0.0.0", 1},
  {"255.255.255.255", 1},
  {"fd00::5", 1},
  {"::1", 1},
  {"2001:db8::a:b:c", 1},
  {"::ffff:10.0.0.1", 1},
  {"10.0.0.300", 0},
  {"10.0.0", 0},
  {"10.0.0.1 ", 0},
  {" 10.0.0.1", 0},
  {"10.0.0.1/24", 0},
  {"fe80::1%eth0", 0},
  {"[fd00::5]", 0},
  {"dkron-server-0", 0},
  {"", 0},
  {NULL, 0},
};

START_TEST(is_ip_takes_numeric_addresses_only)
{
  const struct ip_case *c = &ip_cases[_i];

  ck_assert_msg(pod_is_ip(c->text) == c->is_ip, "\"%s\": want %d",
                c->text ? c->text : "(null)", c->is_ip);
}
END_TEST

START_TEST(check_ip_names_the_variable_and_the_fix)
{
  char err[256], small[12];

  strcpy(err, "untouched");
  ck_assert_int_eq(pod_check_ip("10.244.0.11", err, sizeof(err)), 0);
  ck_assert_int_eq(pod_check_ip("fd00::5", err, sizeof(err)), 0);
  ck_assert_str_eq(err, "untouched");

  ck_assert_int_eq(pod_check_ip(NULL, err, sizeof(err)), -1);
  ck_assert_str_eq(
    err, "POD_IP is not set: set it from the downward API status.podIP");
  ck_assert_int_eq(pod_check_ip("dkron-server-0", err, sizeof(err)), -1);
  ck_assert_str_eq(err, "POD_IP \"dkron-server-0\" is not an IP address: "
                        "set it from the downward API status.podIP");
  /* A short buffer gets a truncated, terminated message. */
  ck_assert_int_eq(pod_check_ip("10.0.0.300", small, sizeof(small)), -1);
  ck_assert_str_eq(small, "POD_IP \"10.");
}
END_TEST

START_TEST(fill_name_keeps_a_given_name)
{
  const char *name = "dkron-server-2";
  const char *given = name;
  char err[256] = "";

  ck_assert_int_eq(pod_fill_name(&name, err, sizeof(err)), 0);
  ck_assert_ptr_eq(name, given);
  ck_assert_str_eq(err, "");
}
END_TEST

/* Without POD_NAME the host name is the pod's name (a pod's host name is
 * its name), kept in a buffer that outlives the call. */
START_TEST(fill_name_defaults_to_the_host_name)
{
  char host[256], err[256] = "";
  const char *name = NULL, *again = NULL;

  ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
  host[sizeof(host) - 1] = '\0';
  ck_assert_int_eq(pod_fill_name(&name, err, sizeof(err)), 0);
  ck_assert_ptr_nonnull(name);
  ck_assert_str_eq(name, host);
  ck_assert_int_eq(pod_fill_name(&again, err, sizeof(err)), 0);
  ck_assert_str_eq(again, host);
  ck_assert_str_eq(name, host);
}
END_TEST

START_TEST(default_name_is_the_host_name)
{
  char host[256], buf[256];

  ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
  host[sizeof(host) - 1] = '\0';
  memset(buf, 'x', sizeof(buf));
  ck_assert_int_eq(pod_default_name(buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, host);
  /* A name that does not fit is a failure, never a truncated name. */
  ck_assert_uint_gt(strlen(host), 0);
  ck_assert_int_eq(pod_default_name(buf, strlen(host)), -1);
}
END_TEST

/* The namespace file without its trailing line end; outside a pod there is
 * no such file and the call fails (the callers then ask for
 * POD_NAMESPACE). */
START_TEST(default_namespace_is_the_service_account_file)
{
  char want[256], buf[256];
  FILE *f = fopen(K8S_SA_DIR "/namespace", "r");

  memset(buf, 'x', sizeof(buf));
  if (!f) {
    ck_assert_int_eq(pod_default_namespace(buf, sizeof(buf)), -1);
    return;
  }
  if (!fgets(want, sizeof(want), f))
    want[0] = '\0';
  fclose(f);
  want[strcspn(want, "\r\n")] = '\0';
  ck_assert_int_eq(pod_default_namespace(buf, sizeof(buf)), want[0] ? 0 : -1);
  ck_assert_str_eq(buf, want);
}
END_TEST

Suite *make_podinfo_suite(void)
{
  Suite *s = suite_create("podinfo");
  TCase *tc = tcase_create("podinfo");

  tcase_add_loop_test(tc, is_ip_takes_numeric_addresses_only, 0,
                      (int)(sizeof(ip_cases) / sizeof(ip_cases[0])));
  tcase_add_test(tc, check_ip_names_the_variable_and_the_fix);
  tcase_add_test(tc, fill_name_keeps_a_given_name);
  tcase_add_test(tc, fill_name_defaults_to_the_host_name);
  tcase_add_test(tc, default_name_is_the_host_name);
  tcase_add_test(tc, default_namespace_is_the_service_account_file);
  suite_add_tcase(s, tc);
  return s;
}
