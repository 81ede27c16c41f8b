/* rejoin.c: see rejoin.h. */
#include "rejoin.h"

#include <stdio.h>

void rejoin_init(struct rejoin_state *s)
{
  s->phase = PHASE_IDLE;
  s->not_alive_since = -1;
  s->launched_at = 0;
  s->drain_started = 0;
  s->next_launch = -1;
  s->backoff.base_ms = 0; /* set up by the first unplanned exit */
  s->backoff_ms = 0;
  s->alive = false;
  s->alive_since_launch = false;
  s->cause[0] = '\0';
  s->cut_off_reason = "";
}

const char *rejoin_phase_name(enum rejoin_phase phase)
{
  switch (phase) {
    case PHASE_IDLE:
      return "idle";
    case PHASE_RUNNING:
      return "running";
    case PHASE_DRAINING:
      return "draining";
    case PHASE_STOPPING:
      return "stopping";
  }
  return "?";
}

/* dkron exited: plan the relaunch. A planned stop relaunches at once; an
 * unplanned exit backs off, unless the run was long enough to count as
 * stable. */
static void on_exit(struct rejoin_state *s, const struct rejoin_params *p,
                    const struct rejoin_input *in)
{
  bool planned = s->phase == PHASE_STOPPING;

  s->alive = false;
  s->not_alive_since = -1;
  s->phase = PHASE_IDLE;
  if (planned) {
    s->next_launch = -1; /* planned once live servers are seen */
    return;
  }
  if (s->backoff.base_ms == 0)
    backoff_init(&s->backoff,
                 p->backoff_min_ms < p->backoff_max_ms ? p->backoff_min_ms
                                                       : p->backoff_max_ms,
                 p->backoff_max_ms);
  else if (in->now_ms - s->launched_at >= p->stable_ms)
    backoff_reset(&s->backoff);
  s->backoff_ms = backoff_next_jitter_ms(&s->backoff, 0.0);
  s->next_launch = in->now_ms + s->backoff_ms;
  snprintf(s->cause, sizeof(s->cause),
           "dkron exited on its own with status %d; relaunching in %ld ms",
           in->exit_code, s->backoff_ms);
}

/* Tracks since when our node has not been an alive member. */
static void track_membership(struct rejoin_state *s,
                             const struct rejoin_input *in)
{
  if (in->seen == MEMBER_ALIVE) {
    s->alive = true;
    s->alive_since_launch = true;
    s->not_alive_since = -1;
  } else if (in->seen == MEMBER_NOT_ALIVE) {
    s->alive = false;
    if (s->not_alive_since < 0)
      s->not_alive_since = in->now_ms;
  }
}

/* Says why the worker is cut off, for the log and the probe. */
static void set_cut_off_cause(struct rejoin_state *s,
                              const struct rejoin_input *in)
{
  const char *plural = in->live_servers == 1 ? "" : "s";

  s->cut_off_reason = in->joined_gone ? "joined_servers_gone" : "not_alive";
  if (in->joined_gone)
    snprintf(s->cause, sizeof(s->cause),
             "not an alive member, and none of the servers it joined is live "
             "any more (%zu other live server%s)",
             in->live_servers, plural);
  else
    snprintf(s->cause, sizeof(s->cause),
             "not an alive member for %ld s while %zu live server%s exist%s",
             (in->now_ms - s->not_alive_since) / 1000, in->live_servers, plural,
             in->live_servers == 1 ? "s" : "");
}

enum rejoin_action rejoin_step(struct rejoin_state *s,
                               const struct rejoin_params *p,
                               const struct rejoin_input *in)
{
  if (in->child_exited && s->phase != PHASE_IDLE)
    on_exit(s, p, in);
  switch (s->phase) {
    case PHASE_IDLE:
      if (in->live_servers == 0)
        return ACT_NONE;
      if (s->next_launch < 0)
        s->next_launch =
          in->now_ms + (in->start_delay_ms > 0 ? in->start_delay_ms : 0);
      if (in->now_ms < s->next_launch)
        return ACT_NONE;
      s->phase = PHASE_RUNNING;
      s->launched_at = in->now_ms;
      s->alive_since_launch = false;
      s->not_alive_since = in->now_ms; /* not a member until seen alive */
      return ACT_LAUNCH;
    case PHASE_RUNNING:
      track_membership(s, in);
      if (s->not_alive_since < 0 || in->live_servers == 0 ||
          (!in->joined_gone && in->now_ms - s->not_alive_since < p->cutoff_ms))
        return ACT_NONE;
      s->phase = PHASE_DRAINING;
      s->drain_started = in->now_ms;
      set_cut_off_cause(s, in);
      /* fall through: drain at once if nothing runs here */
      /* FALLTHROUGH */
    case PHASE_DRAINING:
      track_membership(s, in);
      if (s->alive) {
        s->phase = PHASE_RUNNING;
        return ACT_NONE;
      }
      /* jobs counted: wait for them; not counted (-1): wait only when the
       * node has been alive since its launch, as jobs need that */
      if ((in->busy_on_node > 0 ||
           (in->busy_on_node < 0 && s->alive_since_launch)) &&
          in->now_ms - s->drain_started < p->drain_limit_ms)
        return ACT_NONE;
      s->phase = PHASE_STOPPING;
      return ACT_STOP;
    case PHASE_STOPPING:
      return ACT_NONE;
  }
  return ACT_NONE;
}
