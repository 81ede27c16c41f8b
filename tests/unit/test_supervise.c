/* test_supervise.c: the wrapper's main loop while dkron runs
 * (wrapper_supervise), on a started wrapper with a real dkron child (sh)
 * and signals raised at ourselves: dkron's own exit ends the loop with its
 * status (label follower, dkron_up 0); SIGTERM runs the shutdown; the other
 * forwarded signals reach dkron; isleader is polled every interval; the
 * "API still down" warning repeats every --api-warn-after, not every turn;
 * the dead-peer clean-up runs only while leader. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log_capture.h"
#include "tests.h"
#include "wrapper_fixture.h"

#define SELF_PATH WF_PODS_PATH WF_STS "-0"

static const struct fake_response leader = {.status = 200,
                                            .body = "\"I am a leader\""};
static const struct fake_response follower = {.status = 404,
                                              .body = "\"I am a follower\""};
static const struct fake_response patched = {.status = 200, .body = "{}"};
static const struct fake_response left = {.status = 200, .body = "{}"};
static const struct fake_response three = {.status = 200,
                                           .body = WF_STATEFULSET(3)};

START_TEST(dkron_exiting_on_its_own_ends_the_loop_with_its_status)
{
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", &leader, 1},
    {"PATCH", SELF_PATH, &patched, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;
  char body[512];
  struct step s;
  unsigned patches;

  wf_start(&f, 0, routes, 2, "exit 0");
  metric_set(f.w.metrics.common.dkron_up, NULL, 1); /* as wrapper_launch */
  wf_launch(&f, "sleep 0.3; exit 3");
  log_capture_begin(&lc);
  s = wrapper_supervise(&f.w);
  log_capture_end(&lc);
  ck_assert_int_eq(s.kind, STEP_FAIL);
  ck_assert_int_eq(s.exit_code, 3);
  ck_assert_ptr_nonnull(strstr(lc.text, "exited on its own with status 3"));
  ck_assert_double_eq(wf_metric(f.w.metrics.common.dkron_up, NULL), 0);
  /* Labelled leader while it ran, follower once it was gone. */
  patches = wf_hits(&f, "PATCH", SELF_PATH);
  ck_assert_uint_eq(patches, 2);
  ck_assert(wf_body(&f, "PATCH", SELF_PATH, 0, body, sizeof(body)));
  ck_assert_ptr_nonnull(strstr(body, "\"dkron-leader\":\"true\""));
  ck_assert(wf_body(&f, "PATCH", SELF_PATH, 1, body, sizeof(body)));
  ck_assert_ptr_nonnull(strstr(body, "\"dkron-leader\":\"false\""));
  wf_stop(&f);
}
END_TEST

/* SIGTERM runs the graceful shutdown; a dkron that then exits 0 stops the
 * wrapper cleanly. */
START_TEST(sigterm_runs_the_shutdown)
{
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", &follower, 1},
    {"GET", WF_STS_PATH, &three, 1},
    {"POST", "/v1/leave", &left, 1},
    {"PATCH", SELF_PATH, &patched, 1},
  };
  struct wrapper_fixture f;
  struct step s;

  wf_start(&f, 0, routes, 4, "exit 0");
  wf_launch(&f, "trap 'exit 0' TERM; : >\"$1\"; while :; do sleep 0.05; done");
  wf_wait_ready(&f);
  ck_assert_int_eq(raise(SIGTERM), 0); /* blocked: waits on the signalfd */
  s = wrapper_supervise(&f.w);
  ck_assert_int_eq(s.kind, STEP_STOP_CLEANLY);
  ck_assert_int_eq(s.exit_code, 0);
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 1);
  ck_assert_int_eq(f.w.child.pid, 0);
  wf_stop(&f);
}
END_TEST

/* SIGUSR1 goes on to dkron (here it exits 7 on it), and the loop ends with
 * that status; the wrapper does not leave. */
START_TEST(other_signals_are_forwarded_to_dkron)
{
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", &follower, 1},
    {"POST", "/v1/leave", &left, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;
  struct step s;

  wf_start(&f, 0, routes, 2, "exit 0");
  wf_launch(&f, "trap 'exit 7' USR1; : >\"$1\"; while :; do sleep 0.05; done");
  wf_wait_ready(&f);
  ck_assert_int_eq(raise(SIGUSR1), 0);
  log_capture_begin(&lc);
  s = wrapper_supervise(&f.w);
  log_capture_end(&lc);
  ck_assert_int_eq(s.kind, STEP_FAIL);
  ck_assert_int_eq(s.exit_code, 7);
  ck_assert_msg(strstr(lc.text, "forwarding User defined signal 1 to dkron"),
                "%s", lc.text);
  ck_assert_uint_eq(wf_hits(&f, "POST", "/v1/leave"), 0);
  wf_stop(&f);
}
END_TEST

/* isleader every --isleader-interval (100 ms here) while dkron runs
 * (500 ms): a handful of polls, neither one nor a busy loop. */
START_TEST(isleader_is_polled_every_interval)
{
  const struct fake_route routes[] = {{"GET", "/v1/isleader", &follower, 1}};
  struct wrapper_fixture f;
  unsigned polls;

  wf_start(&f, 0, routes, 1, "exit 0");
  wf_launch(&f, "sleep 0.5");
  ck_assert_int_eq(wrapper_supervise(&f.w).exit_code, 0);
  polls = wf_hits(&f, "GET", "/v1/isleader");
  ck_assert_msg(polls >= 2 && polls <= 8, "%u polls in 500 ms", polls);
  wf_stop(&f);
}
END_TEST

/* Runs dkron for run_s with --api-warn-after=200 ms; how many times the
 * "API still down" warning was logged. */
static int api_warnings(struct wrapper_fixture *f, const char *run_s)
{
  struct log_capture lc;
  char script[32];

  f->cfg.api_warn_after = 200;
  snprintf(script, sizeof(script), "sleep %s", run_s);
  wf_launch(f, script);
  log_capture_begin(&lc);
  ck_assert_int_eq(wrapper_supervise(&f->w).exit_code, 0);
  log_capture_end(&lc);
  return log_capture_count(&lc, "has not answered");
}

/* dkron's API never answers: the loud warning comes after
 * --api-warn-after, then again every --api-warn-after, not every turn. */
START_TEST(a_silent_dkron_api_is_reported_every_api_warn_after)
{
  struct wrapper_fixture f;
  int warnings;

  wf_start(&f, 0, NULL, 0, "exit 0");
  wf_silence_dkron(&f);
  warnings = api_warnings(&f, "0.7");
  ck_assert_msg(warnings >= 2 && warnings <= 4, "%d warnings in 700 ms",
                warnings);
  wf_stop(&f);
}
END_TEST

/* Once the API answers, never. */
START_TEST(an_answering_dkron_api_is_not_reported)
{
  const struct fake_route routes[] = {{"GET", "/v1/isleader", &follower, 1}};
  struct wrapper_fixture f;

  wf_start(&f, 0, routes, 1, "exit 0");
  ck_assert_int_eq(api_warnings(&f, "0.5"), 0);
  wf_stop(&f);
}
END_TEST

/* The dead-peer clean-up (which starts by reading spec.replicas) every
 * --dead-peer-interval, only while this server leads: _i = 1 leader, 0
 * follower. */
START_TEST(cleanup_runs_only_while_leader)
{
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", _i ? &leader : &follower, 1},
    {"PATCH", SELF_PATH, &patched, 1},
    {"GET", WF_STS_PATH, &three, 1},
  };
  struct wrapper_fixture f;
  unsigned reads;

  wf_start(&f, 0, routes, 3, "exit 0");
  f.cfg.dead_peer_interval = 100;
  wf_launch(&f, "sleep 0.6");
  ck_assert_int_eq(wrapper_supervise(&f.w).exit_code, 0);
  reads = wf_hits(&f, "GET", WF_STS_PATH);
  if (_i)
    ck_assert_msg(reads >= 2 && reads <= 7, "%u clean-ups", reads);
  else
    ck_assert_uint_eq(reads, 0);
  wf_stop(&f);
}
END_TEST

Suite *make_supervise_suite(void)
{
  Suite *s = suite_create("supervise");
  TCase *tc = tcase_create("supervise");

  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, dkron_exiting_on_its_own_ends_the_loop_with_its_status);
  tcase_add_test(tc, sigterm_runs_the_shutdown);
  tcase_add_test(tc, other_signals_are_forwarded_to_dkron);
  tcase_add_test(tc, isleader_is_polled_every_interval);
  tcase_add_test(tc, a_silent_dkron_api_is_reported_every_api_warn_after);
  tcase_add_test(tc, an_answering_dkron_api_is_not_reported);
  tcase_add_loop_test(tc, cleanup_runs_only_while_leader, 0, 2);
  suite_add_tcase(s, tc);
  return s;
}
