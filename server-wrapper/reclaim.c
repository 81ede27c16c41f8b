/* reclaim.c: see reclaim.h. */
#include "reclaim.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "clock.h"
#include "dkron.h"
#include "dkron_cli.h"
#include "gossip.h"
#include "log.h"
#include "wrapper.h"

/* Each exchange is one round trip on the cluster network; a peer that
 * does not answer in a second is down or partitioned, and the whole step
 * must not hold up a start that can go on without it. */
#define RECLAIM_PEER_TIMEOUT_MS 1000L
#define RECLAIM_BUDGET_MS       3000LL
/* The Raft seat: one list-peers, then the removal through the leader. */
#define SEAT_CLI_TIMEOUT_MS     3000L
#define SEAT_REMOVE_DEADLINE_MS 8000L
/* dkron's Serf CoalescePeriod (agent.go), the longest a member event waits
 * before the agent sees it, and a margin for its event loop. */
#define SERF_EVENT_BATCH_MS  3000LL
#define EVENT_LOOP_MARGIN_MS 300LL

bool wrapper_reclaim_name(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  long long deadline = clock_ms() + RECLAIM_BUDGET_MS;
  struct gossip_leave_result first = {.need = GOSSIP_NOT_HELD};
  size_t asked = 0, freed = 0, failed = 0;
  const char *old;

  if (gossip_dkron_encrypts(cfg->dkron_args, cfg->n_dkron_args)) {
    LOG_INFOF("gossip is encrypted (--encrypt): the wrapper does not free "
              "our node name at the peers; after a crash the name comes back "
              "when memberlist purges the old entry (30 s or more)");
    return false;
  }
  for (size_t i = 0; i < cfg->n_peers && clock_ms() < deadline; i++) {
    struct gossip_leave_result res;
    struct dk_err err;

    if (!w->peer_ip[i][0])
      continue;
    asked++;
    dk_err_clear(&err);
    if (gossip_leave_at(w->peer_ip[i], cfg->serf_port, cfg->pod_name,
                        cfg->pod_ip, 1, RECLAIM_PEER_TIMEOUT_MS, &res,
                        &err) != DK_OK) {
      failed++;
      LOG_WARNF("could not free our node name at %s (%s): %s; if it holds an "
                "old entry of ours, the name comes back when memberlist "
                "purges it (30 s or more)",
                cfg->peers[i], w->peer_ip[i], err.msg);
      continue;
    }
    if (res.need != GOSSIP_SEND_LEFT && res.need != GOSSIP_REVIVE_LEFT)
      continue;
    freed++;
    if (first.need == GOSSIP_NOT_HELD)
      first = res;
  }
  if (first.need == GOSSIP_NOT_HELD) {
    LOG_DEBUGF("none of the %zu peers asked holds our name at another "
               "address",
               asked);
    return false;
  }
  old = first.old_addr;
  LOG_KV(LOG_INFO,
         FIELDS(LOG_STR("old_address", old),
                LOG_STR("old_state", gossip_state_name(first.old_state)),
                LOG_NUM("peers", asked), LOG_NUM("freed", freed),
                LOG_NUM("failed", failed)),
         "our last incarnation did not leave: the peers held our name %s at "
         "%s; told %zu of %zu peer%s it has left, so dkron joins at %s "
         "without waiting for memberlist to purge it",
         gossip_state_name(first.old_state), old, freed, asked,
         asked == 1 ? "" : "s", cfg->pod_ip);
  w->name_freed_at = clock_ms();
  events_emit(w->events, failed > 0, "NodeNameReclaimed", "Gossip",
              "The peers held this server's name %s at %s (the last pod did "
              "not leave); %zu of %zu told it has left",
              gossip_state_name(first.old_state), old, freed, asked);
  return true;
}

struct step wrapper_let_peers_drop_old_address(struct wrapper *w)
{
  long long until =
    w->name_freed_at + SERF_EVENT_BATCH_MS + EVENT_LOOP_MARGIN_MS;
  long long now = clock_ms();

  if (now < until)
    LOG_INFOF("starting dkron in %lld ms: the peers' dkron drops the old "
              "address from its server lookup within one Serf event batch "
              "(3 s); a join before that lets the leader dial our new Raft "
              "seat (%s) at the old address, in a 30 s dial",
              until - now, w->cfg->pod_ip);
  while ((now = clock_ms()) < until) {
    if (wrapper_stop_requested(w))
      return step_exit(0); /* stopped before launch: a clean exit */
    clock_sleep_ms((long)(until - now < 100 ? until - now : 100));
  }
  return step_go_on();
}

void wrapper_give_up_stale_seat(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  const struct dkron_remove_opts opts = {
    .dkron_bin = cfg->dkron,
    .peer_urls = (const char *const *)w->peer_urls,
    .n_peer_urls = w->n_peer_urls,
    .peer_id = cfg->pod_name,
    .attempts = 3,
    .deadline_ms = SEAT_REMOVE_DEADLINE_MS,
    .http_timeout_ms = cfg->leader_query_timeout,
    .cli_timeout_ms = SEAT_CLI_TIMEOUT_MS};
  enum dkron_remove_outcome outcome;
  struct dk_err err;

  if (w->n_peer_urls == 0)
    return;
  dk_err_clear(&err);
  if (dkron_remove_peer_via_leader(&opts, &outcome, &err) != DK_OK) {
    LOG_WARNF("could not give up our Raft seat at the old address: %s; the "
              "leader reaches this server at its new address once its "
              "attempts at the old one time out (up to 30 s)",
              err.msg);
    return;
  }
  if (outcome == DKRON_PEER_ALREADY_GONE) {
    LOG_INFOF("no Raft seat of ours to give up (not in the configuration)");
    return;
  }
  LOG_INFOF("gave up our Raft seat at the old address before dkron starts: "
            "the leader's replication to it may be stuck in a dial; its "
            "reconcile adds this server back at %s when it joins",
            cfg->pod_ip);
  events_emit(w->events, false, "RaftSeatReclaimed", "Raft",
              "Gave up the Raft seat at the old address so that the leader "
              "adds this server back at %s",
              cfg->pod_ip);
}

bool wrapper_refute_for_dkron(struct wrapper *w,
                              const struct dkron_members *members)
{
  const struct wrapper_config *cfg = w->cfg;
  long long deadline = clock_ms() + RECLAIM_BUDGET_MS;
  size_t asked = 0, refuted = 0;
  char held_as[16] = "";
  const char *as;

  if (gossip_dkron_encrypts(cfg->dkron_args, cfg->n_dkron_args))
    return false;
  for (size_t i = 0; i < members->n && clock_ms() < deadline; i++) {
    const struct dkron_member *m = &members->items[i];
    struct gossip_leave_result res;
    struct dk_err err;
    int done;

    if (!m->server || m->status != DKRON_ALIVE ||
        strcmp(m->name, cfg->pod_name) == 0)
      continue;
    asked++;
    dk_err_clear(&err);
    if (gossip_refute_at(m->addr, m->port, cfg->pod_name, cfg->pod_ip,
                         RECLAIM_PEER_TIMEOUT_MS, &res, &done, &err) != DK_OK)
      LOG_WARNF("could not refute for dkron at %s (%s): %s", m->name, m->addr,
                err.msg);
    else if (done) {
      refuted++;
      if (!held_as[0])
        snprintf(held_as, sizeof(held_as), "%s",
                 gossip_state_name(res.old_state));
    }
  }
  if (refuted == 0)
    return false;
  as = held_as;
  LOG_KV(LOG_WARN,
         FIELDS(LOG_STR("held_as", as), LOG_NUM("servers", asked),
                LOG_NUM("refuted", refuted)),
         "the servers held this running server %s: refuted for dkron at %zu "
         "of %zu (alive one incarnation on, at %s)",
         held_as, refuted, asked, cfg->pod_ip);
  events_emit(w->events, true, "MembershipRefuted", "Gossip",
              "The servers held this running server %s; refuted for dkron "
              "at %zu of %zu",
              held_as, refuted, asked);
  return true;
}
