/* voter_check.c: the readiness facts (readiness.h) from a cluster view
 * (cluster_view.h), and the verdict published on the status server.
 *
 * Asked every isleader interval while not ready, every READY_RECHECK_MS
 * once ready (the view's list-peers run is a process start).
 */
#include <stdio.h>
#include <string.h>

#include "cluster_view.h"
#include "log.h"
#include "readiness.h"
#include "reclaim.h"
#include "status_server.h"
#include "wrapper.h"

#define READY_RECHECK_MS 5000LL
/* Refuting for dkron (reclaim.h): not in its first seconds (a join is
 * still being gossiped), and at most this often. */
#define REFUTE_AFTER_LAUNCH_MS 10000LL
#define REFUTE_EVERY_MS        10000LL

/* The leader's Serf holds our running dkron failed or left at our own
 * address: refute for it, now and then. */
static void maybe_refute(struct wrapper *w, const struct cluster_view *v,
                         const struct readiness_facts *f, long long now)
{
  if (!v->members_read || !v->api_answers || v->leader_is_us ||
      (f->member_status != DKRON_FAILED && f->member_status != DKRON_LEFT) ||
      !f->member_addr || strcmp(f->member_addr, w->cfg->pod_ip) != 0 ||
      now - w->launched < REFUTE_AFTER_LAUNCH_MS || now < w->next_refute)
    return;
  w->next_refute = now + REFUTE_EVERY_MS;
  wrapper_refute_for_dkron(w, &v->members);
}

void voter_check(struct wrapper *w, long long now)
{
  struct cluster_view v;
  struct readiness_facts f;
  const struct dkron_raft_peer *p;
  const struct dkron_member *m;
  char text[sizeof(w->ready_text)];
  bool ready;

  if (!w->status || now < w->next_voter_check)
    return;
  cluster_view_read(w, &v);
  memset(&f, 0, sizeof(f));
  f.self = w->cfg->pod_name;
  f.self_ip = w->cfg->pod_ip;
  f.want_rpc = w->rpc_addr;
  f.api_answers = v.api_answers;
  f.leader = v.leader_known ? v.leader.name : NULL;
  if (v.leader_known && !v.config_read)
    f.config_error = v.config_err.msg;
  if (v.config_read && (p = dkron_raft_peers_find(&v.peers, f.self))) {
    f.listed = true;
    f.listed_addr = p->address;
    f.voter = p->voter;
  }
  if (v.config_read && !v.members_read)
    f.members_error = v.members_err.msg;
  if (v.members_read && (m = dkron_members_find(&v.members, f.self))) {
    f.member_status = m->status;
    f.member_addr = m->addr;
  }
  ready = readiness_judge(&f, text, sizeof(text));
  if (!ready)
    maybe_refute(w, &v, &f, now);
  if (ready != w->ready || strcmp(text, w->ready_text) != 0) {
    if (ready)
      LOG_INFOF("ready: %s", text);
    else
      LOG_INFOF("not ready: %s", text);
    snprintf(w->ready_text, sizeof(w->ready_text), "%s", text);
  }
  w->ready = ready;
  metric_set(w->metrics.ready, NULL, ready);
  status_server_set_ready(w->status, ready, text);
  w->next_voter_check =
    now + (ready ? READY_RECHECK_MS : w->cfg->isleader_interval);
  cluster_view_free(&v);
}
