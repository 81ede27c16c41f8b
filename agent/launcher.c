/* launcher.c: see launcher.h. */
#include "launcher.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_argv.h"
#include "backoff.h"
#include "clock.h"
#include "dkron.h"
#include "leave_announce.h"
#include "log.h"
#include "proc.h"
#include "runtime.h"

#define WAIT_LOG_EVERY_MS   30000LL
#define MAX_SERVERS_ASKED   3
#define IDLE_CHECK_MS       200LL
#define STATUS_STALE_MIN_MS 30000L
/* dkron exiting on its own is relaunched after 1 s, doubling up to
 * --relaunch-backoff-max; a run of 5 minutes resets the pause. */
#define RELAUNCH_BACKOFF_MIN_MS 1000L
#define RELAUNCH_STABLE_MS      300000L
/* SIGTERM: dkron may take as long as its jobs do (the pod's grace period
 * bounds it). */
#define STOP_WAIT_MS (24L * 3600 * 1000)

/* Events about our pod, posted by a thread of their own (events.h). */
static void start_events(struct launcher *l)
{
  const struct launcher_config *cfg = l->cfg;
  struct k8s_overrides ov = {.api_url = cfg->kube_api_url,
                             .token_file = cfg->kube_token_file,
                             .ca_file = cfg->kube_ca_file,
                             /* ours, not the servers': NULL = the
                              * service account's */
                             .namespace = cfg->pod_namespace};
  struct events_opts o = {.controller = LAUNCHER_EVENT_CONTROLLER,
                          .pod = cfg->pod_name,
                          .api_requests = l->metrics.common.api_requests,
                          .events = l->metrics.common.events};
  struct k8s_config kc;
  struct dk_err err;

  dk_err_clear(&err);
  if (k8s_config_in_cluster(&ov, &kc, &err) == DK_OK) {
    o.kube = &kc;
    l->events = events_start(&o, &err);
  }
  k8s_config_free(&kc);
  if (!l->events)
    LOG_WARNF("running without Kubernetes Events: %s", err.msg);
}

struct step launcher_start(struct launcher *l,
                           const struct launcher_config *cfg)
{
  struct server_watch_opts wopts = {.selector = cfg->selector,
                                    .namespace = cfg->namespace,
                                    .require_ready = cfg->require_ready,
                                    .serf_port = cfg->serf_port,
                                    .kube_api_url = cfg->kube_api_url,
                                    .kube_token_file = cfg->kube_token_file,
                                    .kube_ca_file = cfg->kube_ca_file,
                                    .fallback_service = cfg->fallback_service,
                                    .dns_server = cfg->dns_server};
  struct dk_err err;

  memset(l, 0, sizeof(*l));
  l->cfg = cfg;
  l->rng = backoff_seed();
  l->check_every = cfg->check_interval;
  if (cfg->status_port > 0)
    launcher_metrics_init(&l->metrics);
  wopts.api_requests = l->metrics.common.api_requests;
  wopts.watch_restarts = l->metrics.watch_restarts;
  wopts.watch_relists = l->metrics.watch_relists;
  rejoin_init(&l->state);
  l->params =
    (struct rejoin_params){.cutoff_ms = cfg->rejoin_after,
                           .drain_limit_ms = cfg->drain_limit,
                           .backoff_min_ms = RELAUNCH_BACKOFF_MIN_MS,
                           .backoff_max_ms = cfg->relaunch_backoff_max,
                           .stable_ms = RELAUNCH_STABLE_MS};
  dk_err_clear(&err);
  l->sigfd = runtime_start();
  if (l->sigfd < 0)
    return step_exit(STEP_START_FAILED);
  /* Threads only once the signals are blocked (runtime_start), so that
   * they all reach the signalfd. */
  start_events(l);
  wopts.events = l->events;
  if (cfg->status_port > 0) {
    /* A loop turn takes at most a check interval plus the member queries
     * (three servers asked in turn). */
    struct status_server_opts sopts = {
      .port = cfg->status_port,
      .stale_ms = STATUS_STALE_MIN_MS +
                  2 * (cfg->check_interval +
                       MAX_SERVERS_ASKED * cfg->member_query_timeout),
      .metrics = l->metrics.registry};
    l->status = status_server_start(&sopts, &err);
    if (!l->status) {
      LOG_ERRORF("%s", err.msg);
      return step_exit(STEP_START_FAILED);
    }
    status_server_set_ready(l->status, false, "waiting for live dkron servers");
  }
  l->check = member_check_new(
    &(struct member_check_opts){.node = cfg->pod_name,
                                .status_port = cfg->server_status_port,
                                .http_port = cfg->http_port,
                                .timeout_ms = cfg->member_query_timeout,
                                .dkron_api_errors =
                                  l->metrics.common.dkron_api_errors,
                                .checks = l->metrics.checks,
                                .check_bytes = l->metrics.check_bytes},
    &err);
  if (!l->check) {
    LOG_ERRORF("%s", err.msg);
    return step_exit(STEP_START_FAILED);
  }
  l->watch = server_watch_start(&wopts, &err);
  if (!l->watch) {
    LOG_ERRORF("%s", err.msg);
    return step_exit(STEP_START_FAILED);
  }
  LOG_INFOF("watching dkron servers \"%s\" in namespace %s", cfg->selector,
            cfg->namespace);
  return step_go_on();
}

void launcher_finish(struct launcher *l)
{
  server_watch_stop(l->watch);
  events_stop(l->events);
  status_server_stop(l->status);
  member_check_free(l->check);
  launcher_metrics_free(&l->metrics); /* after the server that reads it */
  argv_free(l->joined);
  l->joined = NULL;
  runtime_finish();
}

/* Asks up to MAX_SERVERS_ASKED live servers, chosen at random, in turn,
 * for our membership and (when wanted) for the executions running on our
 * node (member_check.h). */
static enum member_seen ask_servers(struct launcher *l,
                                    const struct live_snapshot *snap,
                                    bool want_busy, long *busy)
{
  size_t order[MAX_SERVERS_ASKED];
  size_t n_asked = live_ask_order(snap->n, MAX_SERVERS_ASKED, &l->rng, order);

  *busy = -1;
  for (size_t k = 0; k < n_asked; k++) {
    enum member_seen seen =
      member_check_ask(l->check, snap->ips[order[k]], want_busy ? busy : NULL);

    if (seen != MEMBER_UNKNOWN) {
      metric_touch(l->metrics.last_alive_check, NULL);
      return seen;
    }
  }
  return MEMBER_UNKNOWN;
}

/* A copy of the snapshot's join list (NULL when out of memory: then the
 * "all joined servers gone" shortcut is simply not taken). */
static char **copy_join(const struct live_snapshot *snap)
{
  struct argv_builder b;

  argv_init(&b);
  for (size_t i = 0; i < snap->n && snap->join[i]; i++)
    argv_push(&b, "%s", snap->join[i]);
  return argv_take(&b, NULL);
}

/* Uniform in [0, max]; 0 when max <= 0. */
static long random_below(uint64_t *rng, long max)
{
  return max > 0 ? (long)(backoff_random(rng) % (uint64_t)(max + 1)) : 0;
}

static void launch(struct launcher *l, const struct live_snapshot *snap)
{
  const struct launcher_config *cfg = l->cfg;
  const struct agent_argv_params p = {
    .dkron = cfg->dkron,
    .node_name = cfg->pod_name,
    .pod_ip = cfg->pod_ip,
    .serf_port = cfg->serf_port,
    .join = snap->join,
    .n_join = snap->n,
    .join_first = (size_t)random_below(&l->rng, (long)snap->n - 1),
    .extra = cfg->dkron_args,
    .n_extra = cfg->n_dkron_args};
  struct dk_err err;
  char **argv;

  dk_err_clear(&err);
  argv = agent_argv_build(&p, &err);
  if (!argv) {
    LOG_ERRORF("%s", err.msg);
    l->child.exited = true;
    l->child.status = 2;
    return;
  }
  argv_free(l->joined);
  l->joined = copy_join(snap);
  metric_inc(l->metrics.dkron_starts, NULL);
  /* a failed exec exits 126/127 and is reaped as an exit */
  child_start(&l->child, argv, &err);
  argv_free(argv);
  metric_set(l->metrics.common.dkron_up, NULL, l->child.pid > 0);
}

/* Keeps the probe's answer in step with what we know. */
static void update_status(struct launcher *l, const struct live_snapshot *s)
{
  char reason[320];

  if (!l->status)
    return;
  if (l->state.phase == PHASE_RUNNING && l->state.alive) {
    status_server_set_ready(l->status, true, "alive member");
    return;
  }
  if (s->n == 0)
    snprintf(reason, sizeof(reason),
             "no live dkron servers (%zu pods match, "
             "%zu ready)",
             s->summary.matched, s->summary.ready);
  else if (l->state.phase == PHASE_DRAINING)
    snprintf(reason, sizeof(reason), "draining before a re-join: %s",
             l->state.cause);
  else if (l->state.phase != PHASE_RUNNING)
    snprintf(reason, sizeof(reason), "dkron is not running (%s)",
             rejoin_phase_name(l->state.phase));
  else
    snprintf(reason, sizeof(reason), "not an alive member yet");
  status_server_set_ready(l->status, false, reason);
}

static const char *member_seen_name(enum member_seen seen)
{
  return seen == MEMBER_ALIVE       ? "alive"
         : seen == MEMBER_NOT_ALIVE ? "not_alive"
                                    : "unknown";
}

/* The gauges that follow each step. */
static void count_step(struct launcher *l, const struct live_snapshot *snap,
                       enum member_seen seen)
{
  static const enum member_seen all[] = {MEMBER_ALIVE, MEMBER_NOT_ALIVE,
                                         MEMBER_UNKNOWN};

  metric_set(l->metrics.live_servers, NULL, (double)snap->n);
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    metric_set(l->metrics.member_status,
               (const char *[]){member_seen_name(all[i])}, all[i] == seen);
}

/* One pass of the re-join state machine with fresh observations. */
static void step(struct launcher *l, long long now)
{
  struct live_snapshot snap;
  struct rejoin_input in;
  enum rejoin_phase before = l->state.phase;
  bool running = l->child.pid > 0 && !l->child.exited;
  bool cut_off = l->state.not_alive_since >= 0 &&
                 now - l->state.not_alive_since >= l->params.cutoff_ms;
  long busy = -1;

  if (server_watch_snapshot(l->watch, &snap) != 0)
    return;
  memset(&in, 0, sizeof(in));
  in.now_ms = (long)now;
  in.live_servers = snap.n;
  in.child_exited = l->child.exited;
  in.exit_code = l->child.status;
  in.joined_gone = running && live_none_left(l->joined, snap.join);
  in.seen = running && snap.n > 0
              ? ask_servers(l, &snap,
                            l->state.phase == PHASE_DRAINING || cut_off ||
                              in.joined_gone,
                            &busy)
              : MEMBER_UNKNOWN;
  in.busy_on_node = busy;
  in.start_delay_ms = random_below(&l->rng, l->cfg->join_spread);
  l->child.exited = false;
  switch (rejoin_step(&l->state, &l->params, &in)) {
    case ACT_LAUNCH:
      if (l->state.cause[0])
        LOG_INFOF("relaunching: %s", l->state.cause);
      l->state.cause[0] = '\0';
      launch(l, &snap);
      break;
    case ACT_STOP:
      LOG_KV(LOG_WARN, FIELDS(LOG_STR("reason", l->state.cut_off_reason)),
             "re-joining: %s; stopping dkron (it finishes its running "
             "jobs first)",
             l->state.cause);
      metric_inc(l->metrics.rejoins, (const char *[]){l->state.cut_off_reason});
      events_emit(l->events, true, "Rejoin", "Rejoin",
                  "re-joining the dkron cluster: %s", l->state.cause);
      proc_kill(l->child.pid, SIGTERM);
      break;
    case ACT_NONE:
      break;
  }
  if (before == PHASE_RUNNING && l->state.phase == PHASE_DRAINING) {
    metric_inc(l->metrics.drain_waits, NULL);
    if (busy >= 0)
      LOG_WARNF("cut off: %s; waiting for %ld job%s on this node to finish "
                "(at most %ld s)",
                l->state.cause, busy, busy == 1 ? "" : "s",
                l->params.drain_limit_ms / 1000);
    else
      LOG_WARNF("cut off: %s; no server said which jobs run on this node: "
                "waiting for them (at most %ld s)",
                l->state.cause, l->params.drain_limit_ms / 1000);
  }
  if (snap.n == 0 && now >= l->next_wait_log) {
    char text[160];
    live_summary_text(&snap.summary, text, sizeof(text));
    LOG_INFOF("waiting for live dkron servers: %s%s", text,
              snap.listed ? "" : " (no list from the API yet)");
    l->next_wait_log = now + WAIT_LOG_EVERY_MS;
  }
  /* the pace: slower while alive with the same servers, else the base */
  l->check_every = member_check_next_interval(
    l->check_every, l->cfg->check_interval, l->cfg->check_interval_max,
    in.seen == MEMBER_ALIVE && l->state.phase == PHASE_RUNNING &&
      snap.generation == l->generation,
    &l->rng);
  l->generation = snap.generation;
  metric_set(l->metrics.check_interval, NULL, (double)l->check_every / 1000.0);
  if (running)
    count_step(l, &snap, in.seen);
  else
    metric_set(l->metrics.live_servers, NULL, (double)snap.n);
  update_status(l, &snap);
  live_snapshot_free(&snap);
}

/* SIGTERM/SIGINT: pass it on and wait for dkron, however long its jobs
 * take (the pod's grace period bounds it); then make sure the servers
 * know this worker has gone (leave_announce.h). */
static int stop_all(struct launcher *l, int signo)
{
  struct live_snapshot snap;
  int status = 0;

  LOG_INFOF("received %s: stopping dkron", strsignal(signo));
  status_server_stopping(l->status, "shutting down");
  if (l->child.pid > 0 && !l->child.exited)
    status = child_stop(&l->child, SIGTERM, STOP_WAIT_MS);
  else if (l->child.exited)
    status = l->child.status;
  LOG_INFOF("dkron exited with status %d", status);
  if (server_watch_snapshot(l->watch, &snap) == 0) {
    leave_announce(l->cfg, &snap);
    live_snapshot_free(&snap);
  }
  return status < 0 ? 1 : status;
}

/* Handles pending signals: goes on, or ends with the exit code. */
static struct step handle_signals(struct launcher *l)
{
  int sig;

  while ((sig = proc_signal_read(l->sigfd)) > 0) {
    switch (child_handle_signal(&l->child, sig)) {
      case CHILD_EXITED:
        LOG_INFOF("dkron (pid %ld) exited with status %d", (long)l->child.last,
                  l->child.status);
        metric_set(l->metrics.common.dkron_up, NULL, 0);
        metric_set(l->metrics.dkron_exit_code, NULL, l->child.status);
        break;
      case CHILD_STOP:
        return step_exit(stop_all(l, sig));
      case CHILD_FORWARDED:
      case CHILD_NONE:
        break;
    }
  }
  return step_go_on();
}

/* While dkron is not running, a step only reads the watch's snapshot (no
 * network), so look often: dkron starts as soon as servers are listed
 * instead of up to a whole check interval later. Running, the check's own
 * pace (member_check_next_interval). */
static long long next_step_in(const struct launcher *l)
{
  return l->state.phase == PHASE_IDLE ? IDLE_CHECK_MS : l->check_every;
}

/* How long the loop sleeps at most: a change of the live servers is
 * looked for this often, whatever the check's pace. */
#define SET_CHANGE_POLL_MS 1000L

struct step launcher_run(struct launcher *l)
{
  long long next_check = clock_ms();

  for (;;) {
    struct pollfd pfd = {.fd = l->sigfd, .events = POLLIN};
    long long now;
    struct step s;

    status_server_beat(l->status);
    if (poll(&pfd, 1, (int)clock_left_ms(next_check, SET_CHANGE_POLL_MS)) > 0) {
      s = handle_signals(l);
      if (!step_goes_on(s))
        return s;
    }
    now = clock_ms();
    if (now >= next_check || l->child.exited ||
        server_watch_generation(l->watch) != l->generation) {
      step(l, now);
      next_check = clock_ms() + next_step_in(l);
    }
  }
}
