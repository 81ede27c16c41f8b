/* dead_peers.c: see dead_peers.h. */
#include "dead_peers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERF_ALIVE 1

void dead_peers_init(struct dead_peer_tracker *t)
{
  t->seen = NULL;
  t->n = 0;
}

void dead_peers_free(struct dead_peer_tracker *t)
{
  for (size_t i = 0; i < t->n; i++)
    free(t->seen[i].id);
  free(t->seen);
  dead_peers_init(t);
}

bool dead_peers_is_desired(const char *statefulset, long replicas,
                           const char *name)
{
  size_t len = strlen(statefulset);
  char *end;
  long ordinal;

  if (strncmp(name, statefulset, len) != 0 || name[len] != '-')
    return false;
  if (name[len + 1] < '0' || name[len + 1] > '9')
    return false;
  errno = 0;
  ordinal = strtol(name + len + 1, &end, 10);
  if (errno || *end)
    return false;
  return ordinal >= 0 && ordinal < replicas;
}

static int member_status(const struct member_view *members, size_t n,
                         const char *name)
{
  for (size_t i = 0; i < n; i++) {
    if (strcmp(members[i].name, name) == 0)
      return members[i].status;
  }
  return 0; /* absent: reaped or never joined */
}

static struct dead_peer_seen *find_seen(struct dead_peer_tracker *t,
                                        const char *id)
{
  for (size_t i = 0; i < t->n; i++) {
    if (strcmp(t->seen[i].id, id) == 0)
      return &t->seen[i];
  }
  return NULL;
}

static void forget(struct dead_peer_tracker *t, const char *id)
{
  struct dead_peer_seen *s = find_seen(t, id);

  if (!s)
    return;
  free(s->id);
  *s = t->seen[--t->n];
}

/* Returns since when id has been non-alive, starting the clock now. */
static long seen_since(struct dead_peer_tracker *t, const char *id, long now)
{
  struct dead_peer_seen *s = find_seen(t, id);
  struct dead_peer_seen *grown;
  char *copy;

  if (s)
    return s->since_ms;
  copy = strdup(id);
  grown = copy ? realloc(t->seen, (t->n + 1) * sizeof(*t->seen)) : NULL;
  if (!grown) {
    free(copy);
    return now; /* out of memory: never old enough to remove */
  }
  t->seen = grown;
  t->seen[t->n].id = copy;
  t->seen[t->n].since_ms = now;
  t->n++;
  return now;
}

/* Drops tracker entries for peers no longer in the Raft configuration. */
static void prune(struct dead_peer_tracker *t,
                  const struct raft_peer_view *peers, size_t n_peers)
{
  for (size_t i = 0; i < t->n;) {
    bool present = false;
    for (size_t j = 0; j < n_peers && !present; j++)
      present = strcmp(peers[j].id, t->seen[i].id) == 0;
    if (present) {
      i++;
    } else {
      free(t->seen[i].id);
      t->seen[i] = t->seen[--t->n];
    }
  }
}

static const char *status_name(int status)
{
  switch (status) {
    case 0:
      return "absent from the members";
    case 2:
      return "leaving";
    case 3:
      return "left";
    case 4:
      return "failed";
  }
  return "not alive";
}

const char *dead_peers_select(struct dead_peer_tracker *t,
                              const struct dead_peer_params *p,
                              const struct raft_peer_view *peers,
                              size_t n_peers, const struct member_view *members,
                              size_t n_members, char *why, size_t why_len)
{
  size_t voters = 0;
  long quorum = p->replicas / 2 + 1;
  const char *chosen = NULL;

  why[0] = '\0';
  prune(t, peers, n_peers);
  for (size_t i = 0; i < n_peers; i++)
    voters += peers[i].voter;
  for (size_t i = 0; i < n_peers; i++) {
    const char *id = peers[i].id;
    int status = member_status(members, n_members, id);
    long since;

    if (status == SERF_ALIVE || strcmp(id, p->self) == 0) {
      forget(t, id);
      continue;
    }
    since = seen_since(t, id, p->now_ms);
    if (dead_peers_is_desired(p->statefulset, p->replicas, id) || chosen)
      continue;
    if (p->now_ms - since < p->threshold_ms)
      continue;
    if (peers[i].voter && (long)voters - 1 < quorum) {
      snprintf(why, why_len,
               "keeping stale peer %s (%s for %ld s): removing it would leave "
               "%zu voters, below the quorum of %ld for %ld replicas",
               id, status_name(status), (p->now_ms - since) / 1000, voters - 1,
               quorum, p->replicas);
      continue;
    }
    snprintf(why, why_len,
             "removing stale peer %s: its pod is not among the %ld desired "
             "replicas and it has been %s for %ld s",
             id, p->replicas, status_name(status), (p->now_ms - since) / 1000);
    chosen = id;
  }
  return chosen;
}
