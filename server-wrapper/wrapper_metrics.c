/* wrapper_metrics.c: see wrapper_metrics.h. */
#include "wrapper_metrics.h"

#include <string.h>

void wrapper_metrics_init(struct wrapper_metrics *m)
{
  struct metrics *r = metrics_new();
  struct metric *info;

  memset(m, 0, sizeof(*m));
  m->registry = r;
  info =
    metrics_add(r, METRIC_GAUGE, "dkron_k8s_build_info",
                "The program and its version; always 1.", "program,version");
  metric_set(info, (const char *[]){"dkron-server-wrapper", DKRON_K8S_VERSION},
             1);
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
                "failed peer without a desired pod; scaled_down: this "
                "server, leaving for good).",
                "reason");
  m->label_patches =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_leader_label_patches_total",
                "Merge-patches of a pod's leader label, by result.", "result");
  m->api_requests =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_api_requests_total",
                "Kubernetes API requests, by RBAC verb and HTTP status "
                "(error: no answer).",
                "verb,code");
  m->dkron_api_errors =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_dkron_api_errors_total",
                "Failed calls to the local dkron's HTTP API, by path and "
                "error.",
                "path,error");
  m->dkron_up = metrics_add(r, METRIC_GAUGE, "dkron_k8s_dkron_up",
                            "1 while the dkron child process runs.", NULL);
  m->events = metrics_add(r, METRIC_COUNTER, "dkron_k8s_events_total",
                          "Kubernetes Events, by result (posted; dropped: "
                          "rate limit, repeat or full queue; failed).",
                          "result");
}

void wrapper_metrics_free(struct wrapper_metrics *m)
{
  metrics_free(m->registry);
  memset(m, 0, sizeof(*m));
}
