/* test_launcher_config.c: the launcher's configuration
 * (launcher_config.c): settings that can never work are refused at start,
 * with exit code 2, before anything waits (a bad --kube-api-url, a dkron
 * flag after -- that the launcher sets itself). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launcher.h"
#include "launcher_config.h"
#include "log_capture.h"
#include "tests.h"

static const char *const launcher_env[] = {"LAUNCHER_SERVER_NAMESPACE",
                                           "POD_NAMESPACE",
                                           "POD_NAME",
                                           "POD_IP",
                                           "KUBE_API_URL",
                                           "KUBE_TOKEN_FILE",
                                           "KUBE_CA_FILE",
                                           "DKRON_BIN",
                                           "LAUNCHER_SERVER_SELECTOR",
                                           "KUBERNETES_SERVICE_HOST",
                                           "KUBERNETES_SERVICE_PORT"};

static char token_file[64];

static void setup(void)
{
  int fd;

  for (size_t i = 0; i < sizeof(launcher_env) / sizeof(launcher_env[0]); i++)
    unsetenv(launcher_env[i]);
  snprintf(token_file, sizeof(token_file), "/tmp/launcher-cfg-XXXXXX");
  fd = mkstemp(token_file);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "test-token\n", 11), 11);
  close(fd);
  setenv("POD_IP", "10.244.1.5", 1);
  setenv("POD_NAME", "worker-abc12", 1);
  setenv("KUBE_TOKEN_FILE", token_file, 1);
}

static void teardown(void)
{
  unlink(token_file);
}

/* Runs launcher_config_load with stderr captured into out; the exit code,
 * or -1 when the program goes on. */
static int load_captured(struct launcher_config *cfg, int argc, char **argv,
                         char *out, size_t len)
{
  int fds[2], saved = dup(STDERR_FILENO);
  struct step s;
  ssize_t n;

  ck_assert_int_eq(pipe(fds), 0);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  s = launcher_config_load(cfg, argc, argv);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  n = read(fds[0], out, len - 1);
  close(fds[0]);
  out[n < 0 ? 0 : n] = '\0';
  return step_goes_on(s) ? -1 : s.exit_code;
}

START_TEST(good_settings_go_on)
{
  char *argv[] = {"l",
                  "--server-namespace=dkron",
                  "--kube-api-url=https://10.96.0.1:443",
                  "--",
                  "--tag",
                  "pool=batch",
                  NULL};
  struct launcher_config cfg;
  char out[1024];

  ck_assert_int_eq(load_captured(&cfg, 6, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(out, "");
  ck_assert_str_eq(cfg.namespace, "dkron");
  ck_assert_int_eq(cfg.n_dkron_args, 2);
  ck_assert_str_eq(cfg.dkron_args[0], "--tag");
}
END_TEST

/* The API URL would be refused at every try of the server watch, forever:
 * it is refused now, once. */
static const char *const bad_api[] = {
  "--kube-api-url=http://10.1.2.3",       /* clear text off this machine */
  "--kube-api-url=ftp://10.1.2.3",        /* no such scheme */
  "--kube-token-file=/nonexistent/token", /* nothing to authenticate with */
  "--server-namespace=Not_A_Namespace"};

START_TEST(unusable_api_settings_exit_2)
{
  char *argv[] = {"l", "--kube-api-url=https://10.96.0.1:443",
                  "--server-namespace=dkron", (char *)bad_api[_i], NULL};
  struct launcher_config cfg;
  char out[1024];

  ck_assert_int_eq(load_captured(&cfg, 4, argv, out, sizeof(out)), 2);
  ck_assert_msg(strstr(out, "dkron-agent-launcher: ") &&
                  strstr(out, "Kubernetes API configuration"),
                "%s", out);
  ck_assert_ptr_null(strstr(out, "test-token"));
}
END_TEST

/* A flag the launcher sets itself would be refused at every launch, and
 * the launch retried forever: it is refused now, once. */
static const char *const owned[] = {"--join=1.2.3.4", "--server",
                                    "--node-name=x", "--retry-join"};

START_TEST(owned_dkron_flags_exit_2)
{
  char *argv[] = {"l",
                  "--kube-api-url=https://10.96.0.1:443",
                  "--server-namespace=dkron",
                  "--",
                  "--tag",
                  "pool=batch",
                  (char *)owned[_i],
                  NULL};
  struct launcher_config cfg;
  char out[1024];
  char flag[32];

  snprintf(flag, sizeof(flag), "%.*s", (int)strcspn(owned[_i], "="), owned[_i]);
  ck_assert_int_eq(load_captured(&cfg, 7, argv, out, sizeof(out)), 2);
  ck_assert_msg(strstr(out, flag) && strstr(out, "not allowed"), "%s", out);
}
END_TEST

/* What the launcher's start (its configuration loaded from argv and the
 * environment) says about its Kubernetes Events with POD_NAMESPACE as
 * given (NULL: unset), in out: the "running without
 * Kubernetes Events" line, or "" when the Events client started. */
static void events_at_start(const char *pod_namespace, char *out, size_t len)
{
  char *argv[] = {"l",
                  "--kube-api-url=http://127.0.0.1:1",
                  "--server-namespace=dkron",
                  "--status-port=0",
                  "--dkron=/bin/true",
                  NULL};
  struct launcher_config cfg;
  char err[1024];
  struct launcher l;
  struct log_capture lc;
  const char *line;

  if (pod_namespace)
    setenv("POD_NAMESPACE", pod_namespace, 1);
  else
    unsetenv("POD_NAMESPACE");
  ck_assert_int_eq(load_captured(&cfg, 5, argv, err, sizeof(err)), -1);
  log_capture_begin(&lc);
  ck_assert(step_goes_on(launcher_start(&l, &cfg)));
  launcher_finish(&l);
  log_capture_end(&lc);
  line = strstr(lc.text, "running without Kubernetes Events");
  snprintf(out, len, "%.*s", line ? (int)strcspn(line, "\n") : 0,
           line ? line : "");
}

/* An empty POD_NAMESPACE (as a manifest's `value: ""` renders) is unset:
 * the Events client falls back to the service account's namespace as it
 * does without the variable (it took "" for a namespace name). */
START_TEST(empty_pod_namespace_is_unset_for_events)
{
  char unset[512], empty[512];

  events_at_start(NULL, unset, sizeof(unset));
  events_at_start("", empty, sizeof(empty));
  ck_assert_str_eq(empty, unset);
  ck_assert_ptr_null(strstr(empty, "namespace \"\""));
}
END_TEST

Suite *make_launcher_config_suite(void)
{
  Suite *s = suite_create("launcher_config");
  TCase *tc = tcase_create("config");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, good_settings_go_on);
  tcase_add_loop_test(tc, unusable_api_settings_exit_2, 0,
                      (int)(sizeof(bad_api) / sizeof(bad_api[0])));
  tcase_add_loop_test(tc, owned_dkron_flags_exit_2, 0,
                      (int)(sizeof(owned) / sizeof(owned[0])));
  tcase_add_test(tc, empty_pod_namespace_is_unset_for_events);
  suite_add_tcase(s, tc);
  return s;
}
