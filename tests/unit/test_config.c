/* test_config.c: flags, env fallbacks, defaults, passthrough and errors. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tests.h"

static const char *const formats[] = {"text", "json", NULL};

static const char *s_name;
static long s_size;
static long s_grace;
static bool s_verbose;
static const char *s_format;
static enum cfg_source s_size_src;
static long s_tries;
static enum cfg_source s_tries_src;

static const struct cfg_option opts[] = {
  {.name = "name",
   .env = "T_NAME",
   .type = CFG_STRING,
   .def = "dkron",
   .help = "A name.",
   .target = &s_name},
  {.name = "size",
   .env = "T_SIZE",
   .type = CFG_INT,
   .def = "3",
   .help = "A size.",
   .target = &s_size,
   .min = 1,
   .max = 7,
   .source = &s_size_src},
  {.name = "grace",
   .env = "T_GRACE",
   .type = CFG_DURATION,
   .def = "30s",
   .help = "A duration.",
   .target = &s_grace,
   .min = 0,
   .max = 3600000},
  {.name = "verbose",
   .env = "T_VERBOSE",
   .type = CFG_BOOL,
   .def = "false",
   .help = "Chatty.",
   .target = &s_verbose},
  {.name = "format",
   .env = "T_FORMAT",
   .type = CFG_CHOICE,
   .def = "text",
   .help = "Format.",
   .target = &s_format,
   .choices = formats},
  {.name = "tries",
   .env = "T_TRIES",
   .env_alias = "T_OLD_TRIES",
   .type = CFG_INT,
   .def = "2",
   .help = "A renamed variable.",
   .target = &s_tries,
   .min = 1,
   .max = 9,
   .source = &s_tries_src},
};

static const struct cfg_spec spec = {.prog = "prog",
                                     .summary = "Test program.",
                                     .passthrough = "dkron args",
                                     .opts = opts,
                                     .n_opts = sizeof(opts) / sizeof(opts[0])};

static void clear_env(void)
{
  unsetenv("T_NAME");
  unsetenv("T_SIZE");
  unsetenv("T_GRACE");
  unsetenv("T_VERBOSE");
  unsetenv("T_FORMAT");
  unsetenv("T_TRIES");
  unsetenv("T_OLD_TRIES");
}

static enum cfg_result run(int argc, char **argv, struct cfg_rest *rest,
                           char *err)
{
  return cfg_parse(&spec, argc, argv, rest, err, 256);
}

START_TEST(defaults_apply)
{
  char *argv[] = {"prog", NULL};
  struct cfg_rest rest;
  char err[256];

  clear_env();
  ck_assert_int_eq(run(1, argv, &rest, err), CFG_OK);
  ck_assert_str_eq(s_name, "dkron");
  ck_assert_int_eq(s_size, 3);
  ck_assert_int_eq(s_grace, 30000);
  ck_assert(!s_verbose);
  ck_assert_str_eq(s_format, "text");
  ck_assert_int_eq(s_size_src, CFG_FROM_DEFAULT);
  ck_assert_int_eq(rest.argc, 0);
}
END_TEST

START_TEST(env_then_flag_precedence)
{
  char *argv[] = {"prog", "--size", "5", "--verbose", "--format=json", NULL};
  struct cfg_rest rest;
  char err[256];

  clear_env();
  setenv("T_SIZE", "4", 1);
  setenv("T_NAME", "from-env", 1);
  setenv("T_GRACE", "", 1); /* empty env counts as unset */
  ck_assert_int_eq(run(5, argv, &rest, err), CFG_OK);
  ck_assert_str_eq(s_name, "from-env");
  ck_assert_int_eq(s_size, 5);
  ck_assert_int_eq(s_size_src, CFG_FROM_FLAG);
  ck_assert_int_eq(s_grace, 30000);
  ck_assert(s_verbose);
  ck_assert_str_eq(s_format, "json");
  clear_env();
}
END_TEST

/* A renamed variable: the new name wins, the older one still works, and a
 * bad value names the variable it came from. */
START_TEST(older_env_name_is_an_alias)
{
  char *argv[] = {"prog", NULL};
  char *flag[] = {"prog", "--tries=7", NULL};
  struct cfg_rest rest;
  char err[256];

  clear_env();
  ck_assert_int_eq(run(1, argv, &rest, err), CFG_OK);
  ck_assert_int_eq(s_tries, 2);
  ck_assert_int_eq(s_tries_src, CFG_FROM_DEFAULT);
  setenv("T_OLD_TRIES", "4", 1);
  ck_assert_int_eq(run(1, argv, &rest, err), CFG_OK);
  ck_assert_int_eq(s_tries, 4);
  ck_assert_int_eq(s_tries_src, CFG_FROM_ENV);
  setenv("T_TRIES", "", 1); /* empty: unset, the older name counts */
  ck_assert_int_eq(run(1, argv, &rest, err), CFG_OK);
  ck_assert_int_eq(s_tries, 4);
  setenv("T_TRIES", "5", 1);
  ck_assert_int_eq(run(1, argv, &rest, err), CFG_OK);
  ck_assert_int_eq(s_tries, 5);
  ck_assert_int_eq(run(2, flag, &rest, err), CFG_OK);
  ck_assert_int_eq(s_tries, 7);
  ck_assert_int_eq(s_tries_src, CFG_FROM_FLAG);
  unsetenv("T_TRIES");
  setenv("T_OLD_TRIES", "99", 1);
  ck_assert_int_eq(run(1, argv, &rest, err), CFG_INVALID);
  ck_assert_msg(strstr(err, "invalid value \"99\" for --tries (from env "
                            "T_OLD_TRIES)"),
                "got: %s", err);
  clear_env();
}
END_TEST

START_TEST(passthrough_after_double_dash)
{
  char *argv[] = {"prog",  "--name=x", "--", "--log-level=debug",
                  "--tag", "a=b",      NULL};
  struct cfg_rest rest;
  char err[256];

  clear_env();
  ck_assert_int_eq(run(6, argv, &rest, err), CFG_OK);
  ck_assert_int_eq(rest.argc, 3);
  ck_assert_str_eq(rest.argv[0], "--log-level=debug");
  ck_assert_str_eq(rest.argv[2], "a=b");
}
END_TEST

/* -h, --help and --version after -- are dkron's, passed through as they
 * are, not this program's. */
START_TEST(help_and_version_after_double_dash_pass_through)
{
  char *argv[] = {"prog", "--size=4", "--",        "agent",
                  "-h",   "--help",   "--version", NULL};
  struct cfg_rest rest;
  char err[256];

  clear_env();
  ck_assert_int_eq(run(7, argv, &rest, err), CFG_OK);
  ck_assert_int_eq(s_size, 4);
  ck_assert_int_eq(rest.argc, 4);
  ck_assert_str_eq(rest.argv[0], "agent");
  ck_assert_str_eq(rest.argv[1], "-h");
  ck_assert_str_eq(rest.argv[2], "--help");
  ck_assert_str_eq(rest.argv[3], "--version");
}
END_TEST

START_TEST(durations)
{
  ck_assert_int_eq(cfg_parse_duration_ms("500ms"), 500);
  ck_assert_int_eq(cfg_parse_duration_ms("30s"), 30000);
  ck_assert_int_eq(cfg_parse_duration_ms("1m30s"), 90000);
  ck_assert_int_eq(cfg_parse_duration_ms("2h"), 7200000);
  ck_assert_int_eq(cfg_parse_duration_ms("15"), 15000);
  ck_assert_int_eq(cfg_parse_duration_ms("1m30"), -1);
  ck_assert_int_eq(cfg_parse_duration_ms("-5s"), -1);
  ck_assert_int_eq(cfg_parse_duration_ms("5x"), -1);
  ck_assert_int_eq(cfg_parse_duration_ms(""), -1);
  ck_assert_int_eq(cfg_parse_duration_ms("99999999999999999999h"), -1);
}
END_TEST

/* Each invalid input gives CFG_INVALID and a message naming the option,
 * where the value came from, and what is expected. */
struct bad_case {
  const char *env_name, *env_value;
  const char *arg;
  const char *expect;
};

static const struct bad_case bad_cases[] = {
  {"T_SIZE", "three", NULL,
   "invalid value \"three\" for --size (from env T_SIZE): expected an integer "
   "from 1 to 7"},
  {NULL, NULL, "--size=9",
   "invalid value \"9\" for --size (from the command line): expected an "
   "integer from 1 to 7"},
  {NULL, NULL, "--grace=soon", "expected a duration such as 500ms"},
  {NULL, NULL, "--verbose=maybe", "expected true or false"},
  {NULL, NULL, "--format=xml", "expected one of: text json"},
  {NULL, NULL, "--colour=red", "unknown option --colour (see --help)"},
  {NULL, NULL, "stray", "unexpected argument \"stray\""},
  {NULL, NULL, "--name", "option --name needs a value"},
  /* strtol's leniencies are refused, each with the fix */
  {NULL, NULL, "--size= 5",
   "invalid value \" 5\" for --size (from the command line): expected an "
   "integer from 1 to 7; remove the white space around it"},
  {"T_SIZE", "5 ", NULL,
   "invalid value \"5 \" for --size (from env T_SIZE): expected an integer "
   "from 1 to 7; remove the white space around it"},
  {NULL, NULL, "--size=\t5", "remove the white space around it"},
  {NULL, NULL, "--size=+5", "; write it without the sign"},
  {NULL, NULL, "--size=5x", "expected an integer from 1 to 7"},
  {NULL, NULL, "--size=99999999999999999999",
   "expected an integer from 1 to 7"},
  {NULL, NULL, "--size=", "expected an integer from 1 to 7"},
  {NULL, NULL, "--grace= 30s", "remove the white space around it"},
  {NULL, NULL, "--grace=+30s", "; write it without the sign"},
};

START_TEST(invalid_values_are_explained)
{
  const struct bad_case *c = &bad_cases[_i];
  char *argv[] = {"prog", (char *)c->arg, NULL};
  struct cfg_rest rest;
  char err[256];

  clear_env();
  if (c->env_name)
    setenv(c->env_name, c->env_value, 1);
  ck_assert_int_eq(run(c->arg ? 2 : 1, argv, &rest, err), CFG_INVALID);
  ck_assert_msg(strstr(err, c->expect) != NULL, "got: %s", err);
  ck_assert_int_eq(cfg_handle(&spec, CFG_INVALID, "1", err).exit_code,
                   CFG_EXIT_INVALID);
  clear_env();
}
END_TEST

START_TEST(help_lists_every_flag_env_and_default)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  cfg_print_help(&spec, f);
  fclose(f);
  for (size_t i = 0; i < spec.n_opts; i++) {
    char line[128];
    snprintf(line, sizeof(line), "--%s", opts[i].name);
    ck_assert_msg(strstr(buf, line), "missing %s", line);
    if (opts[i].env_alias)
      snprintf(line, sizeof(line), "env %s (or the older %s); default: %s",
               opts[i].env, opts[i].env_alias, opts[i].def);
    else
      snprintf(line, sizeof(line), "env %s; default: %s", opts[i].env,
               opts[i].def);
    ck_assert_msg(strstr(buf, line), "missing '%s' in:\n%s", line, buf);
  }
  ck_assert_ptr_nonnull(strstr(buf, "Values: text json."));
  ck_assert_ptr_nonnull(strstr(buf, "After --: dkron args"));
  free(buf);
}
END_TEST

/* --help fits 80 columns: a long env line puts its default on a line of
 * its own, long text wraps on spaces, and a word longer than a line stays
 * whole (a selector is copied, not read). */
START_TEST(help_fits_80_columns)
{
  static const char long_default[] =
    "app.kubernetes.io/name=dkron,app.kubernetes.io/component=server";
  long sel_ms = 0;
  char *sel = NULL;
  const struct cfg_option long_opts[] = {
    {.name = "retry-join-interval",
     .env = "WRAPPER_RETRY_JOIN_INTERVAL",
     .env_alias = "WRAPPER_RETRY_INTERVAL",
     .type = CFG_DURATION,
     .def = "500ms",
     .help = "How often to retry.",
     .target = &sel_ms},
    {.name = "server-selector",
     .env = "LAUNCHER_SERVER_SELECTOR",
     .type = CFG_STRING,
     .def = long_default,
     .help = "The label selector of the dkron server pods.",
     .target = &sel},
  };
  const struct cfg_spec long_spec = {
    .prog = "prog",
    .summary = "A program.",
    .opts = long_opts,
    .n_opts = sizeof(long_opts) / sizeof(long_opts[0]),
    .passthrough = "arguments passed to `dkron agent` verbatim (flags the "
                   "launcher sets are refused)."};
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  cfg_print_help(&long_spec, f);
  fclose(f);
  for (char *line = buf, *end; *line; line = end + 1) {
    end = strchr(line, '\n');
    ck_assert_ptr_nonnull(end);
    ck_assert_msg(end - line <= 80 ||
                    !memchr(line + 6, ' ', (size_t)(end - line - 6)),
                  "over 80 columns: %.*s", (int)(end - line), line);
  }
  ck_assert_msg(strstr(buf, "      env WRAPPER_RETRY_JOIN_INTERVAL (or the "
                            "older WRAPPER_RETRY_INTERVAL);\n      default: "
                            "500ms\n"),
                "%s", buf);
  ck_assert_msg(strstr(buf, "      default: app.kubernetes.io/name=dkron,"
                            "app.kubernetes.io/component=server\n"),
                "%s", buf);
  ck_assert_msg(strstr(buf, "\nAfter --: arguments passed to `dkron agent` "
                            "verbatim (flags the launcher sets\nare "
                            "refused).\n"),
                "%s", buf);
  free(buf);
}
END_TEST

START_TEST(help_wins_over_bad_values)
{
  char *argv[] = {"prog", "--size=99", "--help", NULL};
  struct cfg_rest rest;
  char err[256];

  clear_env();
  ck_assert_int_eq(run(3, argv, &rest, err), CFG_HELP);
}
END_TEST

Suite *make_config_suite(void)
{
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, defaults_apply);
  tcase_add_test(tc, env_then_flag_precedence);
  tcase_add_test(tc, older_env_name_is_an_alias);
  tcase_add_test(tc, passthrough_after_double_dash);
  tcase_add_test(tc, help_and_version_after_double_dash_pass_through);
  tcase_add_test(tc, durations);
  tcase_add_loop_test(tc, invalid_values_are_explained, 0,
                      (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
  tcase_add_test(tc, help_lists_every_flag_env_and_default);
  tcase_add_test(tc, help_fits_80_columns);
  tcase_add_test(tc, help_wins_over_bad_values);
  suite_add_tcase(s, tc);
  return s;
}
