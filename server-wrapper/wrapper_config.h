/* wrapper_config.h: dkron-server-wrapper's settings, from flags and env.
 *
 * Everything --help shows comes from the one table in wrapper_config.c.
 * Derived values (ordinal, peer names) are computed once here, so the rest
 * of the program reads facts, not strings to re-parse.
 */
#ifndef WRAPPER_CONFIG_H
#define WRAPPER_CONFIG_H

#include <stddef.h>

#include "shutdown_policy.h"
#include "step.h"

#define WRAPPER_MAX_PEERS 99

struct wrapper_config {
  /* cluster shape */
  long initial_cluster_size;
  const char *statefulset;
  const char *service;
  const char *cluster_domain;
  /* this pod */
  const char *pod_name;
  const char *pod_namespace;
  const char *pod_ip;
  /* dkron */
  const char *dkron;
  const char *data_dir;
  long serf_port, rpc_port, http_port;
  long status_port;
  const char *retry_interval;
  /* timeouts and intervals, in ms */
  long peer_dns_timeout;
  long leader_query_timeout;
  long api_warn_after;
  long quorum_wait;
  long leave_timeout;
  long stop_timeout;
  long remove_timeout;
  long isleader_interval;
  long dead_peer_after;
  long dead_peer_interval;
  long reconcile_interval;
  /* shutdown */
  enum remove_mode remove_mode;
  /* leader label */
  const char *label_key, *label_leader, *label_follower;
  /* Kubernetes API and DNS overrides (tests, out-of-cluster) */
  const char *kube_api_url, *kube_token_file, *kube_ca_file;
  const char *dns_server;
  /* logging */
  const char *log_level, *log_format;
  /* passthrough to dkron */
  char **dkron_args;
  int n_dkron_args;

  /* derived */
  long ordinal;                   /* from pod_name */
  char *peers[WRAPPER_MAX_PEERS]; /* FQDNs of the OTHER initial servers */
  size_t n_peers;
  char *self_fqdn; /* our own FQDN */
};

/* Parses argv and the environment. Goes on, stops cleanly after
 * --help/--version, or fails with CFG_EXIT_INVALID for invalid settings
 * (the reason printed; nothing left to free). */
struct step wrapper_config_load(struct wrapper_config *cfg, int argc,
                                char **argv);
void wrapper_config_free(struct wrapper_config *cfg);

/* The ordinal of peers[i]: the initial ordinals in order, ours left out. */
long wrapper_peer_ordinal(const struct wrapper_config *cfg, size_t i);

/* Validates and derives (ordinal, peers); exposed for tests. Returns 0, or
 * -1 with the reason in err. */
int wrapper_config_derive(struct wrapper_config *cfg, char *err, size_t len);

#endif
