/* config.c: the two programs' settings from argv plus the environment
 * (wrapper_config_load and launcher_config_load, over cfg_parse).
 *
 * Input: byte 0 picks the program (even: dkron-server-wrapper, odd:
 * dkron-agent-launcher); the rest is split into strings at NUL bytes. A
 * string "NAME=value" whose NAME is an upper-case identifier goes into the
 * environment, every other string is an argument. Every string is also
 * given to cfg_parse_duration_ms.
 *
 * Promises checked (config.h, wrapper_config.h, launcher_config.h): the
 * loaders return -1 (go on), 0 (--help, --version) or 2 (invalid); when
 * they go on, the settings are whole (a pod name, a namespace, a cluster
 * size in range, one peer per other initial server, the arguments after
 * "--" from argv); wrapper_config_free releases the peers. A duration is
 * -1 or not negative. The programs' help and error texts go to /dev/null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "config.h"
#include "launcher_config.h"
#include "wrapper_config.h"

#define MAX_ARGS     64
#define ENV_NAME_MAX 128 /* longer names are arguments */

extern char **environ;

/* The environment this process started with would leak into every run:
 * only what the sanitizers and the symbolizer need is kept. */
static bool keep_env(const char *entry)
{
  return strncmp(entry, "PATH=", 5) == 0 || strstr(entry, "SAN_OPTIONS=") ||
         strstr(entry, "SYMBOLIZER");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FILE *null = fopen("/dev/null", "w");

  (void)argc;
  (void)argv;
  if (!null)
    fuzz_fail(__FILE__, __LINE__, "fopen", "cannot open /dev/null");
  /* Only the stdio streams: sanitizer reports go to fd 2 still. */
  stdout = null;
  stderr = null;
  for (size_t i = 0; environ[i];) {
    char name[256];
    size_t len = strcspn(environ[i], "=");

    if (keep_env(environ[i]) || len >= sizeof(name)) {
      i++;
      continue;
    }
    memcpy(name, environ[i], len);
    name[len] = '\0';
    unsetenv(name); /* environ shifts down: look at i again */
  }
  return 0;
}

/* "NAME=value" with NAME in [A-Z_][A-Z0-9_]*: an environment entry. */
static bool is_env(const char *s)
{
  size_t i = 0;

  if (!(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z')))
    return false;
  while (i < ENV_NAME_MAX && (s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
                              (s[i] >= '0' && s[i] <= '9')))
    i++;
  return s[i] == '=';
}

static bool in_argv(char **argv, int argc, const char *p)
{
  for (int i = 0; i < argc; i++)
    if (argv[i] == p)
      return true;
  return false;
}

static void check_wrapper(int argc, char **argv)
{
  struct wrapper_config cfg;
  struct step s;

  memset(&cfg, 0, sizeof(cfg));
  s = wrapper_config_load(&cfg, argc, argv);
  FUZZ_CHECK(step_goes_on(s) ||
               (s.kind == STEP_STOP_CLEANLY && s.exit_code == 0) ||
               (s.kind == STEP_FAIL && s.exit_code == CFG_EXIT_INVALID),
             "the loader goes on or exits 0 or 2");
  if (!step_goes_on(s))
    return; /* it freed what it had */
  FUZZ_CHECK(cfg.initial_cluster_size >= 1 &&
               cfg.initial_cluster_size <= WRAPPER_MAX_PEERS,
             "the cluster size is in range");
  FUZZ_CHECK(cfg.pod_name && cfg.pod_namespace && cfg.statefulset &&
               cfg.service && cfg.cluster_domain && cfg.pod_ip,
             "the pod's facts are set");
  FUZZ_CHECK(cfg.ordinal >= 0, "the pod has an ordinal");
  FUZZ_CHECK(cfg.self_fqdn != NULL, "the pod has an FQDN");
  FUZZ_CHECK(cfg.n_peers == (size_t)cfg.initial_cluster_size -
                              (cfg.ordinal < cfg.initial_cluster_size ? 1 : 0),
             "one peer per other initial server");
  for (size_t i = 0; i < cfg.n_peers; i++)
    FUZZ_CHECK(cfg.peers[i] && strcmp(cfg.peers[i], cfg.self_fqdn) != 0,
               "a peer is another server");
  FUZZ_CHECK(cfg.n_dkron_args >= 0 && cfg.n_dkron_args < argc,
             "the arguments after -- come from argv");
  for (int i = 0; i < cfg.n_dkron_args; i++)
    FUZZ_CHECK(in_argv(argv, argc, cfg.dkron_args[i]),
               "an argument after -- is one of argv");
  wrapper_config_free(&cfg);
  FUZZ_CHECK(cfg.n_peers == 0 && cfg.self_fqdn == NULL,
             "a freed config owns nothing");
}

static void check_launcher(int argc, char **argv)
{
  struct launcher_config cfg;
  struct step s;

  memset(&cfg, 0, sizeof(cfg));
  s = launcher_config_load(&cfg, argc, argv);
  FUZZ_CHECK(step_goes_on(s) ||
               (s.kind == STEP_STOP_CLEANLY && s.exit_code == 0) ||
               (s.kind == STEP_FAIL && s.exit_code == CFG_EXIT_INVALID),
             "the loader goes on or exits 0 or 2");
  if (!step_goes_on(s))
    return;
  FUZZ_CHECK(cfg.selector && cfg.selector[0], "a server selector is set");
  FUZZ_CHECK(cfg.namespace && cfg.pod_ip, "the pod's facts are set");
  FUZZ_CHECK(cfg.n_dkron_args >= 0 && cfg.n_dkron_args < argc,
             "the arguments after -- come from argv");
  for (int i = 0; i < cfg.n_dkron_args; i++)
    FUZZ_CHECK(in_argv(argv, argc, cfg.dkron_args[i]),
               "an argument after -- is one of argv");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *strings, *end;
  char *argv[MAX_ARGS + 1];
  char *env[MAX_ARGS];
  int argc = 1, n_env = 0;
  bool launcher;

  if (size < 1)
    return 0;
  launcher = data[0] & 1u;
  strings = fuzz_copy(data + 1, size - 1);
  end = strings + (size - 1);
  argv[0] = launcher ? "dkron-agent-launcher" : "dkron-server-wrapper";
  for (char *s = strings; s < end && argc < MAX_ARGS; s += strlen(s) + 1) {
    long ms = cfg_parse_duration_ms(s);

    FUZZ_CHECK(ms >= -1, "a duration is -1 or not negative");
    if (is_env(s) && n_env < MAX_ARGS) {
      /* putenv keeps the pointer: strings outlives the call, and every
       name set is unset before strings is freed. */
      FUZZ_CHECK(putenv(s) == 0, "putenv");
      env[n_env++] = s;
    } else {
      argv[argc++] = s;
    }
  }
  argv[argc] = NULL;

  if (launcher)
    check_launcher(argc, argv);
  else
    check_wrapper(argc, argv);

  for (int i = 0; i < n_env; i++) {
    char name[ENV_NAME_MAX + 1];
    size_t len = strcspn(env[i], "=");

    memcpy(name, env[i], len);
    name[len] = '\0';
    unsetenv(name);
  }
  free(strings);
  return 0;
}
