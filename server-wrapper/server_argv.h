/* server_argv.h: the `dkron agent --server ...` command line.
 *
 *   dkron agent --server --node-name=<pod> --bind-addr=<ip>:<serf>
 *     --advertise-addr=<ip>:<serf> --http-addr=:<http> --rpc-port=<rpc>
 *     --data-dir=<dir> --config=<file> --retry-join=<peer>:<serf>...
 *     --retry-interval=<d> [--bootstrap-expect=N] <passthrough...>
 *
 * Never joins our own name or address (a self-join counts as success and
 * would end retry-join alone). Refuses passthrough flags that the wrapper
 * owns, and --retry-max, which hangs dkron when retries run out.
 */
#ifndef WRAPPER_SERVER_ARGV_H
#define WRAPPER_SERVER_ARGV_H

#include <stddef.h>

#include "argv.h"
#include "err.h"

struct server_argv_params {
  const char *dkron;     /* binary path */
  const char *node_name; /* pod name */
  const char *self_fqdn; /* our own peer FQDN, never joined */
  const char *pod_ip;    /* IPv4 or IPv6 */
  long serf_port, rpc_port, http_port;
  const char *data_dir;
  const char *config_file;  /* dkron_config_write's file; NULL: none */
  const char *const *peers; /* peer FQDNs (ours is filtered out) */
  size_t n_peers;
  const char *retry_interval; /* e.g. "5s" */
  long bootstrap_expect;      /* 0: omit */
  char *const *extra;         /* passthrough arguments */
  int n_extra;
};

/* Refuses a passthrough flag that the wrapper owns (argv_refuse_owned):
 * DK_EINVAL naming it and why. The configuration checks it at start, so
 * that a refused flag costs no wait; server_argv_build checks it again. */
enum dk_code server_argv_check(char *const *extra, int n_extra,
                               struct dk_err *err);

/* Returns a NULL-terminated argv owned by the caller (free with argv_free),
 * or NULL with err set (DK_EINVAL for a refused passthrough flag,
 * DK_ENOMEM). */
char **server_argv_build(const struct server_argv_params *p,
                         struct dk_err *err);

#endif
