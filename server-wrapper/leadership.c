/* leadership.c: the leader label and the leader's clean-up duties.
 *
 * Every isleader interval: GET /v1/isleader on our own dkron (judged by
 * status code), fed to the label state machine (leader_label.h), which
 * says when to merge-patch our pod's label. While we lead, every
 * dead-peer interval: clear a stale leader label left on another server
 * pod, and remove at most one dead Raft peer (dead_peers.h). Kubernetes
 * API errors are logged and retried later; they never stop dkron.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dkron_cli.h"
#include "log.h"
#include "wrapper.h"

#define CLI_TIMEOUT_MS 10000L

static const char *role_value(const struct wrapper *w, enum label_role role)
{
  return role == ROLE_LEADER ? w->cfg->label_leader : w->cfg->label_follower;
}

/* Merge-patches one pod's leader label. */
static enum patch_outcome patch_label(struct wrapper *w, const char *pod,
                                      const char *value)
{
  const struct k8s_label_change change = {.key = w->cfg->label_key,
                                          .value = value};
  struct dk_err err;

  if (!w->kube)
    return PATCH_REFUSED;
  dk_err_clear(&err);
  if (k8s_patch_pod_labels(w->kube, pod, &change, 1, &err) != DK_OK) {
    LOG_WARNF("cannot label pod %s %s=%s (will retry): %s", pod,
              w->cfg->label_key, value, err.msg);
    if (err.code == DK_EFORBIDDEN)
      events_emit(w->events, true, "Forbidden", "PatchLabel", "%s", err.msg);
    metric_inc(w->metrics.label_patches, (const char *[]){"error"});
    return err.http_status >= 400 && err.http_status < 500 ? PATCH_REFUSED
                                                           : PATCH_NO_ANSWER;
  }
  metric_inc(w->metrics.label_patches, (const char *[]){"ok"});
  LOG_INFOF("labelled pod %s %s=%s", pod, w->cfg->label_key, value);
  return PATCH_OK;
}

bool leadership_set_label(struct wrapper *w, enum label_role role)
{
  enum patch_outcome outcome;

  if (role == ROLE_FOLLOWER && label_shutdown(&w->label) == ROLE_UNKNOWN)
    return true;
  outcome = patch_label(w, w->cfg->pod_name, role_value(w, role));
  label_patched(&w->label, role, outcome, (long)clock_ms());
  return outcome == PATCH_OK;
}

void leadership_poll(struct wrapper *w, long long now)
{
  enum isleader_result r = ISLEADER_ERROR;
  enum label_role patch;
  struct dk_err err;
  bool leader = false;
  enum dk_code rc;

  dk_err_clear(&err);
  rc = dkron_is_leader(w->local, &leader, &err);
  if (rc == DK_OK || rc == DK_EHTTP) {
    if (!w->api_up) {
      LOG_INFOF("dkron's HTTP API is up after %lld ms", now - w->launched);
      status_server_set_started(w->status, true, NULL);
    }
    w->api_up = true;
  }
  if (rc == DK_OK)
    r = leader ? ISLEADER_YES : ISLEADER_NO;
  if (rc == DK_OK && leader != w->leader) {
    LOG_KV(LOG_INFO, FIELDS(LOG_STR("role", leader ? "leader" : "follower")),
           "this server is now %s", leader ? "the leader" : "a follower");
    metric_inc(w->metrics.leader_changes, NULL);
    events_emit(w->events, false, leader ? "LeaderElected" : "LeadershipLost",
                "Elect", "%s is now %s of the dkron cluster", w->cfg->pod_name,
                leader ? "the leader" : "a follower");
  }
  w->leader = rc == DK_OK && leader;
  metric_set(w->metrics.leader, NULL, w->leader);
  patch = label_observe(&w->label, r, (long)now);
  if (patch != ROLE_UNKNOWN)
    label_patched(&w->label, patch,
                  patch_label(w, w->cfg->pod_name, role_value(w, patch)),
                  (long)now);
}

long wrapper_replicas(struct wrapper *w)
{
  struct dk_err err;
  long replicas = -1;

  if (!w->kube)
    return -1;
  dk_err_clear(&err);
  if (k8s_get_statefulset_replicas(w->kube, w->cfg->statefulset, &replicas,
                                   &err) != DK_OK) {
    LOG_WARNF("cannot read spec.replicas of StatefulSet %s: %s",
              w->cfg->statefulset, err.msg);
    return -1;
  }
  return replicas;
}

/* A pod of ours other than this one still labelled leader is relabelled
 * follower, so exactly one pod carries the label. Pods are read one by one
 * with GET (the Role grants get and patch, not list). */
static void clear_stale_labels(struct wrapper *w, long replicas)
{
  const char *const keys[] = {w->cfg->label_key, NULL};

  for (long i = 0; i < replicas; i++) {
    char name[300];
    struct k8s_pod pod;
    struct dk_err err;
    const char *value;

    snprintf(name, sizeof(name), "%s-%ld", w->cfg->statefulset, i);
    if (strcmp(name, w->cfg->pod_name) == 0)
      continue;
    memset(&pod, 0, sizeof(pod));
    dk_err_clear(&err);
    if (k8s_get_pod(w->kube, name, keys, &pod, &err) != DK_OK) {
      if (err.code != DK_ENOTFOUND)
        LOG_WARNF("cannot read pod %s: %s", name, err.msg);
      k8s_pod_free(&pod);
      continue;
    }
    value = k8s_pod_label(&pod, w->cfg->label_key);
    if (value && strcmp(value, w->cfg->label_leader) == 0) {
      LOG_INFOF("pod %s still carries the leader label; clearing it", name);
      patch_label(w, name, w->cfg->label_follower);
    }
    k8s_pod_free(&pod);
  }
}

static void count_peers(struct wrapper *w, const struct dkron_raft_peers *p)
{
  size_t voters = 0;

  for (size_t i = 0; i < p->n; i++)
    voters += p->items[i].voter;
  metric_set(w->metrics.raft_peers, (const char *[]){"voter"}, (double)voters);
  metric_set(w->metrics.raft_peers, (const char *[]){"nonvoter"},
             (double)(p->n - voters));
}

/* Compares the Raft peers with the pods that should exist and removes at
 * most one dead peer (we are the leader, so our own rpc address works). */
static void remove_dead_peer(struct wrapper *w, long replicas, long long now)
{
  const struct wrapper_config *cfg = w->cfg;
  struct dkron_raft_peers peers = {NULL, 0};
  struct dkron_members members = {NULL, 0};
  struct raft_peer_view *pv = NULL;
  struct member_view *mv = NULL;
  const struct dead_peer_params params = {.statefulset = cfg->statefulset,
                                          .replicas = replicas,
                                          .self = cfg->pod_name,
                                          .threshold_ms = cfg->dead_peer_after,
                                          .now_ms = (long)now};
  enum dkron_remove_outcome outcome;
  char why[512];
  const char *victim;
  struct dk_err err;

  dk_err_clear(&err);
  if (dkron_list_peers(cfg->dkron, w->rpc_addr, CLI_TIMEOUT_MS, &peers, &err) !=
        DK_OK ||
      dkron_members(w->local, &members, &err) != DK_OK) {
    LOG_WARNF("dead-peer check skipped: %s", err.msg);
    goto out;
  }
  pv = calloc(peers.n + 1, sizeof(*pv));
  mv = calloc(members.n + 1, sizeof(*mv));
  if (!pv || !mv)
    goto out;
  for (size_t i = 0; i < peers.n; i++)
    pv[i] = (struct raft_peer_view){.id = peers.items[i].id,
                                    .voter = peers.items[i].voter};
  count_peers(w, &peers);
  for (size_t i = 0; i < members.n; i++)
    mv[i] = (struct member_view){.name = members.items[i].name,
                                 .status = members.items[i].status};
  victim = dead_peers_select(&w->dead, &params, pv, peers.n, mv, members.n, why,
                             sizeof(why));
  if (why[0])
    LOG_INFOF("%s", why);
  if (victim && dkron_remove_peer(cfg->dkron, w->rpc_addr, victim,
                                  CLI_TIMEOUT_MS, &outcome, &err) != DK_OK)
    LOG_WARNF("could not remove stale peer %s: %s", victim, err.msg);
  else if (victim) {
    LOG_KV(LOG_INFO,
           FIELDS(LOG_STR("peer", victim), LOG_STR("reason", "dead_peer")),
           "removed stale peer %s from Raft", victim);
    metric_inc(w->metrics.peers_removed, (const char *[]){"dead_peer"});
    events_emit(w->events, false, "RaftPeerRemoved", "RemovePeer",
                "removed stale peer %s from Raft: %s", victim, why);
  }
out:
  free(pv);
  free(mv);
  dkron_raft_peers_free(&peers);
  dkron_members_free(&members);
}

void leadership_cleanup(struct wrapper *w, long long now)
{
  long replicas = wrapper_replicas(w);

  if (replicas < 0)
    return;
  clear_stale_labels(w, replicas);
  remove_dead_peer(w, replicas, now);
}
