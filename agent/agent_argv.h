/* agent_argv.h: the `dkron agent` (worker) command line.
 *
 *   dkron agent --node-name=<pod> --bind-addr=<ip>:<serf>
 *     --advertise-addr=<ip>:<serf> --join=<server ip:serf>... <passthrough>
 *
 * The --join list is rotated to start at join_first (see below).
 *
 * --join, not --retry-join: a join that fails is only a warning in dkron,
 * and the launcher itself notices a worker that is not a member and
 * restarts it with a fresh list, so nothing blocks in dkron's retry loop.
 */
#ifndef AGENT_AGENT_ARGV_H
#define AGENT_AGENT_ARGV_H

#include <stddef.h>

#include "argv.h"
#include "err.h"

struct agent_argv_params {
  const char *dkron;
  const char *node_name;
  const char *pod_ip;
  long serf_port;
  char *const *join; /* "<ip>:<port>" of live servers */
  size_t n_join;
  /* The --join list starts at join[join_first % n_join] and wraps: dkron
   * (serf) contacts the servers in the order given, so each worker's
   * first request goes to a server of its own drawing. */
  size_t join_first;
  char *const *extra;
  int n_extra;
};

/* Refuses a passthrough argument that is a flag the launcher sets itself
 * (DK_EINVAL naming it and why), so that the configuration can refuse it
 * at start instead of at every launch. */
enum dk_code agent_argv_check_extra(char *const *extra, int n_extra,
                                    struct dk_err *err);

/* NULL-terminated argv owned by the caller (argv_free), or NULL with err:
 * DK_EINVAL for a refused passthrough flag, DK_ENOMEM. */
char **agent_argv_build(const struct agent_argv_params *p, struct dk_err *err);

#endif
