/* rejoin.h: when the launcher starts, drains and restarts the worker.
 *
 * A pure state machine, stepped by the launcher's loop with what it has
 * observed; it returns the one action to take now.
 *
 *   IDLE ──live servers, start delay or backoff over──▶ RUNNING
 *            (action LAUNCH). The first start, and each restart after a
 *            re-join, waits a start delay the caller draws at random
 *            (--join-spread), so that a fleet starting or re-joining at once
 *            reaches the servers spread out.
 *   RUNNING ──not an alive member for cutoff, live servers exist──▶ DRAINING
 *   RUNNING ──not an alive member, and none of the servers dkron was started
 *            with is live any more (all replaced, dkron issue #1253)──▶
 *            DRAINING at once: dkron has no address left to reach them by
 *   DRAINING ──no busy executions on our node, or drain limit──▶ STOPPING
 *            (action STOP: SIGTERM; dkron then waits for its local jobs);
 *            at once when no server could count them and the node has not
 *            been alive since its launch (a first join that failed): no
 *            server gave it a job
 *   DRAINING ──alive again──▶ RUNNING (healed by itself)
 *   STOPPING ──child exited──▶ IDLE, relaunch with a fresh list after the
 *            start delay
 *   RUNNING ──child exited on its own──▶ IDLE, relaunch after a backoff
 *            (1 s doubling to 60 s; reset after a run of 5 min)
 *
 * "Unknown" membership (no server answered) neither starts nor resets the
 * cut-off clock: restarting the worker cannot fix servers that do not
 * answer.
 */
#ifndef AGENT_REJOIN_H
#define AGENT_REJOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "backoff.h"

enum member_seen { MEMBER_UNKNOWN = 0, MEMBER_ALIVE, MEMBER_NOT_ALIVE };
enum rejoin_phase { PHASE_IDLE, PHASE_RUNNING, PHASE_DRAINING, PHASE_STOPPING };
enum rejoin_action { ACT_NONE, ACT_LAUNCH, ACT_STOP };

struct rejoin_params {
  long cutoff_ms;      /* not alive this long → re-join (30 s) */
  long drain_limit_ms; /* wait at most this long for busy jobs */
  long backoff_min_ms; /* relaunch backoff after dkron exits on its own */
  long backoff_max_ms;
  long stable_ms; /* a run this long resets the backoff */
};

struct rejoin_input {
  long now_ms;
  size_t live_servers;   /* from the watch */
  enum member_seen seen; /* our node in a live server's /v1/members */
  long busy_on_node;     /* executions running on our node; -1 unknown */
  bool child_exited;     /* dkron exited since the last step */
  int exit_code;
  bool joined_gone; /* none of the servers dkron joined is live any more */
  /* A random pause before a planned start (the first, or after a
   * re-join), from the moment live servers are seen; 0: at once. */
  long start_delay_ms;
};

struct rejoin_state {
  enum rejoin_phase phase;
  long not_alive_since; /* -1 while alive */
  long launched_at;
  long drain_started;
  long next_launch; /* no launch before this time; -1: none planned yet */
  /* The relaunch backoff: backoff_min_ms doubling to backoff_max_ms, no
   * jitter; reset by a stable run. */
  struct backoff backoff;
  long backoff_ms; /* the last relaunch delay */
  bool alive;      /* last membership answer said alive */
  /* Seen alive since the last launch: until then the servers have given
   * this worker no job, so a drain has nothing to wait for. */
  bool alive_since_launch;
  char cause[256]; /* why the last re-join or relaunch happened */
  /* Why the last cut-off happened, as a short stable code:
   * "not_alive" or "joined_servers_gone". */
  const char *cut_off_reason;
};

void rejoin_init(struct rejoin_state *s);
enum rejoin_action rejoin_step(struct rejoin_state *s,
                               const struct rejoin_params *p,
                               const struct rejoin_input *in);
const char *rejoin_phase_name(enum rejoin_phase phase);

#endif
