/* wrapper_metrics.c: see wrapper_metrics.h. */
#include "wrapper_metrics.h"

#include <string.h>

void wrapper_metrics_init(struct wrapper_metrics *m)
{
  struct metrics *r = metrics_new();

  memset(m, 0, sizeof(*m));
  m->registry = r;
  metrics_add_common(
    r, "dkron-server-wrapper",
    "Failed calls to the local dkron's HTTP API, by path and error.",
    &m->common);
  m->leader = metrics_add(r, METRIC_GAUGE, "dkron_k8s_leader",
                          "1 while this server is the Raft leader.", NULL);
  m->leader_changes = metrics_add(
    r, METRIC_COUNTER, "dkron_k8s_leader_changes_total",
    "Times this server became the leader or stopped being it.", NULL);
  m->ready = metrics_add(r, METRIC_GAUGE, "dkron_k8s_ready",
                         "1 while /readyz says this server is a working "
                         "voter.",
                         NULL);
  m->bootstrap =
    metrics_add(r, METRIC_GAUGE, "dkron_k8s_bootstrap_info",
                "This start's bootstrap decision (expect: with "
                "--bootstrap-expect; join: without) and its reason; 1.",
                "decision,reason");
  m->raft_peers = metrics_add(r, METRIC_GAUGE, "dkron_k8s_raft_peers",
                              "Raft peers at the leader's last dead-peer "
                              "check, by suffrage.",
                              "suffrage");
  m->peers_removed =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_raft_peers_removed_total",
                "Raft peers this wrapper removed, by reason (dead_peer: a "
                "failed peer without a desired pod; this server on its "
                "way out: scaled_down, leave_failed, always for "
                "--remove-on-exit=always).",
                "reason");
  m->label_patches =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_leader_label_patches_total",
                "Merge-patches of a pod's leader label, by result.", "result");
}

void wrapper_metrics_free(struct wrapper_metrics *m)
{
  metrics_free(m->registry);
  memset(m, 0, sizeof(*m));
}
