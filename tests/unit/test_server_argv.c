/* test_server_argv.c: dkron's command line (server_argv.c): every flag
 * the wrapper sets, IPv6 and a single server, and the flags it owns
 * refused in the pass-through arguments. */
#include <stdlib.h>
#include <string.h>

#include "server_argv.h"
#include "tests.h"

START_TEST(server_argv_full)
{
  const char *peers[] = {"s-0.s.ns.svc.cluster.local",
                         "s-1.s.ns.svc.cluster.local",
                         "s-2.s.ns.svc.cluster.local"};
  char *extra[] = {"--log-level=debug", "--tag", "zone=a"};
  struct server_argv_params p = {"/usr/local/bin/dkron",
                                 "s-1",
                                 "s-1.s.ns.svc.cluster.local",
                                 "10.1.0.7",
                                 8946,
                                 6868,
                                 8080,
                                 "/data",
                                 "/data/dkron-k8s.json",
                                 peers,
                                 3,
                                 "5s",
                                 3,
                                 extra,
                                 3};
  struct dk_err err;
  char **argv = server_argv_build(&p, &err);
  char *line;

  ck_assert_ptr_nonnull(argv);
  line = argv_join(argv);
  ck_assert_str_eq(
    line, "/usr/local/bin/dkron agent --server --node-name=s-1 "
          "--bind-addr=10.1.0.7:8946 --advertise-addr=10.1.0.7:8946 "
          "--http-addr=:8080 --rpc-port=6868 --data-dir=/data "
          "--config=/data/dkron-k8s.json "
          "--retry-join=s-0.s.ns.svc.cluster.local:8946 "
          "--retry-join=s-2.s.ns.svc.cluster.local:8946 --retry-interval=5s "
          "--bootstrap-expect=3 --log-level=debug --tag zone=a");
  free(line);
  argv_free(argv);
}
END_TEST

START_TEST(server_argv_without_bootstrap_ipv6)
{
  const char *peers[] = {"s-0.x", "fd00::5"};
  struct server_argv_params p = {"dkron", "s-0", "s-0.x", "fd00::5", 7946,
                                 6868,    8080,  "d",     NULL,      peers,
                                 2,       NULL,  0,       NULL,      0};
  struct dk_err err;
  char **argv = server_argv_build(&p, &err);
  char *line;

  ck_assert_ptr_nonnull(argv);
  line = argv_join(argv);
  ck_assert_msg(strstr(line, "--bind-addr=[fd00::5]:7946"), "%s", line);
  ck_assert_msg(!strstr(line, "--retry-join"), "joins itself: %s", line);
  ck_assert_msg(!strstr(line, "--bootstrap-expect"), "%s", line);
  free(line);
  argv_free(argv);
}
END_TEST

static const char *const refused_extra[] = {"--retry-max=3",
                                            "--node-name=x",
                                            "--bootstrap-expect=1",
                                            "--data-dir",
                                            "--retry-join=other",
                                            "--server",
                                            "--config=/etc/dkron/dkron.yml"};

START_TEST(server_argv_refuses_owned_flags)
{
  char *extra[] = {"--log-level=info", (char *)refused_extra[_i]};
  struct server_argv_params p = {"dkron", "s-0", NULL, "10.0.0.1", 8946,
                                 6868,    8080,  "d",  NULL,       NULL,
                                 0,       NULL,  0,    extra,      2};
  struct dk_err err;

  dk_err_clear(&err);
  ck_assert_ptr_null(server_argv_build(&p, &err));
  ck_assert_int_eq(err.code, DK_EINVAL);
  ck_assert_msg(strstr(err.msg, "is not allowed") && strstr(err.msg, "remove"),
                "%s", err.msg);
}
END_TEST

Suite *make_server_argv_suite(void)
{
  Suite *s = suite_create("server_argv");
  TCase *tc = tcase_create("server_argv");

  tcase_add_test(tc, server_argv_full);
  tcase_add_test(tc, server_argv_without_bootstrap_ipv6);
  tcase_add_loop_test(tc, server_argv_refuses_owned_flags, 0,
                      (int)(sizeof(refused_extra) / sizeof(refused_extra[0])));
  suite_add_tcase(s, tc);
  return s;
}
