/* reclaim.c: see reclaim.h. */
#include "reclaim.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "wrapper.h"

/* Each exchange is one round trip on the cluster network; a peer that
 * does not answer in a second is down or partitioned, and the whole step
 * must not hold up a start that can go on without it. */
#define RECLAIM_PEER_TIMEOUT_MS 1000L
#define RECLAIM_BUDGET_MS       3000LL

enum reclaim_need reclaim_plan(const struct gossip_node *held,
                               const char *pod_ip, struct gossip_node push[2],
                               size_t *n)
{
  *n = 0;
  if (!held)
    return RECLAIM_NOT_HELD;
  if (gossip_addr_is(held, pod_ip))
    return RECLAIM_SAME_ADDR;
  if (held->state == GOSSIP_LEFT)
    return RECLAIM_FREE;
  if (held->state == GOSSIP_DEAD) {
    if (held->incarnation == UINT32_MAX)
      return RECLAIM_FREE; /* cannot go one on; the purge will free it */
    /* memberlist's deadNode ignores a node already dead: bring the entry
     * back first, as its own refute would (a higher incarnation, same
     * address), then leave at that incarnation */
    push[0] = *held;
    push[0].state = GOSSIP_ALIVE;
    push[0].incarnation = held->incarnation + 1;
    push[1] = push[0];
    push[1].state = GOSSIP_LEFT;
    *n = 2;
    return RECLAIM_REVIVE;
  }
  /* alive or suspect: a leave at the incarnation they hold */
  push[0] = *held;
  push[0].state = GOSSIP_LEFT;
  *n = 1;
  return RECLAIM_LEAVE;
}

/* dkron encrypts its gossip with --encrypt (or DKRON_ENCRYPT); the
 * wrapper has no key handling of its own, so it leaves the name alone. */
static bool gossip_encrypted(const struct wrapper_config *cfg)
{
  const char *env = getenv("DKRON_ENCRYPT");

  if (env && *env)
    return true;
  for (int i = 0; i < cfg->n_dkron_args; i++) {
    const char *a = cfg->dkron_args[i];
    if (strcmp(a, "--encrypt") == 0 || strncmp(a, "--encrypt=", 10) == 0)
      return true;
  }
  return false;
}

/* One peer: read what it holds, send the fix, read again to confirm.
 * Returns 1 when the peer now lets the name go to our address. */
static int reclaim_at(struct wrapper *w, const char *peer, const char *ip,
                      char *old_addr, size_t old_len, const char **old_state)
{
  const struct wrapper_config *cfg = w->cfg;
  struct gossip_table before, after;
  struct gossip_node push[2];
  const struct gossip_node *held;
  enum reclaim_need need;
  struct dk_err err;
  size_t n;
  int ok = 0;

  dk_err_clear(&err);
  if (gossip_push_pull(ip, cfg->serf_port, NULL, 0, RECLAIM_PEER_TIMEOUT_MS,
                       &before, &err) != DK_OK) {
    LOG_WARNF("could not ask %s (%s) what its gossip holds under our name: "
              "%s; if an old entry of ours is there, the name comes back when "
              "memberlist purges it (30 s or more)",
              peer, ip, err.msg);
    return 0;
  }
  held = gossip_find(&before, cfg->pod_name);
  need = reclaim_plan(held, cfg->pod_ip, push, &n);
  if (need == RECLAIM_LEAVE || need == RECLAIM_REVIVE) {
    gossip_addr_text(held, old_addr, old_len);
    *old_state = gossip_state_name(held->state);
    if (gossip_push_pull(ip, cfg->serf_port, push, n, RECLAIM_PEER_TIMEOUT_MS,
                         &after, &err) == DK_OK) {
      gossip_table_free(&after);
      if (gossip_push_pull(ip, cfg->serf_port, NULL, 0, RECLAIM_PEER_TIMEOUT_MS,
                           &after, &err) == DK_OK) {
        held = gossip_find(&after, cfg->pod_name);
        ok = !held || held->state == GOSSIP_LEFT ||
             gossip_addr_is(held, cfg->pod_ip);
        if (!ok)
          dk_err_set(&err, DK_EPARSE, "it still holds the name %s at %s",
                     gossip_state_name(held->state), old_addr);
        gossip_table_free(&after);
      }
    }
    if (!ok)
      LOG_WARNF("could not free our name at %s (%s): %s", peer, ip, err.msg);
    else
      LOG_DEBUGF("%s (%s) now holds our old entry (%s) as left", peer, ip,
                 old_addr);
  } else {
    ok = 1;
  }
  gossip_table_free(&before);
  return ok;
}

void wrapper_reclaim_name(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  long long deadline = clock_ms() + RECLAIM_BUDGET_MS;
  char old_addr[64] = "", first_old[64] = "";
  const char *old_state = NULL, *first_state = NULL;
  size_t asked = 0, freed = 0, failed = 0;

  if (gossip_encrypted(cfg)) {
    LOG_INFOF("gossip is encrypted (--encrypt): the wrapper does not free "
              "our node name at the peers; after a crash the name comes back "
              "when memberlist purges the old entry (30 s or more)");
    return;
  }
  for (size_t i = 0; i < cfg->n_peers && clock_ms() < deadline; i++) {
    if (!w->peer_ip[i][0])
      continue;
    old_state = NULL;
    asked++;
    if (!reclaim_at(w, cfg->peers[i], w->peer_ip[i], old_addr, sizeof(old_addr),
                    &old_state))
      failed++;
    else if (old_state)
      freed++;
    if (old_state && !first_state) {
      first_state = old_state;
      memcpy(first_old, old_addr, sizeof(first_old));
    }
  }
  if (!first_state) {
    LOG_DEBUGF("no peer of %zu asked holds our name at another address", asked);
    return;
  }
  const char *old = first_old;

  LOG_KV(LOG_INFO,
         FIELDS(LOG_STR("old_address", old), LOG_STR("old_state", first_state),
                LOG_NUM("peers", asked), LOG_NUM("freed", freed),
                LOG_NUM("failed", failed)),
         "our last incarnation did not leave: the peers held our name %s at "
         "%s; told %zu of %zu peer%s it has left, so dkron joins at %s "
         "without waiting for memberlist to purge it",
         first_state, first_old, freed, asked, asked == 1 ? "" : "s",
         cfg->pod_ip);
  events_emit(w->events, failed > 0, "NodeNameReclaimed", "Gossip",
              "The peers held this server's name %s at %s (the last pod did "
              "not leave); %zu of %zu told it has left",
              first_state, first_old, freed, asked);
}
