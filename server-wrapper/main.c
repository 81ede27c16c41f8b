/* dkron-server-wrapper: the entrypoint of the dkron server StatefulSet.
 *
 * Flow (landing step by step): config → wait for peer DNS → bootstrap
 * decision → launch `dkron agent --server` → supervise (signals, reaping,
 * leader label, dead-peer cleanup) → graceful leave and Raft removal.
 * This first slice parses the shared options and prints --help.
 */
#include <stdio.h>

#include "config.h"
#include "log.h"

#define VERSION "0.1.0"

static const char *const log_levels[] = {"debug", "info", "warn", "error",
                                         NULL};
static const char *const log_formats[] = {"text", "json", NULL};

static const char *opt_log_level;
static const char *opt_log_format;
static const char *opt_dkron;

static const struct cfg_option options[] = {
  {"log-level", "WRAPPER_LOG_LEVEL", CFG_CHOICE, "info",
   "Log level of this program's own messages.", &opt_log_level, 0, 0,
   log_levels, NULL},
  {"log-format", "WRAPPER_LOG_FORMAT", CFG_CHOICE, "text", "Log line format.",
   &opt_log_format, 0, 0, log_formats, NULL},
  {"dkron", "DKRON_BIN", CFG_STRING, "/usr/local/bin/dkron",
   "Path of the dkron binary to run.", &opt_dkron, 0, 0, NULL, NULL},
};

static const struct cfg_spec spec = {
  "dkron-server-wrapper",
  "Runs `dkron agent --server` as a StatefulSet pod: waits for the peers' "
  "DNS,\n"
  "decides on bootstrap, supervises dkron as PID 1, and leaves the Raft\n"
  "cluster cleanly when the pod goes away for good.",
  "arguments passed to `dkron agent` verbatim.", options,
  sizeof(options) / sizeof(options[0])};

int main(int argc, char **argv)
{
  struct cfg_rest rest;
  char err[512];
  enum log_level level;
  enum log_format format;
  int code;

  code = cfg_handle(
    &spec, cfg_parse(&spec, argc, argv, &rest, err, sizeof(err)), VERSION, err);
  if (code >= 0)
    return code;
  log_parse_level(opt_log_level, &level);
  log_parse_format(opt_log_format, &format);
  log_setup(spec.prog, level, format);
  LOG_ERRORF("the server supervisor is not part of this build yet; "
             "only --help and --version work");
  return 2;
}
