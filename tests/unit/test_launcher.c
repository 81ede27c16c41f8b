/* test_launcher.c: the agent launcher's decisions: which servers are live,
 * the worker's argv, and the membership / re-join state machine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_argv.h"
#include "live_servers.h"
#include "rejoin.h"
#include "tests.h"

/* ---- live-server filter ---- */

static struct k8s_pod pod(char *name, enum k8s_phase phase, bool ready,
                          bool terminating, char *ip)
{
  struct k8s_pod p;

  memset(&p, 0, sizeof(p));
  p.name = name;
  p.phase = phase;
  p.ready = ready;
  p.terminating = terminating;
  p.pod_ip = ip;
  p.ordinal = -1;
  return p;
}

struct live_case {
  enum k8s_phase phase;
  bool ready, terminating;
  char *ip;
  bool require_ready;
  const char *reject; /* NULL = live */
};

static const struct live_case live_cases[] = {
  {K8S_PHASE_RUNNING, true, false, "10.0.0.1", true, NULL},
  {K8S_PHASE_RUNNING, false, false, "10.0.0.1", true, "not ready"},
  {K8S_PHASE_RUNNING, false, false, "10.0.0.1", false, NULL},
  {K8S_PHASE_PENDING, false, false, NULL, true, "not running"},
  {K8S_PHASE_PENDING, true, false, "10.0.0.1", false, "not running"},
  {K8S_PHASE_SUCCEEDED, false, false, "10.0.0.1", false, "not running"},
  {K8S_PHASE_FAILED, false, false, "10.0.0.1", false, "not running"},
  {K8S_PHASE_UNKNOWN, true, false, "10.0.0.1", true, "not running"},
  {K8S_PHASE_RUNNING, true, true, "10.0.0.1", true, "terminating"},
  {K8S_PHASE_RUNNING, true, true, "10.0.0.1", false, "terminating"},
  {K8S_PHASE_RUNNING, true, false, NULL, true, "no pod IP"},
  {K8S_PHASE_RUNNING, true, false, "", true, "no pod IP"},
};

START_TEST(live_filter_table)
{
  const struct live_case *c = &live_cases[_i];
  struct k8s_pod p = pod("s-0", c->phase, c->ready, c->terminating, c->ip);
  const char *why = live_server_reject(&p, c->require_ready);

  if (!c->reject)
    ck_assert_msg(why == NULL, "case %d rejected: %s", _i, why);
  else
    ck_assert_msg(why && strcmp(why, c->reject) == 0, "case %d: %s", _i,
                  why ? why : "live");
}
END_TEST

START_TEST(live_summary_and_join_list)
{
  struct k8s_pod pods[] = {
    pod("s-2", K8S_PHASE_RUNNING, true, false, "10.0.0.12"),
    pod("s-0", K8S_PHASE_RUNNING, true, false, "10.0.0.10"),
    pod("s-1", K8S_PHASE_RUNNING, false, false, "10.0.0.11"),
    pod("s-3", K8S_PHASE_RUNNING, true, true, "10.0.0.13"),
    pod("s-4", K8S_PHASE_PENDING, false, false, NULL),
    pod("s-5", K8S_PHASE_RUNNING, true, false, "fd00::5"),
  };
  struct live_summary s;
  char text[128];
  size_t n;
  char **addrs;

  live_summarize(pods, 6, true, &s);
  live_summary_text(&s, text, sizeof(text));
  ck_assert_str_eq(text,
                   "6 pods match, 5 running, 4 ready, 1 terminating, 3 live");
  addrs = live_join_addrs(pods, 6, true, 8946, &n);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(addrs[0], "10.0.0.10:8946");
  ck_assert_str_eq(addrs[1], "10.0.0.12:8946");
  ck_assert_str_eq(addrs[2], "[fd00::5]:8946");
  ck_assert_ptr_null(addrs[3]);
  argv_free(addrs);
  addrs = live_join_addrs(pods, 0, true, 8946, &n);
  ck_assert_uint_eq(n, 0);
  ck_assert_ptr_null(addrs[0]);
  argv_free(addrs);
}
END_TEST

/* ---- argv ---- */

/* With more live servers than are asked, which ones are asked is random:
 * every server is asked first about as often as the others (not the first
 * in the list by every worker), each turn asks distinct servers, and with
 * few servers all of them are asked. */
START_TEST(servers_to_ask_are_chosen_at_random)
{
  enum { N = 5, TURNS = 1000 };
  size_t first[N] = {0};
  size_t order[3];
  uint64_t rng = 1;

  for (int t = 0; t < TURNS; t++) {
    ck_assert_uint_eq(live_ask_order(N, 3, &rng, order), 3);
    for (size_t i = 0; i < 3; i++) {
      ck_assert_uint_lt(order[i], N);
      for (size_t j = 0; j < i; j++)
        ck_assert_uint_ne(order[i], order[j]);
    }
    first[order[0]]++;
  }
  for (size_t i = 0; i < N; i++)
    ck_assert_msg(first[i] > TURNS / N / 2, "server %zu asked first %zu times",
                  i, first[i]);

  ck_assert_uint_eq(live_ask_order(2, 3, &rng, order), 2);
  ck_assert_uint_ne(order[0], order[1]);
  ck_assert_uint_lt(order[0], 2);
  ck_assert_uint_lt(order[1], 2);
  ck_assert_uint_eq(live_ask_order(0, 3, &rng, order), 0);
}
END_TEST

START_TEST(agent_argv_full)
{
  char *join[] = {"10.0.0.10:8946", "10.0.0.11:8946"};
  char *extra[] = {"--tag", "pool=batch"};
  struct agent_argv_params p = {.dkron = "/usr/local/bin/dkron",
                                .node_name = "worker-abc12",
                                .pod_ip = "10.0.1.5",
                                .serf_port = 8946,
                                .join = join,
                                .n_join = 2,
                                .extra = extra,
                                .n_extra = 2};
  struct dk_err err;
  char **argv = agent_argv_build(&p, &err);
  char *line;

  ck_assert_ptr_nonnull(argv);
  line = argv_join(argv);
  ck_assert_str_eq(line, "/usr/local/bin/dkron agent --node-name=worker-abc12 "
                         "--bind-addr=10.0.1.5:8946 "
                         "--advertise-addr=10.0.1.5:8946 "
                         "--join=10.0.0.10:8946 --join=10.0.0.11:8946 "
                         "--tag pool=batch");
  ck_assert_ptr_null(strstr(line, "--server"));
  free(line);
  argv_free(argv);
}
END_TEST

/* Each worker's --join list starts at a server of its own drawing, and
 * still names every live server once. */
START_TEST(agent_argv_join_list_rotates)
{
  char *join[] = {"10.0.0.10:8946", "10.0.0.11:8946", "10.0.0.12:8946"};
  static const char *const want[] = {
    "--join=10.0.0.10:8946 --join=10.0.0.11:8946 --join=10.0.0.12:8946",
    "--join=10.0.0.11:8946 --join=10.0.0.12:8946 --join=10.0.0.10:8946",
    "--join=10.0.0.12:8946 --join=10.0.0.10:8946 --join=10.0.0.11:8946",
    "--join=10.0.0.10:8946 --join=10.0.0.11:8946 --join=10.0.0.12:8946"};

  for (size_t first = 0; first < 4; first++) {
    struct agent_argv_params p = {.dkron = "dkron",
                                  .node_name = "w",
                                  .pod_ip = "10.0.1.5",
                                  .serf_port = 8946,
                                  .join = join,
                                  .n_join = 3,
                                  .join_first = first};
    struct dk_err err;
    char **argv = agent_argv_build(&p, &err);
    char *line;

    ck_assert_ptr_nonnull(argv);
    line = argv_join(argv);
    ck_assert_msg(strstr(line, want[first]), "first %zu: %s", first, line);
    free(line);
    argv_free(argv);
  }
}
END_TEST

static const char *const agent_refused[] = {"--server", "--join=1.2.3.4",
                                            "--retry-join", "--retry-max=5",
                                            "--node-name=x"};

START_TEST(agent_argv_refuses_owned_flags)
{
  char *extra[] = {(char *)agent_refused[_i]};
  struct agent_argv_params p = {.dkron = "dkron",
                                .node_name = "w",
                                .pod_ip = "10.0.1.5",
                                .serf_port = 8946,
                                .extra = extra,
                                .n_extra = 1};
  struct dk_err err;

  dk_err_clear(&err);
  ck_assert_ptr_null(agent_argv_build(&p, &err));
  ck_assert_int_eq(err.code, DK_EINVAL);
  ck_assert_msg(strstr(err.msg, "not allowed"), "%s", err.msg);
}
END_TEST

/* ---- re-join state machine ---- */

static const struct rejoin_params params = {
  30000, /* cutoff */
  60000, /* drain limit */
  1000,  /* backoff min */
  60000, /* backoff max */
  300000 /* stable */
};

static enum rejoin_action step(struct rejoin_state *s, long now, size_t live,
                               enum member_seen seen, long busy, bool exited)
{
  struct rejoin_input in = {.now_ms = now,
                            .live_servers = live,
                            .seen = seen,
                            .busy_on_node = busy,
                            .child_exited = exited,
                            .exit_code = exited ? 1 : 0};
  return rejoin_step(s, &params, &in);
}

START_TEST(waits_for_servers_then_launches)
{
  struct rejoin_state s;

  rejoin_init(&s);
  ck_assert_int_eq(step(&s, 0, 0, MEMBER_UNKNOWN, -1, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 5000, 0, MEMBER_UNKNOWN, -1, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 6000, 3, MEMBER_UNKNOWN, -1, false), ACT_LAUNCH);
  ck_assert_int_eq(s.phase, PHASE_RUNNING);
  ck_assert_int_eq(step(&s, 7000, 3, MEMBER_ALIVE, -1, false), ACT_NONE);
  ck_assert(s.alive);
}
END_TEST

/* The start delay (--join-spread): the first start waits it from the
 * moment live servers are seen, a restart after a re-join waits a new
 * one, and a crash relaunch keeps its own backoff. */
START_TEST(start_delay_spreads_first_start_and_rejoin)
{
  struct rejoin_state s;
  struct rejoin_input in = {.now_ms = 0,
                            .seen = MEMBER_UNKNOWN,
                            .busy_on_node = -1,
                            .start_delay_ms = 700};

  rejoin_init(&s);
  /* no servers yet: nothing planned, whatever the delay drawn */
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  in.now_ms = 5000;
  in.live_servers = 3;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  /* a new draw each step does not move the planned start */
  in.now_ms = 5699;
  in.start_delay_ms = 10000;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  in.now_ms = 5700;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_LAUNCH);
  ck_assert_int_eq(s.phase, PHASE_RUNNING);

  /* cut off past 30 s, nothing running: stop, then restart after the
   * delay drawn when it exits */
  in.now_ms = 40000;
  in.seen = MEMBER_NOT_ALIVE;
  in.busy_on_node = 0;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_STOP);
  in.now_ms = 41000;
  in.child_exited = true;
  in.start_delay_ms = 300;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  in.child_exited = false;
  in.now_ms = 41299;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  in.now_ms = 41300;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_LAUNCH);

  /* dkron exits on its own: the backoff (1 s), not the start delay */
  in.now_ms = 42000;
  in.child_exited = true;
  in.exit_code = 1;
  in.start_delay_ms = 50000;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  in.child_exited = false;
  in.now_ms = 43000;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_LAUNCH);
}
END_TEST

START_TEST(cut_off_past_threshold_drains_then_stops)
{
  struct rejoin_state s;

  rejoin_init(&s);
  step(&s, 0, 3, MEMBER_UNKNOWN, -1, false);
  step(&s, 1000, 3, MEMBER_ALIVE, -1, false);
  /* Servers replaced: our node is unknown to the new ones. */
  ck_assert_int_eq(step(&s, 10000, 3, MEMBER_NOT_ALIVE, 0, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 39999, 3, MEMBER_NOT_ALIVE, 0, false), ACT_NONE);
  /* Past 30 s with nothing running here: stop at once. */
  ck_assert_int_eq(step(&s, 40000, 3, MEMBER_NOT_ALIVE, 0, false), ACT_STOP);
  ck_assert_int_eq(s.phase, PHASE_STOPPING);
  ck_assert_msg(strstr(s.cause, "not an alive member for 30 s"), "%s", s.cause);
  ck_assert_int_eq(step(&s, 41000, 3, MEMBER_NOT_ALIVE, 0, false), ACT_NONE);
  /* dkron exits after the planned stop: relaunch at once. */
  ck_assert_int_eq(step(&s, 45000, 3, MEMBER_NOT_ALIVE, 0, true), ACT_LAUNCH);
}
END_TEST

START_TEST(drain_waits_for_busy_jobs_up_to_limit)
{
  struct rejoin_state s;

  rejoin_init(&s);
  step(&s, 0, 3, MEMBER_UNKNOWN, -1, false);
  ck_assert_int_eq(step(&s, 30000, 3, MEMBER_NOT_ALIVE, 2, false), ACT_NONE);
  ck_assert_int_eq(s.phase, PHASE_DRAINING);
  ck_assert_int_eq(step(&s, 50000, 3, MEMBER_NOT_ALIVE, 1, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 60000, 3, MEMBER_NOT_ALIVE, 0, false), ACT_STOP);

  rejoin_init(&s);
  step(&s, 0, 3, MEMBER_UNKNOWN, -1, false);
  step(&s, 30000, 3, MEMBER_NOT_ALIVE, 5, false);
  ck_assert_int_eq(step(&s, 89999, 3, MEMBER_NOT_ALIVE, 5, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 90000, 3, MEMBER_NOT_ALIVE, 5, false), ACT_STOP);
}
END_TEST

/* A worker whose first join failed was never an alive member: no server
 * gave it a job, so the re-join does not wait for jobs it cannot see (an
 * unknown busy count used to hold it for the whole drain limit). */
START_TEST(never_alive_since_launch_rejoins_without_draining)
{
  struct rejoin_state s;

  rejoin_init(&s);
  ck_assert_int_eq(step(&s, 0, 3, MEMBER_UNKNOWN, -1, false), ACT_LAUNCH);
  ck_assert_int_eq(step(&s, 10000, 3, MEMBER_NOT_ALIVE, -1, false), ACT_NONE);
  /* past the cut-off, the busy count unknown: stop at once */
  ck_assert_int_eq(step(&s, 40000, 3, MEMBER_NOT_ALIVE, -1, false), ACT_STOP);
  ck_assert_int_eq(step(&s, 41000, 3, MEMBER_NOT_ALIVE, -1, true), ACT_LAUNCH);

  /* once alive since that launch, an unknown count is waited for */
  ck_assert_int_eq(step(&s, 42000, 3, MEMBER_ALIVE, -1, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 50000, 3, MEMBER_NOT_ALIVE, -1, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 80000, 3, MEMBER_NOT_ALIVE, -1, false), ACT_NONE);
  ck_assert_int_eq(s.phase, PHASE_DRAINING);
  ck_assert_int_eq(step(&s, 139999, 3, MEMBER_NOT_ALIVE, -1, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 140000, 3, MEMBER_NOT_ALIVE, -1, false), ACT_STOP);
}
END_TEST

START_TEST(drain_cancelled_when_alive_again)
{
  struct rejoin_state s;

  rejoin_init(&s);
  step(&s, 0, 3, MEMBER_UNKNOWN, -1, false);
  step(&s, 30000, 3, MEMBER_NOT_ALIVE, 1, false);
  ck_assert_int_eq(s.phase, PHASE_DRAINING);
  ck_assert_int_eq(step(&s, 31000, 3, MEMBER_ALIVE, 1, false), ACT_NONE);
  ck_assert_int_eq(s.phase, PHASE_RUNNING);
  /* The clock restarts from the next not-alive observation. */
  ck_assert_int_eq(step(&s, 40000, 3, MEMBER_NOT_ALIVE, 0, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 69999, 3, MEMBER_NOT_ALIVE, 0, false), ACT_NONE);
  ck_assert_int_eq(step(&s, 70000, 3, MEMBER_NOT_ALIVE, 0, false), ACT_STOP);
}
END_TEST

START_TEST(unknown_membership_and_no_servers_do_not_rejoin)
{
  struct rejoin_state s;

  rejoin_init(&s);
  step(&s, 0, 3, MEMBER_UNKNOWN, -1, false);
  step(&s, 1000, 3, MEMBER_ALIVE, -1, false);
  /* API/servers unreachable: unknown never triggers a restart. */
  for (long t = 2000; t < 200000; t += 1000)
    ck_assert_int_eq(step(&s, t, 3, MEMBER_UNKNOWN, -1, false), ACT_NONE);
  /* Not alive, but no live servers to join: keep running. */
  for (long t = 200000; t < 400000; t += 1000)
    ck_assert_int_eq(step(&s, t, 0, MEMBER_NOT_ALIVE, -1, false), ACT_NONE);
  ck_assert_int_eq(s.phase, PHASE_RUNNING);
  /* Servers appear: the not-alive clock has long passed the cut-off. */
  ck_assert_int_eq(step(&s, 400000, 2, MEMBER_NOT_ALIVE, 0, false), ACT_STOP);
}
END_TEST

/* dkron issue #1253: every server dkron joined was replaced. dkron has no
 * address left to reach the new ones, so waiting out the cut-off only
 * delays the re-join. */
START_TEST(all_joined_servers_gone_rejoins_at_once)
{
  struct rejoin_state s;
  struct rejoin_input in = {
    .live_servers = 3, .seen = MEMBER_UNKNOWN, .busy_on_node = -1};

  rejoin_init(&s);
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_LAUNCH);
  in.now_ms = 1000;
  in.seen = MEMBER_ALIVE;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  /* Replaced, but still alive (dkron reached them): nothing to do. */
  in.now_ms = 2000;
  in.joined_gone = true;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  ck_assert_int_eq(s.phase, PHASE_RUNNING);
  /* Not alive while the joined servers are gone: drain now, not at 30 s. */
  in.now_ms = 3000;
  in.seen = MEMBER_NOT_ALIVE;
  in.busy_on_node = 1;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_NONE);
  ck_assert_int_eq(s.phase, PHASE_DRAINING);
  ck_assert_msg(strstr(s.cause, "none of the servers it joined"), "%s",
                s.cause);
  in.now_ms = 4000;
  in.busy_on_node = 0;
  ck_assert_int_eq(rejoin_step(&s, &params, &in), ACT_STOP);
}
END_TEST

/* Without the shortcut, a not-alive worker whose servers are still there
 * waits for the full cut-off (a partial replacement is not "gone"). */
START_TEST(joined_servers_partly_live)
{
  char *joined[] = {"10.0.0.1:8946", "10.0.0.2:8946", NULL};
  char *partly[] = {"10.0.0.2:8946", "10.0.0.9:8946", NULL};
  char *replaced[] = {"10.0.0.7:8946", "10.0.0.8:8946", NULL};
  char *none[] = {NULL};

  ck_assert(!live_none_left(joined, partly));
  ck_assert(live_none_left(joined, replaced));
  ck_assert(live_none_left(joined, none));
  ck_assert(live_none_left(joined, NULL));
  /* dkron started with no server to join: never "gone". */
  ck_assert(!live_none_left(none, replaced));
  ck_assert(!live_none_left(NULL, replaced));
}
END_TEST

START_TEST(crash_relaunch_backs_off_and_resets)
{
  struct rejoin_state s;
  long t = 0;

  rejoin_init(&s);
  ck_assert_int_eq(step(&s, t, 3, MEMBER_UNKNOWN, -1, false), ACT_LAUNCH);
  long expected[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
  for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
    t += 100;
    ck_assert_int_eq(step(&s, t, 3, MEMBER_UNKNOWN, -1, true), ACT_NONE);
    ck_assert_int_eq(s.backoff_ms, expected[i]);
    ck_assert_msg(strstr(s.cause, "exited on its own"), "%s", s.cause);
    ck_assert_int_eq(
      step(&s, t + expected[i] - 1, 3, MEMBER_UNKNOWN, -1, false), ACT_NONE);
    t += expected[i];
    ck_assert_int_eq(step(&s, t, 3, MEMBER_UNKNOWN, -1, false), ACT_LAUNCH);
  }
  /* A stable run resets the backoff. */
  t += 300000;
  step(&s, t, 3, MEMBER_UNKNOWN, -1, true);
  ck_assert_int_eq(s.backoff_ms, 1000);
}
END_TEST

Suite *make_launcher_suite(void)
{
  Suite *s = suite_create("launcher");
  TCase *tc = tcase_create("decisions");

  tcase_add_loop_test(tc, live_filter_table, 0,
                      (int)(sizeof(live_cases) / sizeof(live_cases[0])));
  tcase_add_test(tc, live_summary_and_join_list);
  tcase_add_test(tc, servers_to_ask_are_chosen_at_random);
  tcase_add_test(tc, agent_argv_full);
  tcase_add_test(tc, agent_argv_join_list_rotates);
  tcase_add_loop_test(tc, agent_argv_refuses_owned_flags, 0,
                      (int)(sizeof(agent_refused) / sizeof(agent_refused[0])));
  tcase_add_test(tc, waits_for_servers_then_launches);
  tcase_add_test(tc, start_delay_spreads_first_start_and_rejoin);
  tcase_add_test(tc, cut_off_past_threshold_drains_then_stops);
  tcase_add_test(tc, drain_waits_for_busy_jobs_up_to_limit);
  tcase_add_test(tc, drain_cancelled_when_alive_again);
  tcase_add_test(tc, never_alive_since_launch_rejoins_without_draining);
  tcase_add_test(tc, unknown_membership_and_no_servers_do_not_rejoin);
  tcase_add_test(tc, crash_relaunch_backs_off_and_resets);
  tcase_add_test(tc, all_joined_servers_gone_rejoins_at_once);
  tcase_add_test(tc, joined_servers_partly_live);
  suite_add_tcase(s, tc);
  return s;
}
