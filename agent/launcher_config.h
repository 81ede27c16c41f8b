/* launcher_config.h: dkron-agent-launcher's settings, from flags and env.
 * Everything --help shows comes from the one table in launcher_config.c. */
#ifndef AGENT_LAUNCHER_CONFIG_H
#define AGENT_LAUNCHER_CONFIG_H

#include <stdbool.h>

#include "step.h"

struct launcher_config {
  /* which servers */
  const char *selector;
  const char *namespace;
  bool require_ready;
  long serf_port, http_port;
  long server_status_port; /* 0: ask /v1/members */
  const char *fallback_service;
  /* this pod */
  const char *pod_namespace; /* POD_NAMESPACE; NULL (unset or empty): the
                              * service account's */
  const char *pod_name;
  const char *pod_ip;
  /* dkron */
  const char *dkron;
  /* timing, ms */
  long check_interval;
  long check_interval_max; /* at least check_interval */
  long rejoin_after;
  long drain_limit;
  long join_spread; /* a (re)start waits a random 0..join_spread ms */
  long relaunch_backoff_max;
  long member_query_timeout;
  /* status endpoint */
  long status_port;
  /* Kubernetes API and DNS overrides (tests, out-of-cluster) */
  const char *kube_api_url, *kube_token_file, *kube_ca_file;
  const char *dns_server;
  const char *log_level, *log_format;
  char **dkron_args;
  int n_dkron_args;
};

/* Parses argv and the environment. Goes on, stops cleanly after
 * --help/--version, or fails with CFG_EXIT_INVALID for invalid settings
 * (the reason printed). */
struct step launcher_config_load(struct launcher_config *cfg, int argc,
                                 char **argv);

#endif
