/* wrapper_metrics.h: what dkron-server-wrapper exports on /metrics.
 *
 *   dkron_k8s_build_info{program,version}                 1
 *   dkron_k8s_leader                                      1 while we lead
 *   dkron_k8s_leader_changes_total                        leader ↔ follower
 *   dkron_k8s_ready                                       1: a working voter
 *   dkron_k8s_bootstrap_info{decision,reason}             1 (this start's)
 *   dkron_k8s_raft_peers{suffrage}                        at the last check
 *   dkron_k8s_raft_peers_removed_total{reason}            by this wrapper
 *   dkron_k8s_leader_label_patches_total{result}          ok / error
 *   dkron_k8s_api_requests_total{verb,code}               Kubernetes API
 *   dkron_k8s_dkron_api_errors_total{path,error}          local dkron API
 *   dkron_k8s_dkron_up                                    1 while dkron runs
 *   dkron_k8s_events_total{result}                        posted, dropped,
 *                                                         failed
 *
 * dkron's own exit ends the wrapper (and the container, whose restart
 * count Kubernetes keeps), so the wrapper has no restart counter of its
 * own; the launcher, which relaunches its dkron, does.
 */
#ifndef WRAPPER_WRAPPER_METRICS_H
#define WRAPPER_WRAPPER_METRICS_H

#include "metrics.h"

struct wrapper_metrics {
  struct metrics *registry;     /* owned; NULL with the status port off */
  struct common_metrics common; /* build info, API requests, dkron... */
  struct metric *leader;
  struct metric *leader_changes;
  struct metric *ready;
  struct metric *bootstrap;
  struct metric *raft_peers;
  struct metric *peers_removed;
  struct metric *label_patches;
};

/* Declares every family (all NULL when the registry cannot be made). */
void wrapper_metrics_init(struct wrapper_metrics *m);
void wrapper_metrics_free(struct wrapper_metrics *m);

#endif
