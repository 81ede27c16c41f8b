/* handover.c: see handover.h. */
#include "handover.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "argv.h"
#include "clock.h"
#include "dkron_cli.h"
#include "k8s_pod.h"
#include "log.h"
#include "raft_wire.h"
#include "wrapper.h"

#define HANDOVER_BUDGET_MS 4000LL
#define HANDOVER_CLI_MS    2000L
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

static void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

  nanosleep(&ts, NULL);
}

/* Fills c[] from the Raft configuration and the Serf members; returns
 * how many entries it wrote. */
static size_t gather(struct wrapper *w, const struct dkron_raft_peers *peers,
                     const struct dkron_members *members,
                     struct handover_candidate *c, size_t cap)
{
  size_t n = 0;

  for (size_t i = 0; i < peers->n && n < cap; i++) {
    const struct dkron_raft_peer *p = &peers->items[i];
    const struct dkron_member *m = dkron_members_find(members, p->id);
    char *current;

    if (strcmp(p->id, w->cfg->pod_name) == 0)
      continue;
    current = m ? host_port(m->addr, w->cfg->rpc_port) : NULL;
    c[n].name = p->id;
    c[n].ordinal = k8s_ordinal_from_name(p->id);
    c[n].ip = m ? m->addr : "";
    c[n].eligible = p->voter && m && m->status == DKRON_ALIVE && current &&
                    strcmp(current, p->address) == 0 && c[n].ordinal >= 0;
    free(current);
    n++;
  }
  return n;
}

bool handover_leadership(struct wrapper *w)
{
  long long start = clock_ms(), deadline = start + HANDOVER_BUDGET_MS;
  struct dkron_raft_peers peers = {NULL, 0};
  struct dkron_members members = {NULL, 0};
  struct handover_candidate c[WRAPPER_MAX_PEERS + 1];
  struct dk_err err;
  size_t n, eligible;
  bool moved = false;

  dk_err_clear(&err);
  if (!still_leader(w))
    return false;
  if (dkron_list_peers(w->cfg->dkron, w->rpc_addr, HANDOVER_CLI_MS, &peers,
                       &err) != DK_OK ||
      dkron_members(w->local, &members, &err) != DK_OK) {
    LOG_WARNF("no leadership hand-over, dkron's leave will do: %s", err.msg);
    goto out;
  }
  n = gather(w, &peers, &members, c, sizeof(c) / sizeof(c[0]));
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
      sleep_ms(LEADER_POLL_MS);
    if (moved)
      LOG_INFOF("handed leadership over: %s stood for election; this "
                "server stopped leading %lld ms after the request",
                c[i].name, clock_ms() - t);
  }
  if (!moved)
    LOG_WARNF("still the leader after the hand-over attempts; dkron's leave "
              "ends it");
out:
  dkron_raft_peers_free(&peers);
  dkron_members_free(&members);
  return moved;
}
