/* handover.c: see handover.h. */
#include "handover.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cluster_view.h"
#include "k8s_pod.h"
#include "log.h"
#include "raft_wire.h"
#include "wrapper.h"

#define HANDOVER_BUDGET_MS 4000LL
#define TIMEOUT_NOW_MS     1000L
#define HANDOVER_TRIES     2
#define LEADER_POLL_MS     50L

/* Sort key: eligible first; then ordinals above ours, highest first; then
 * the rest, lowest first. */
static long rank_key(const struct handover_candidate *c, long self_ordinal)
{
  if (!c->eligible)
    return 3L << 40;
  if (c->ordinal > self_ordinal)
    return (1L << 40) - c->ordinal;
  return (2L << 40) + c->ordinal;
}

size_t handover_rank(struct handover_candidate *c, size_t n, long self_ordinal)
{
  size_t eligible = 0;

  /* insertion sort: a handful of servers, and it is stable */
  for (size_t i = 1; i < n; i++) {
    struct handover_candidate x = c[i];
    long k = rank_key(&x, self_ordinal);
    size_t j = i;

    while (j > 0 && rank_key(&c[j - 1], self_ordinal) > k) {
      c[j] = c[j - 1];
      j--;
    }
    c[j] = x;
  }
  for (size_t i = 0; i < n; i++)
    eligible += c[i].eligible;
  return eligible;
}

/* True while our own dkron still says it leads (errors count as no). */
static bool still_leader(struct wrapper *w)
{
  struct dk_err err;
  bool leader = false;

  dk_err_clear(&err);
  return dkron_is_leader(w->local, &leader, &err) == DK_OK && leader;
}

/* Fills c[] with the other servers of our Raft configuration; returns
 * how many it wrote. */
static size_t gather(struct wrapper *w, const struct cluster_view *v,
                     struct handover_candidate *c, size_t cap)
{
  size_t n = 0;

  for (size_t i = 0; i < v->peers.n && n < cap; i++) {
    const struct dkron_raft_peer *p = &v->peers.items[i];
    const struct dkron_member *m = dkron_members_find(&v->members, p->id);

    if (strcmp(p->id, w->cfg->pod_name) == 0)
      continue;
    c[n].name = p->id;
    c[n].ordinal = k8s_ordinal_from_name(p->id);
    c[n].ip = m ? m->addr : "";
    c[n].eligible =
      c[n].ordinal >= 0 && cluster_view_working(v, p, w->cfg->rpc_port);
    n++;
  }
  return n;
}

bool handover_leadership(struct wrapper *w)
{
  long long start = clock_ms(), deadline = start + HANDOVER_BUDGET_MS;
  struct handover_candidate c[WRAPPER_MAX_PEERS + 1];
  struct cluster_view v;
  struct dk_err err;
  size_t n, eligible;
  bool moved = false;

  cluster_view_read(w, &v);
  if (!v.leader_is_us)
    goto out;
  if (!v.members_read) {
    LOG_WARNF("no leadership hand-over, dkron's leave will do: %s",
              v.config_read ? v.members_err.msg : v.config_err.msg);
    goto out;
  }
  n = gather(w, &v, c, sizeof(c) / sizeof(c[0]));
  eligible = handover_rank(c, n, w->cfg->ordinal);
  if (eligible == 0) {
    LOG_WARNF("no leadership hand-over: no other voter is alive at its "
              "current address");
    goto out;
  }
  for (size_t i = 0; i < eligible && i < HANDOVER_TRIES && !moved; i++) {
    long long t = clock_ms();

    if (t >= deadline)
      break;
    dk_err_clear(&err);
    if (raft_timeout_now(c[i].ip, w->cfg->rpc_port, TIMEOUT_NOW_MS, &err) !=
        DK_OK) {
      LOG_WARNF("hand-over to %s failed: %s", c[i].name, err.msg);
      continue;
    }
    while (clock_ms() < deadline && !(moved = !still_leader(w)))
      clock_sleep_ms(LEADER_POLL_MS);
    if (moved)
      LOG_INFOF("handed leadership over: %s stood for election; this "
                "server stopped leading %lld ms after the request",
                c[i].name, clock_ms() - t);
  }
  if (!moved)
    LOG_WARNF("still the leader after the hand-over attempts; dkron's leave "
              "ends it");
out:
  cluster_view_free(&v);
  return moved;
}
