/* test_wrapper_config.c: the wrapper's configuration (wrapper_config.c):
 * the peers derived from the pod name, the older env names that keep
 * working, the errors explained (POD_IP among them), and --help naming
 * every env variable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "wrapper_config.h"

static const char *const wrapper_env[] = {"INITIAL_CLUSTER_SIZE",
                                          "INITIAL_CLUSTER_SUZE",
                                          "STATEFULSET_NAME",
                                          "HEADLESS_SERVICE",
                                          "WRAPPER_SERVICE_NAME",
                                          "WRAPPER_RETRY_INTERVAL",
                                          "WRAPPER_RETRY_JOIN_INTERVAL",
                                          "POD_NAME",
                                          "POD_NAMESPACE",
                                          "POD_IP",
                                          "CLUSTER_DOMAIN"};

static void clear_wrapper_env(void)
{
  for (size_t i = 0; i < sizeof(wrapper_env) / sizeof(wrapper_env[0]); i++)
    unsetenv(wrapper_env[i]);
}

/* Runs wrapper_config_load with stderr captured into out; the exit code,
 * or -1 when the program goes on. */
static int load_captured(struct wrapper_config *cfg, int argc, char **argv,
                         char *out, size_t len)
{
  int fds[2], saved = dup(STDERR_FILENO);
  struct step s;
  ssize_t n;

  ck_assert_int_eq(pipe(fds), 0);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  s = wrapper_config_load(cfg, argc, argv);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  n = read(fds[0], out, len - 1);
  close(fds[0]);
  out[n < 0 ? 0 : n] = '\0';
  return step_goes_on(s) ? -1 : s.exit_code;
}

/* What the checks must still let through. */
START_TEST(config_takes_go_durations_and_label_syntax)
{
  char *argv[] = {"w",
                  "--pod-name=dkron-server-1",
                  "--pod-namespace=ns",
                  "--retry-join-interval=1.5s",
                  "--label-key=dkron-k8s.io/leader",
                  "--label-leader=yes",
                  "--label-follower=",
                  NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  setenv("INITIAL_CLUSTER_SIZE", "3", 1);
  setenv("POD_IP", "10.0.0.1", 1);
  ck_assert_int_eq(load_captured(&cfg, 7, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(cfg.retry_interval, "1.5s");
  ck_assert_str_eq(cfg.label_follower, "");
  wrapper_config_free(&cfg);
  argv[3] = "--retry-join-interval=1m30s";
  ck_assert_int_eq(load_captured(&cfg, 4, argv, out, sizeof(out)), -1);
  wrapper_config_free(&cfg);
  clear_wrapper_env();
}
END_TEST

START_TEST(config_derives_peers)
{
  char *argv[] = {"w", "--pod-name=dkron-server-1", NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  setenv("INITIAL_CLUSTER_SIZE", "3", 1);
  setenv("POD_NAMESPACE", "jobs", 1);
  setenv("POD_IP", "10.244.0.11", 1);
  ck_assert_int_eq(load_captured(&cfg, 2, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(cfg.statefulset, "dkron-server");
  ck_assert_str_eq(cfg.service, "dkron-server");
  ck_assert_int_eq(cfg.ordinal, 1);
  ck_assert_uint_eq(cfg.n_peers, 2);
  ck_assert_str_eq(cfg.peers[0],
                   "dkron-server-0.dkron-server.jobs.svc.cluster.local");
  ck_assert_str_eq(cfg.peers[1],
                   "dkron-server-2.dkron-server.jobs.svc.cluster.local");
  ck_assert_str_eq(cfg.self_fqdn,
                   "dkron-server-1.dkron-server.jobs.svc.cluster.local");
  ck_assert_int_eq(cfg.remove_mode, REMOVE_AUTO);
  wrapper_config_free(&cfg);
  clear_wrapper_env();
}
END_TEST

/* The env names that follow their flags, and the older names the chart
 * and existing manifests set, which keep working. */
START_TEST(config_reads_the_older_env_names)
{
  char *argv[] = {"w", "--pod-name=dkron-server-1", NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  setenv("INITIAL_CLUSTER_SIZE", "2", 1);
  setenv("POD_NAMESPACE", "jobs", 1);
  setenv("POD_IP", "10.244.0.11", 1);
  setenv("HEADLESS_SERVICE", "old-svc", 1);
  setenv("WRAPPER_RETRY_INTERVAL", "2s", 1);
  ck_assert_int_eq(load_captured(&cfg, 2, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(cfg.service, "old-svc");
  ck_assert_str_eq(cfg.retry_interval, "2s");
  ck_assert_str_eq(cfg.peers[0],
                   "dkron-server-0.old-svc.jobs.svc.cluster.local");
  wrapper_config_free(&cfg);

  setenv("WRAPPER_SERVICE_NAME", "new-svc", 1);
  setenv("WRAPPER_RETRY_JOIN_INTERVAL", "3s", 1);
  ck_assert_int_eq(load_captured(&cfg, 2, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(cfg.service, "new-svc");
  ck_assert_str_eq(cfg.retry_interval, "3s");
  wrapper_config_free(&cfg);
  clear_wrapper_env();
}
END_TEST

struct config_error_case {
  const char *env[4][2];
  const char *arg;
  const char *expect;
};

static const struct config_error_case config_errors[] = {
  {{{"INITIAL_CLUSTER_SUZE", "3"}, {"POD_IP", "10.0.0.1"}},
   NULL,
   "INITIAL_CLUSTER_SUZE=\"3\" is: that name is misspelt (SUZE); rename it "
   "to INITIAL_CLUSTER_SIZE"},
  {{{"POD_IP", "10.0.0.1"}},
   NULL,
   "INITIAL_CLUSTER_SIZE (--initial-cluster-size) is not set"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}}, NULL, "POD_IP is not set"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.300"}},
   NULL,
   "POD_IP \"10.0.0.300\" is not an IP address"},
  {{{"INITIAL_CLUSTER_SIZE", "3"},
    {"POD_IP", "10.0.0.1"},
    {"STATEFULSET_NAME", "dkron"}},
   NULL,
   "pod name \"dkron-server-1\" is not \"dkron-<ordinal>\""},
  {{{"INITIAL_CLUSTER_SIZE", "0"}}, NULL, "expected an integer from 1 to 99"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.1"}},
   "--remove-on-exit=never",
   "expected one of: auto always"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.1"}},
   "--serf-port= 80",
   "invalid value \" 80\" for --serf-port (from the command line): expected "
   "an integer from 1 to 65535; remove the white space around it"},
  /* handed to dkron or to the API only later: refused at start */
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.1"}},
   "--retry-join-interval=5x",
   "invalid value \"5x\" for --retry-join-interval: expected a positive Go "
   "duration such as 500ms, 2s or 1m30s"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.1"}},
   "--retry-join-interval=0s",
   "for --retry-join-interval: expected a positive Go duration"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.1"}},
   "--label-leader=yes please",
   "invalid value \"yes please\" for --label-leader: a label value is up to "
   "63 of A-Z a-z 0-9 - _ ., beginning and ending with a letter or digit"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.1"}},
   "--label-key=dkron leader",
   "invalid value \"dkron leader\" for --label-key: a label key is "
   "[prefix/]name"},
  {{{"INITIAL_CLUSTER_SIZE", "+3"}, {"POD_IP", "10.0.0.1"}},
   NULL,
   "for --initial-cluster-size (from env INITIAL_CLUSTER_SIZE): expected an "
   "integer from 1 to 99; write it without the sign"},
};

START_TEST(config_errors_are_explained)
{
  const struct config_error_case *c = &config_errors[_i];
  char *argv[] = {"w", "--pod-name=dkron-server-1", "--pod-namespace=ns",
                  (char *)c->arg, NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  for (size_t i = 0; i < 4 && c->env[i][0]; i++)
    setenv(c->env[i][0], c->env[i][1], 1);
  ck_assert_int_eq(load_captured(&cfg, c->arg ? 4 : 3, argv, out, sizeof(out)),
                   2);
  ck_assert_msg(strstr(out, c->expect), "case %d: '%s' lacks '%s'", _i, out,
                c->expect);
  clear_wrapper_env();
}
END_TEST

/* A flag the wrapper owns, passed to dkron after --, is refused with the
 * configuration (exit 2), not after the DNS wait and the bootstrap
 * decision, when the wrapper builds dkron's command line. */
START_TEST(config_refuses_owned_dkron_flags_at_once)
{
  char *argv[] = {"w",  "--pod-name=dkron-server-1", "--pod-namespace=ns",
                  "--", "--log-level=debug",         "--node-name=other",
                  NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  setenv("INITIAL_CLUSTER_SIZE", "3", 1);
  setenv("POD_IP", "10.0.0.1", 1);
  ck_assert_int_eq(load_captured(&cfg, 6, argv, out, sizeof(out)), 2);
  ck_assert_msg(strstr(out, "--node-name after -- is not allowed"), "%s", out);
  /* a flag of dkron's own goes through */
  ck_assert_int_eq(load_captured(&cfg, 5, argv, out, sizeof(out)), -1);
  ck_assert_int_eq(cfg.n_dkron_args, 1);
  wrapper_config_free(&cfg);
  clear_wrapper_env();
}
END_TEST

START_TEST(config_help_documents_every_env)
{
  char *argv[] = {"w", "--help", NULL};
  struct wrapper_config cfg;
  char buf[16384];
  int fds[2], saved = dup(STDOUT_FILENO);
  ssize_t n, total = 0;

  ck_assert_int_eq(pipe(fds), 0);
  dup2(fds[1], STDOUT_FILENO);
  close(fds[1]);
  ck_assert_int_eq(wrapper_config_load(&cfg, 2, argv).kind, STEP_STOP_CLEANLY);
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  while ((n = read(fds[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
    total += n;
  close(fds[0]);
  buf[total] = '\0';
  for (size_t i = 0; i < sizeof(wrapper_env) / sizeof(wrapper_env[0]); i++) {
    if (strcmp(wrapper_env[i], "INITIAL_CLUSTER_SUZE") == 0)
      continue;
    ck_assert_msg(strstr(buf, wrapper_env[i]), "--help lacks %s",
                  wrapper_env[i]);
  }
  ck_assert_ptr_nonnull(strstr(buf, "--remove-on-exit=CHOICE"));
}
END_TEST

Suite *make_wrapper_config_suite(void)
{
  Suite *s = suite_create("wrapper_config");
  TCase *tc = tcase_create("wrapper_config");

  tcase_add_test(tc, config_derives_peers);
  tcase_add_test(tc, config_takes_go_durations_and_label_syntax);
  tcase_add_test(tc, config_reads_the_older_env_names);
  tcase_add_loop_test(tc, config_errors_are_explained, 0,
                      (int)(sizeof(config_errors) / sizeof(config_errors[0])));
  tcase_add_test(tc, config_refuses_owned_dkron_flags_at_once);
  tcase_add_test(tc, config_help_documents_every_env);
  suite_add_tcase(s, tc);
  return s;
}
