/* launcher_metrics.h: what dkron-agent-launcher exports on /metrics.
 *
 *   dkron_k8s_build_info{program,version}           1
 *   dkron_k8s_live_servers                          from the watch
 *   dkron_k8s_member_status{status}                 1 for the last answer:
 *                                                   alive, not_alive, unknown
 *   dkron_k8s_last_alive_check_age_seconds          since a server last
 *                                                   answered the check
 *   dkron_k8s_rejoins_total{reason}                 not_alive,
 *                                                   joined_servers_gone
 *   dkron_k8s_drain_waits_total                     re-joins that waited
 *                                                   for running jobs
 *   dkron_k8s_watch_restarts_total                  watches re-opened
 *   dkron_k8s_watch_relists_total{reason}           gone (410), error
 *   dkron_k8s_api_requests_total{verb,code}         Kubernetes API
 *   dkron_k8s_dkron_api_errors_total{path,error}    membership checks
 *   dkron_k8s_dkron_up                              1 while dkron runs
 *   dkron_k8s_dkron_starts_total                    launches of dkron
 *   dkron_k8s_dkron_last_exit_code                  -1 before any exit
 *   dkron_k8s_member_checks_total{via}              answered checks: wrapper
 *                                                   (/members), dkron
 *                                                   (/v1/members)
 *   dkron_k8s_member_check_bytes_total              their answers' bytes
 *   dkron_k8s_events_total{result}                  posted, dropped, failed
 */
#ifndef AGENT_LAUNCHER_METRICS_H
#define AGENT_LAUNCHER_METRICS_H

#include "metrics.h"

struct launcher_metrics {
  struct metrics *registry;     /* owned; NULL with the status port off */
  struct common_metrics common; /* build info, API requests, dkron... */
  struct metric *live_servers;
  struct metric *member_status;
  struct metric *last_alive_check;
  struct metric *rejoins;
  struct metric *drain_waits;
  struct metric *watch_restarts;
  struct metric *watch_relists;
  struct metric *dkron_starts;
  struct metric *dkron_exit_code;
  struct metric *checks;
  struct metric *check_bytes;
  struct metric *check_interval; /* the current pace, seconds */
};

void launcher_metrics_init(struct launcher_metrics *m);
void launcher_metrics_free(struct launcher_metrics *m);

#endif
