/* test_shutdown.c: the wrapper's SIGTERM path (wrapper_shutdown) on a
 * started wrapper with a real dkron child (sh), a fake dkron API and a fake
 * API server: leave, label follower, stop dkron (SIGKILL at the stop
 * timeout) and return its status; remove this server from Raft only when
 * its pod goes away for good or the leave failed; the quorum guard's wait;
 * an API server that stalls costs no more than the budgets; and more
 * SIGTERMs during the shutdown cut none of its steps short. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log_capture.h"
#include "proc.h"
#include "tests.h"
#include "wrapper_fixture.h"

/* The servers as dkron lists them. The leader is server 1, at 127.0.0.1
 * so that its HTTP API is the fake server too. */
#define SERVER_0        WF_MEMBER("dkron-server-0", "10.244.0.10", WF_ALIVE)
#define SERVER_1        WF_MEMBER("dkron-server-1", "127.0.0.1", WF_ALIVE)
#define SERVER_2        WF_MEMBER("dkron-server-2", "10.244.0.12", WF_ALIVE)
#define SERVER_2_FAILED WF_MEMBER("dkron-server-2", "10.244.0.12", WF_FAILED)

static const struct fake_response leader = {.status = 200, .body = SERVER_1};
static const struct fake_response left = {.status = 200, .body = "{}"};
static const struct fake_response patched = {.status = 200, .body = "{}"};
static const struct fake_response three = {.status = 200,
                                           .body = WF_STATEFULSET(3)};

/* The fake dkron: raft list-peers shows three voters, this server (0), the
 * leader (1, at 127.0.0.1) and server 2; remove-peer succeeds. */
static const char raft_cli[] =
  "case \"$1 $2\" in\n"
  "'raft list-peers') cat <<'EOF'\n"
  "Node            ID              Address            State     Voter\n"
  "dkron-server-0  dkron-server-0  10.244.0.10:6868   follower  true\n"
  "dkron-server-1  dkron-server-1  127.0.0.1:6868     leader    true\n"
  "dkron-server-2  dkron-server-2  10.244.0.12:6868   follower  true\n"
  "EOF\n"
  ";;\n"
  "esac\n"
  "exit 0";

/* dkron as it runs: SIGTERM ends it (status 143). */
#define DKRON_RUNNING "exec sleep 30"

static bool removed_self(const struct wrapper_fixture *f)
{
  char runs[2048], want[128];

  wf_cli_runs(f, runs, sizeof(runs));
  snprintf(want, sizeof(want),
           "raft remove-peer --peer-id=%s --rpc-addr=127.0.0.1:6868\n", f->pod);
  return strstr(runs, want) != NULL;
}

/* More SIGTERMs while the shutdown runs, as a kubelet or an impatient
 * operator sends them: a thread of their own sends them to the process
 * (which blocks them, as the wrapper's threads do) after each delay. */
struct late_sigterms {
  pthread_t thread;
  unsigned delays_ms[2];
};

static void *send_sigterms(void *arg)
{
  const struct late_sigterms *t = arg;

  for (size_t i = 0; i < 2; i++) {
    usleep(t->delays_ms[i] * 1000U);
    kill(getpid(), SIGTERM);
  }
  return NULL;
}

static void late_sigterms_start(struct late_sigterms *t, unsigned first_ms,
                                unsigned second_ms)
{
  sigset_t all, saved;

  t->delays_ms[0] = first_ms;
  t->delays_ms[1] = second_ms;
  sigfillset(&all);
  ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &all, &saved), 0);
  ck_assert_int_eq(pthread_create(&t->thread, NULL, send_sigterms, t), 0);
  ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, &saved, NULL), 0);
}

/* Joins the thread and reads what is left of its signals, so that none is
 * delivered once the wrapper unblocks them. */
static void late_sigterms_end(struct late_sigterms *t, int sigfd)
{
  ck_assert_int_eq(pthread_join(t->thread, NULL), 0);
  while (proc_signal_read(sigfd) > 0)
    ;
}

/* Ordinal 3 with spec.replicas=3: the pod goes away for good. */
START_TEST(a_scaled_down_server_leaves_stops_dkron_and_removes_itself)
{
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-3", &patched, 1},
  };
  struct wrapper_fixture f;
  char body[512];

  wf_start(&f, 3, routes, 4, raft_cli);
  wf_launch(&f, DKRON_RUNNING);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  ck_assert_int_eq(f.w.child.pid, 0); /* reaped */
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", WF_PODS_PATH "dkron-server-3"), 1);
  ck_assert(
    wf_body(&f, "PATCH", WF_PODS_PATH "dkron-server-3", 0, body, sizeof(body)));
  ck_assert_str_eq(body, "{\"metadata\":{\"labels\":{\"dkron-leader\":"
                         "\"false\"}}}");
  ck_assert(removed_self(&f));
  ck_assert_double_eq(wf_metric(f.w.metrics.peers_removed, "scaled_down"), 1);
  ck_assert(wf_event_posted(&f, "RaftPeerRemoved"));
  wf_stop(&f);
}
END_TEST

/* Ordinal 1 of 3 after a good leave: a restart, the leader drops and
 * re-adds it by itself; no remove-peer. */
START_TEST(a_restarting_server_leaves_without_removing_itself)
{
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-1", &patched, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;

  wf_start(&f, 1, routes, 4, raft_cli);
  wf_launch(&f, DKRON_RUNNING);
  log_capture_begin(&lc);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  log_capture_end(&lc);
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1);
  ck_assert(!removed_self(&f));
  ck_assert_double_eq(wf_metric(f.w.metrics.peers_removed, "scaled_down"), 0);
  ck_assert_ptr_nonnull(strstr(lc.text, "a restart (ordinal 1 < "
                                        "spec.replicas=3)"));
  ck_assert_ptr_nonnull(strstr(lc.text, "shutdown finished"));
  wf_stop(&f);
}
END_TEST

/* A failed leave: the leader may never see this server go, so it removes
 * itself although its pod comes back. */
START_TEST(a_failed_leave_removes_the_server_from_raft)
{
  const struct fake_response refused = {.status = 500, .body = "{}"};
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"POST", "/v1/leave", &refused, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-2", &patched, 1},
  };
  struct wrapper_fixture f;

  wf_start(&f, 2, routes, 4, raft_cli);
  wf_launch(&f, DKRON_RUNNING);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1); /* not repeated */
  ck_assert(removed_self(&f));
  /* counted and announced as what it is, not as a scale-down */
  ck_assert_double_eq(wf_metric(f.w.metrics.peers_removed, "leave_failed"), 1);
  ck_assert_double_eq(wf_metric(f.w.metrics.peers_removed, "scaled_down"), 0);
  ck_assert(wf_event_posted(&f, "RaftPeerRemoved"));
  wf_stop(&f);
}
END_TEST

/* A dkron that ignores SIGTERM is killed once the stop timeout has
 * passed, and the wrapper exits with its status. */
START_TEST(a_dkron_that_will_not_stop_is_killed_at_the_stop_timeout)
{
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"POST", "/v1/leave", &left, 1},
  };
  struct wrapper_fixture f;
  long long t0;
  int status;

  wf_start(&f, 0, routes, 2, raft_cli);
  f.cfg.stop_timeout = 300;
  wf_launch(&f, "trap '' TERM; : >\"$1\"; exec sleep 30");
  wf_wait_ready(&f);
  t0 = clock_ms();
  status = wrapper_shutdown(&f.w, SIGTERM);
  ck_assert_int_eq(status, 128 + SIGKILL);
  ck_assert_int_ge(clock_ms() - t0, 300);
  ck_assert_int_lt(clock_ms() - t0, test_ms(5000));
  wf_stop(&f);
}
END_TEST

/* dkron's own exit status is the wrapper's; with no dkron left to stop,
 * the shutdown fails with 1 rather than a status it does not have. */
START_TEST(the_exit_code_is_dkrons)
{
  const struct fake_route routes[] = {{"POST", "/v1/leave", &left, 1}};
  struct wrapper_fixture f;

  wf_start(&f, 0, routes, 1, raft_cli);
  wf_launch(&f, "trap 'exit 0' TERM; : >\"$1\"; while :; do sleep 0.05; done");
  wf_wait_ready(&f);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 0);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 1);
  wf_stop(&f);
}
END_TEST

/* The API server accepts connections and never answers: spec.replicas
 * and the label each get SHUTDOWN_API_BUDGET_MS (2 s), so the stop is
 * not pushed past the grace period; spec.replicas unknown with a good
 * leave is a restart. */
START_TEST(a_stalled_api_server_costs_no_more_than_the_budgets)
{
  const struct fake_response stall = {
    .status = 200, .body = WF_STATEFULSET(3), .delay_ms = 60000};
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &stall, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-0", &stall, 1},
  };
  struct wrapper_fixture f;
  long long t0, took;

  wf_start(&f, 0, routes, 4, raft_cli);
  wf_launch(&f, DKRON_RUNNING);
  t0 = clock_ms();
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  took = clock_ms() - t0;
  ck_assert_msg(took < test_ms(2 * 2000 + 1500), "took %lld ms", took);
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1);
  ck_assert(!removed_self(&f));
  wf_stop(&f);
}
END_TEST

/* The quorum guard: server 2 has failed, so leaving now would leave one
 * working voter of three; the shutdown waits until it is alive again. */
START_TEST(the_quorum_guard_waits_for_a_failed_voter_to_return)
{
  const struct fake_response members[] = {
    {.status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2_FAILED "]"},
    {.status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2 "]"},
  };
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"GET", "/v1/members", members, 2},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-0", &patched, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;
  long long t0, took;

  wf_start(&f, 0, routes, 5, raft_cli);
  f.cfg.quorum_wait = 30000;
  wf_launch(&f, DKRON_RUNNING);
  t0 = clock_ms();
  log_capture_begin(&lc);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  log_capture_end(&lc);
  took = clock_ms() - t0;
  ck_assert_msg(strstr(lc.text, "waiting before leaving") &&
                  strstr(lc.text, "quorum is safe after"),
                "%s", lc.text);
  /* One poll (500 ms) later, far within --quorum-wait. */
  ck_assert_int_ge(took, 500);
  ck_assert_int_lt(took, test_ms(10000));
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1);
  ck_assert(wf_event_posted(&f, "QuorumGuard"));
  wf_stop(&f);
}
END_TEST

/* ... and leaves anyway once --quorum-wait has passed. */
START_TEST(the_quorum_guard_gives_up_after_quorum_wait)
{
  const struct fake_response members = {
    .status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2_FAILED "]"};
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"GET", "/v1/members", &members, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-0", &patched, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;
  long long t0;

  wf_start(&f, 0, routes, 5, raft_cli);
  f.cfg.quorum_wait = 700;
  wf_launch(&f, DKRON_RUNNING);
  t0 = clock_ms();
  log_capture_begin(&lc);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  log_capture_end(&lc);
  ck_assert_int_ge(clock_ms() - t0, 700);
  ck_assert_msg(strstr(lc.text, "leaving anyway after waiting"), "%s", lc.text);
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1);
  wf_stop(&f);
}
END_TEST

/* A leave that takes 3 s, and two more SIGTERMs 0.5 s apart during it: the
 * leave runs to its end (only --leave-timeout bounds it) and a restart
 * stays a restart, with no remove-peer. */
START_TEST(more_sigterms_do_not_cut_the_leave_short)
{
  const struct fake_response slow_leave = {
    .status = 200, .body = "{}", .delay_ms = 3000};
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"POST", "/v1/leave", &slow_leave, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-1", &patched, 1},
  };
  struct wrapper_fixture f;
  struct late_sigterms t;
  struct log_capture lc;

  wf_start(&f, 1, routes, 4, raft_cli);
  f.cfg.leave_timeout = 10000;
  wf_launch(&f, DKRON_RUNNING);
  log_capture_begin(&lc);
  late_sigterms_start(&t, 500, 500);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  late_sigterms_end(&t, f.w.sigfd);
  log_capture_end(&lc);
  ck_assert_msg(strstr(lc.text, "left the cluster in") &&
                  !strstr(lc.text, "graceful leave failed"),
                "%s", lc.text);
  ck_assert_msg(!removed_self(&f), "%s", lc.text);
  ck_assert_double_eq(wf_metric(f.w.metrics.peers_removed, "leave_failed"), 0);
  wf_stop(&f);
}
END_TEST

/* The quorum guard waits for server 2 to come back (four polls) although
 * a second SIGTERM arrives meanwhile: the guard's own calls are not
 * abandoned, so it does not mistake them for "no cluster view". */
START_TEST(more_sigterms_do_not_cancel_the_quorum_guard)
{
  const struct fake_response members[] = {
    {.status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2_FAILED "]"},
    {.status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2_FAILED "]"},
    {.status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2_FAILED "]"},
    {.status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2_FAILED "]"},
    {.status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2 "]"},
  };
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"GET", "/v1/members", members, 5},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-0", &patched, 1},
  };
  struct wrapper_fixture f;
  struct late_sigterms t;
  struct log_capture lc;

  wf_start(&f, 0, routes, 5, raft_cli);
  f.cfg.quorum_wait = 30000;
  wf_launch(&f, DKRON_RUNNING);
  log_capture_begin(&lc);
  late_sigterms_start(&t, 300, 400);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  late_sigterms_end(&t, f.w.sigfd);
  log_capture_end(&lc);
  ck_assert_msg(!strstr(lc.text, "no cluster view"), "%s", lc.text);
  ck_assert_uint_ge(wf_hits(&f, "GET", "/v1/members"), 5);
  ck_assert_msg(strstr(lc.text, "quorum is safe after") &&
                  strstr(lc.text, "left the cluster in"),
                "%s", lc.text);
  ck_assert(!removed_self(&f));
  wf_stop(&f);
}
END_TEST

/* dkron gets one SIGTERM from the shutdown and finishes its running jobs
 * (here: 2 s); more SIGTERMs meanwhile are not passed on, since dkron
 * exits at once, its jobs unfinished, on a second one. The script notes
 * each SIGTERM it gets in its file. */
START_TEST(more_sigterms_are_not_passed_on_to_a_stopping_dkron)
{
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-1", &patched, 1},
  };
  struct wrapper_fixture f;
  struct late_sigterms t;
  char terms[256];
  FILE *fp;
  size_t n;

  wf_start(&f, 1, routes, 4, raft_cli);
  f.cfg.stop_timeout = 10000;
  wf_launch(&f, "trap 'echo term >>\"$1\"; stop=1' TERM; : >\"$1\"; "
                "while [ -z \"$stop\" ]; do sleep 0.05; done; sleep 2; exit 0");
  wf_wait_ready(&f);
  late_sigterms_start(&t, 500, 500);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 0);
  late_sigterms_end(&t, f.w.sigfd);
  fp = fopen(f.ready, "r");
  ck_assert_ptr_nonnull(fp);
  n = fread(terms, 1, sizeof(terms) - 1, fp);
  fclose(fp);
  terms[n] = '\0';
  ck_assert_str_eq(terms, "term\n");
  wf_stop(&f);
}
END_TEST

/* dkron dies while the quorum guard waits: the guard wakes on its exit
 * (here within a second) instead of waiting out --quorum-wait (20 s), and
 * the wrapper exits with dkron's status. */
START_TEST(the_quorum_guard_wakes_when_dkron_exits)
{
  const struct fake_response members = {
    .status = 200, .body = "[" SERVER_0 "," SERVER_1 "," SERVER_2_FAILED "]"};
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"GET", "/v1/members", &members, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-0", &patched, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;
  long long t0, took;
  int status;

  wf_start(&f, 0, routes, 5, raft_cli);
  f.cfg.quorum_wait = 20000;
  wf_launch(&f, "trap '' TERM; : >\"$1\"; sleep 1; exit 3");
  wf_wait_ready(&f);
  t0 = clock_ms();
  log_capture_begin(&lc);
  status = wrapper_shutdown(&f.w, SIGTERM);
  log_capture_end(&lc);
  took = clock_ms() - t0;
  ck_assert_msg(took < 10000, "took %lld ms: %s", took, lc.text);
  ck_assert_int_eq(status, 3);
  ck_assert_msg(strstr(lc.text, "waiting before leaving"), "%s", lc.text);
  wf_stop(&f);
}
END_TEST

/* Each call of the quorum guard is bounded by what is left of
 * --quorum-wait: its `raft list-peers` hangs (the run's own bound is 3 s;
 * the later runs answer), and costs no more than the wait (500 ms). */
START_TEST(the_quorum_guard_bounds_its_calls_by_the_wait)
{
  static const char hanging_cli[] =
    "case \"$1 $2\" in\n"
    "'raft list-peers')\n"
    "  [ -e \"$0.hung\" ] || { : >\"$0.hung\"; exec sleep 10; }\n"
    "  echo 'Node ID Address State Voter';;\n"
    "esac\n"
    "exit 0";
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &three, 1},
    {"GET", "/v1/leader", &leader, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-0", &patched, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;
  char hung[80];
  long long t0, took;

  wf_start(&f, 0, routes, 4, hanging_cli);
  snprintf(hung, sizeof(hung), "%s.hung", f.dkron);
  f.cfg.quorum_wait = 500;
  wf_launch(&f, DKRON_RUNNING);
  t0 = clock_ms();
  log_capture_begin(&lc);
  ck_assert_int_eq(wrapper_shutdown(&f.w, SIGTERM), 128 + SIGTERM);
  log_capture_end(&lc);
  took = clock_ms() - t0;
  unlink(hung);
  ck_assert_msg(strstr(lc.text, "quorum guard: no cluster view"), "%s",
                lc.text);
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1);
  ck_assert_msg(took < test_ms(2500), "took %lld ms: %s", took, lc.text);
  wf_stop(&f);
}
END_TEST

/* A SIGTERM while the wrapper restarts a dkron whose bootstrap is stuck
 * (first_election.c) is not lost: dkron is not started again, and the
 * wrapper exits. */
START_TEST(a_sigterm_during_a_bootstrap_restart_is_not_lost)
{
  struct wrapper_fixture f;
  struct late_sigterms t;
  char runs[2048];
  struct step s;

  wf_start(&f, 0, NULL, 0, "exit 0");
  wf_launch(&f, "trap 'sleep 1; exit 0' TERM; : >\"$1\"; "
                "while :; do sleep 0.05; done");
  wf_wait_ready(&f);
  f.w.bootstrap_expect = 3;
  f.w.bootstrap_stuck = true;
  late_sigterms_start(&t, 300, 100);
  s = first_election_restart(&f.w);
  late_sigterms_end(&t, f.w.sigfd);
  wf_cli_runs(&f, runs, sizeof(runs));
  ck_assert_msg(!step_goes_on(s), "dkron started again: %s", runs);
  ck_assert_int_eq(s.exit_code, 0);
  ck_assert_ptr_null(strstr(runs, "agent"));
  wf_stop(&f);
}
END_TEST

Suite *make_shutdown_suite(void)
{
  Suite *s = suite_create("shutdown");
  TCase *tc = tcase_create("shutdown");

  tcase_set_timeout(tc, 60);
  tcase_add_test(tc,
                 a_scaled_down_server_leaves_stops_dkron_and_removes_itself);
  tcase_add_test(tc, a_restarting_server_leaves_without_removing_itself);
  tcase_add_test(tc, a_failed_leave_removes_the_server_from_raft);
  tcase_add_test(tc, a_dkron_that_will_not_stop_is_killed_at_the_stop_timeout);
  tcase_add_test(tc, the_exit_code_is_dkrons);
  tcase_add_test(tc, a_stalled_api_server_costs_no_more_than_the_budgets);
  tcase_add_test(tc, the_quorum_guard_waits_for_a_failed_voter_to_return);
  tcase_add_test(tc, the_quorum_guard_gives_up_after_quorum_wait);
  tcase_add_test(tc, more_sigterms_do_not_cut_the_leave_short);
  tcase_add_test(tc, more_sigterms_do_not_cancel_the_quorum_guard);
  tcase_add_test(tc, more_sigterms_are_not_passed_on_to_a_stopping_dkron);
  tcase_add_test(tc, the_quorum_guard_wakes_when_dkron_exits);
  tcase_add_test(tc, the_quorum_guard_bounds_its_calls_by_the_wait);
  tcase_add_test(tc, a_sigterm_during_a_bootstrap_restart_is_not_lost);
  suite_add_tcase(s, tc);
  return s;
}
