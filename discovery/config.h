/* config.h: flags with environment-variable equivalents, one table per
 * program.
 *
 * Precedence: --flag on the command line, then the environment variable,
 * then its older name (when it was renamed), then the default. An empty
 * environment variable counts as unset (as Kubernetes renders `value:
 * ""`). Everything after `--` is passed through
 * untouched (the arguments for dkron). --help prints every option with its
 * env var and default; an invalid value is a clear message and exit code 2.
 *
 * Values point into argv, the environment or the defaults: nothing is
 * allocated, so nothing needs freeing.
 */
#ifndef DK_CONFIG_H
#define DK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "step.h"

enum cfg_type {
  CFG_STRING,   /* target: const char ** */
  CFG_INT,      /* target: long *, checked against [min, max] */
  CFG_DURATION, /* target: long * in milliseconds; "500ms", "30s", "2m",
                   "1h", "1m30s"; a bare number means seconds */
  CFG_BOOL,     /* target: bool *; --flag, --flag=true|false|1|0|yes|no */
  CFG_CHOICE    /* target: const char **, one of choices[] */
};

enum cfg_source { CFG_FROM_DEFAULT = 0, CFG_FROM_ENV, CFG_FROM_FLAG };

struct cfg_option {
  const char *name; /* long flag without the leading "--" */
  const char *env;  /* environment variable, or NULL */
  enum cfg_type type;
  const char *def;  /* default as text; NULL means "no default" */
  const char *help; /* one or two sentences */
  void *target;
  long min, max; /* CFG_INT and CFG_DURATION (ms); min == max: no check */
  const char *const *choices; /* CFG_CHOICE: NULL-terminated */
  enum cfg_source *source;    /* optional: where the value came from */
  /* The variable's older name, or NULL. Still read when env is unset or
   * empty, so that a renamed variable keeps working; --help shows it as
   * "env <env> (or the older <env_alias>)". */
  const char *env_alias;
};

struct cfg_spec {
  const char *prog;        /* program name for usage and errors */
  const char *summary;     /* one paragraph under the usage line */
  const char *passthrough; /* what goes after --, or NULL if nothing may */
  const struct cfg_option *opts;
  size_t n_opts;
};

enum cfg_result {
  CFG_OK = 0,
  CFG_HELP,    /* --help or -h: help was requested (exit 0) */
  CFG_VERSION, /* --version (exit 0) */
  CFG_INVALID  /* message in err (exit 2) */
};

/* Arguments after "--", pointing into argv. */
struct cfg_rest {
  int argc;
  char **argv;
};

enum cfg_result cfg_parse(const struct cfg_spec *spec, int argc, char **argv,
                          struct cfg_rest *rest, char *err, size_t errlen);

void cfg_print_help(const struct cfg_spec *spec, FILE *out);

/* Options both entrypoints share. ENV_PREFIX is the program's prefix,
 * e.g. "WRAPPER_"; the targets are const char ** fields. */
extern const char *const cfg_log_levels[];  /* debug info warn error */
extern const char *const cfg_log_formats[]; /* text json */

#define CFG_LOG_OPTIONS(ENV_PREFIX, level, format)                            \
  {.name = "log-level",                                                       \
   .env = ENV_PREFIX "LOG_LEVEL",                                             \
   .type = CFG_CHOICE,                                                        \
   .def = "info",                                                             \
   .help = "Level of this program's own log lines (dkron's are set after "    \
           "--).",                                                            \
   .target = level,                                                           \
   .choices = cfg_log_levels},                                                \
  {                                                                           \
    .name = "log-format", .env = ENV_PREFIX "LOG_FORMAT", .type = CFG_CHOICE, \
    .def = "text",                                                            \
    .help = "Format of this program's own log lines: text (fields as "        \
            "key=value after the message) or json (fields as members).",      \
    .target = format, .choices = cfg_log_formats                              \
  }

#define CFG_KUBE_OPTIONS(api_url, token_file, ca_file)                        \
  {.name = "kube-api-url",                                                    \
   .env = "KUBE_API_URL",                                                     \
   .type = CFG_STRING,                                                        \
   .help = "Kubernetes API URL: https://, or http:// to 127.0.0.1, ::1 or "   \
           "localhost only (a local proxy). Default: in-cluster "             \
           "(KUBERNETES_SERVICE_HOST/PORT).",                                 \
   .target = api_url},                                                        \
    {.name = "kube-token-file",                                               \
     .env = "KUBE_TOKEN_FILE",                                                \
     .type = CFG_STRING,                                                      \
     .help = "Service-account token file, re-read when it changes and after " \
             "a 401. Default: the in-cluster one.",                           \
     .target = token_file},                                                   \
  {                                                                           \
    .name = "kube-ca-file", .env = "KUBE_CA_FILE", .type = CFG_STRING,        \
    .help = "CA bundle for the API server. Default: the in-cluster ca.crt.",  \
    .target = ca_file                                                         \
  }

/* The largest port number, for CFG_INT port options. */
#define CFG_PORT_MAX 65535

/* The options both entrypoints take about their pod and about dkron (each
 * a const char ** target). name_help says what the pod name is used for. */
#define CFG_POD_NAME_OPTION(name_help, name_target)            \
  {                                                            \
    .name = "pod-name", .env = "POD_NAME", .type = CFG_STRING, \
    .help = name_help, .target = name_target                   \
  }
#define CFG_POD_IP_OPTION(ip_target)                                \
  {                                                                 \
    .name = "pod-ip", .env = "POD_IP", .type = CFG_STRING,          \
    .help = "This pod's IP (downward API status.podIP). Required: " \
            "dkron binds and advertises it.",                       \
    .target = ip_target                                             \
  }
#define CFG_DKRON_OPTION(dkron_target)                                  \
  {                                                                     \
    .name = "dkron", .env = "DKRON_BIN", .type = CFG_STRING,            \
    .def = "/usr/local/bin/dkron", .help = "Path of the dkron binary.", \
    .target = dkron_target                                              \
  }

/* Parses a duration as CFG_DURATION does; -1 if invalid. */
long cfg_parse_duration_ms(const char *text);

/* The exit code for a bad command line or environment. */
#define CFG_EXIT_INVALID 2

/* Standard handling for a program's main(): prints help or version to
 * stdout (the program stops cleanly), or "<prog>: <err>" plus a hint to
 * stderr (it fails with CFG_EXIT_INVALID); CFG_OK goes on. */
struct step cfg_handle(const struct cfg_spec *spec, enum cfg_result res,
                       const char *version, const char *err);

#endif
