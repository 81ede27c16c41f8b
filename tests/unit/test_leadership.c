/* test_leadership.c: the leader's duties in the supervise loop, on a
 * started wrapper against a fake dkron and a fake API server: the pod's
 * leader label follows GET /v1/isleader (patched on change, demoted after
 * errors, a refused patch retried after its back-off), the leader metrics
 * and Events; and the clean-up while leader: a stale leader label on
 * another pod cleared, one dead Raft peer removed once it has been dead
 * for --dead-peer-after. */
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
static const struct fake_response broken = {.status = 500,
                                            .body = "{\"error\":\"boom\"}"};
static const struct fake_response patched = {.status = 200, .body = "{}"};

static const char forbidden[] =
  "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
  "\"message\":\"pods \\\"dkron-server-0\\\" is forbidden: User "
  "\\\"system:serviceaccount:dkron:dkron-server\\\" cannot patch resource "
  "\\\"pods\\\" in API group \\\"\\\" in the namespace \\\"dkron\\\"\","
  "\"reason\":\"Forbidden\",\"code\":403}";

/* The label value of the nth PATCH of our pod. */
static void assert_patch(struct wrapper_fixture *f, unsigned nth,
                         const char *value)
{
  char body[1024], want[128];

  ck_assert_msg(wf_body(f, "PATCH", SELF_PATH, nth, body, sizeof(body)),
                "no PATCH #%u of our pod", nth);
  snprintf(want, sizeof(want),
           "{\"metadata\":{\"labels\":{\"dkron-leader\":\"%s\"}}}", value);
  ck_assert_str_eq(body, want);
}

START_TEST(the_label_follows_isleader_and_is_patched_on_change)
{
  const struct fake_response isleader[] = {leader, leader, follower};
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", isleader, 3},
    {"PATCH", SELF_PATH, &patched, 1},
  };
  struct wrapper_fixture f;
  long long now;

  wf_start(&f, 0, routes, 2, "exit 0");
  now = clock_ms();
  leadership_poll(&f.w, now);
  ck_assert(f.w.leader);
  ck_assert(f.w.api_up);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 1);
  assert_patch(&f, 0, "true");
  ck_assert_double_eq(wf_metric(f.w.metrics.leader, NULL), 1);
  ck_assert_double_eq(wf_metric(f.w.metrics.leader_changes, NULL), 1);
  ck_assert_double_eq(wf_metric(f.w.metrics.label_patches, "ok"), 1);

  /* The same answer again: no patch, no change. */
  leadership_poll(&f.w, now + 100);
  ck_assert(f.w.leader);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 1);
  ck_assert_double_eq(wf_metric(f.w.metrics.leader_changes, NULL), 1);

  leadership_poll(&f.w, now + 200);
  ck_assert(!f.w.leader);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 2);
  assert_patch(&f, 1, "false");
  ck_assert_double_eq(wf_metric(f.w.metrics.leader, NULL), 0);
  ck_assert_double_eq(wf_metric(f.w.metrics.leader_changes, NULL), 2);
  ck_assert_double_eq(wf_metric(f.w.metrics.label_patches, "ok"), 2);
  ck_assert(wf_event_posted(&f, "LeaderElected"));
  ck_assert(wf_event_posted(&f, "LeadershipLost"));
  wf_stop(&f);
}
END_TEST

/* An error answer shows that dkron's API is up (once), but says nothing
 * of the role: it keeps the label until LABEL_MAX_ERRORS in a row demote
 * it, since a server whose API fails must not keep the leader traffic. */
START_TEST(errors_keep_the_label_until_they_demote_it)
{
  const struct fake_response isleader[] = {broken, leader, broken};
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", isleader, 3},
    {"PATCH", SELF_PATH, &patched, 1},
  };
  struct wrapper_fixture f;
  struct log_capture lc;
  long long now;

  wf_start(&f, 0, routes, 2, "exit 0");
  now = clock_ms();
  log_capture_begin(&lc);
  leadership_poll(&f.w, now);
  ck_assert(f.w.api_up);
  ck_assert(!f.w.leader);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 0);
  leadership_poll(&f.w, now + 1);
  ck_assert(f.w.leader);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 1);
  for (int i = 1; i < LABEL_MAX_ERRORS; i++) {
    leadership_poll(&f.w, now + 1 + i);
    ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 1);
  }
  log_capture_end(&lc);
  /* An error is not a leader: the metric says so at once. */
  ck_assert(!f.w.leader);
  ck_assert_double_eq(wf_metric(f.w.metrics.leader, NULL), 0);
  ck_assert_int_eq(log_capture_count(&lc, "dkron's HTTP API is up after"), 1);
  leadership_poll(&f.w, now + 1 + LABEL_MAX_ERRORS);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 2);
  assert_patch(&f, 1, "false");
  wf_stop(&f);
}
END_TEST

/* While our dkron does not answer at all, its API is not up and the label
 * is not touched before the errors demote it. */
START_TEST(no_answer_leaves_the_api_down)
{
  const struct fake_route routes[] = {{"PATCH", SELF_PATH, &patched, 1}};
  struct wrapper_fixture f;
  long long now;

  wf_start(&f, 0, routes, 1, "exit 0");
  wf_silence_dkron(&f);
  now = clock_ms();
  for (int i = 0; i < LABEL_MAX_ERRORS - 1; i++)
    leadership_poll(&f.w, now + i);
  ck_assert(!f.w.api_up);
  ck_assert(!f.w.leader);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 0);
  wf_stop(&f);
}
END_TEST

/* A refused patch (RBAC) is counted and reported as an Event, then
 * retried only once its back-off has passed. */
START_TEST(a_refused_patch_is_retried_after_its_back_off)
{
  const struct fake_response patches[] = {{.status = 403, .body = forbidden},
                                          patched};
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", &leader, 1},
    {"PATCH", SELF_PATH, patches, 2},
  };
  struct wrapper_fixture f;
  long long now;

  wf_start(&f, 0, routes, 2, "exit 0");
  now = clock_ms();
  leadership_poll(&f.w, now);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 1);
  ck_assert_double_eq(wf_metric(f.w.metrics.label_patches, "error"), 1);
  ck_assert(wf_event_posted(&f, "Forbidden"));
  /* Within the first back-off (1 s, at least its upper half): no patch. */
  leadership_poll(&f.w, now + LABEL_BACKOFF_MIN_MS / 2 - 1);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 1);
  leadership_poll(&f.w, now + LABEL_BACKOFF_MIN_MS);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 2);
  assert_patch(&f, 1, "true");
  ck_assert_double_eq(wf_metric(f.w.metrics.label_patches, "ok"), 1);
  /* Then steady: no more patches. */
  leadership_poll(&f.w, now + 2 * LABEL_BACKOFF_MAX_MS);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 2);
  wf_stop(&f);
}
END_TEST

/* The shutdown's label: follower unless the label already says so, and
 * false when it could not be set. */
START_TEST(set_label_follower_patches_only_what_is_not_follower_yet)
{
  const struct fake_response refused = {.status = 403, .body = forbidden};
  const struct fake_response patches[] = {patched, patched, refused};
  const struct fake_route routes[] = {
    {"GET", "/v1/isleader", &leader, 1},
    {"PATCH", SELF_PATH, patches, 3},
  };
  struct wrapper_fixture f;
  struct k8s_client *kube;

  wf_start(&f, 0, routes, 2, "exit 0");
  leadership_poll(&f.w, clock_ms()); /* labelled leader */
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 1);
  ck_assert(leadership_set_label(&f.w, ROLE_FOLLOWER));
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 2);
  assert_patch(&f, 1, "false");
  /* Already follower: nothing to patch, and that counts as set. */
  ck_assert(leadership_set_label(&f.w, ROLE_FOLLOWER));
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 2);
  /* A refusal is reported. */
  ck_assert(!leadership_set_label(&f.w, ROLE_LEADER));
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 3);
  /* Without the API nothing is set, and nothing breaks. */
  kube = f.w.kube;
  f.w.kube = NULL;
  ck_assert(!leadership_set_label(&f.w, ROLE_LEADER));
  f.w.kube = kube;
  ck_assert_uint_eq(wf_hits(&f, "PATCH", SELF_PATH), 3);
  wf_stop(&f);
}
END_TEST

START_TEST(replicas_come_from_the_statefulset)
{
  const struct fake_response sts[] = {
    {.status = 200, .body = WF_STATEFULSET(5)}, {.status = 404, .body = "{}"}};
  const struct fake_route routes[] = {{"GET", WF_STS_PATH, sts, 2}};
  struct wrapper_fixture f;
  struct k8s_client *kube;

  wf_start(&f, 0, routes, 1, "exit 0");
  ck_assert_int_eq(wrapper_replicas(&f.w), 5);
  ck_assert_int_eq(wrapper_replicas(&f.w), -1);
  kube = f.w.kube;
  f.w.kube = NULL;
  ck_assert_int_eq(wrapper_replicas(&f.w), -1);
  f.w.kube = kube;
  ck_assert_uint_eq(wf_hits(&f, "GET", WF_STS_PATH), 2);
  wf_stop(&f);
}
END_TEST

/* The fake dkron's raft list-peers: four voters, dkron-server-3 among
 * them (beyond spec.replicas=3); remove-peer succeeds. */
static const char raft_cli[] =
  "case \"$1 $2\" in\n"
  "'raft list-peers') cat <<'EOF'\n"
  "Node            ID              Address            State     Voter\n"
  "dkron-server-0  dkron-server-0  10.244.0.10:6868   leader    true\n"
  "dkron-server-1  dkron-server-1  10.244.0.11:6868   follower  true\n"
  "dkron-server-2  dkron-server-2  10.244.0.12:6868   follower  true\n"
  "dkron-server-3  dkron-server-3  10.244.0.13:6868   follower  true\n"
  "EOF\n"
  ";;\n"
  "esac\n"
  "exit 0";

#define SERVER_0 WF_MEMBER("dkron-server-0", "10.244.0.10", WF_ALIVE)
#define SERVER_1 WF_MEMBER("dkron-server-1", "10.244.0.11", WF_ALIVE)
#define SERVER_2 WF_MEMBER("dkron-server-2", "10.244.0.12", WF_ALIVE)
#define SERVER_3 WF_MEMBER("dkron-server-3", "10.244.0.13", WF_FAILED)

static const char members_dead_3[] =
  "[" SERVER_0 "," SERVER_1 "," SERVER_2 "," SERVER_3 "]";

START_TEST(cleanup_clears_stale_labels_and_removes_a_dead_peer_in_time)
{
  const struct fake_response sts = {.status = 200, .body = WF_STATEFULSET(3)};
  const struct fake_response pod1 = {.status = 200,
                                     .body = WF_POD("dkron-server-1", "true")};
  const struct fake_response pod2 = {.status = 200,
                                     .body = WF_POD("dkron-server-2", "false")};
  const struct fake_response members = {.status = 200, .body = members_dead_3};
  const struct fake_route routes[] = {
    {"GET", WF_STS_PATH, &sts, 1},
    {"GET", WF_PODS_PATH "dkron-server-1", &pod1, 1},
    {"GET", WF_PODS_PATH "dkron-server-2", &pod2, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-1", &patched, 1},
    {"PATCH", WF_PODS_PATH "dkron-server-2", &patched, 1},
    {"GET", "/v1/members", &members, 1},
  };
  struct wrapper_fixture f;
  char runs[1024], body[512];
  long long now;

  wf_start(&f, 0, routes, 6, raft_cli);
  f.cfg.dead_peer_after = 30000;
  now = clock_ms();
  leadership_cleanup(&f.w, now);
  /* Our own pod is not read; the other leader label is cleared. */
  ck_assert_uint_eq(wf_hits(&f, "GET", WF_PODS_PATH "dkron-server-0"), 0);
  ck_assert_uint_eq(wf_hits(&f, "PATCH", WF_PODS_PATH "dkron-server-1"), 1);
  ck_assert(
    wf_body(&f, "PATCH", WF_PODS_PATH "dkron-server-1", 0, body, sizeof(body)));
  ck_assert_str_eq(body, "{\"metadata\":{\"labels\":{\"dkron-leader\":"
                         "\"false\"}}}");
  ck_assert_uint_eq(wf_hits(&f, "PATCH", WF_PODS_PATH "dkron-server-2"), 0);
  /* dkron-server-3 has just been seen dead: it is kept for now. */
  wf_cli_runs(&f, runs, sizeof(runs));
  ck_assert_str_eq(runs, "raft list-peers --rpc-addr=10.244.0.10:6868\n");
  ck_assert_double_eq(wf_metric(f.w.metrics.raft_peers, "voter"), 4);
  ck_assert_double_eq(wf_metric(f.w.metrics.raft_peers, "nonvoter"), 0);

  leadership_cleanup(&f.w, now + 30000);
  wf_cli_runs(&f, runs, sizeof(runs));
  ck_assert_str_eq(runs, "raft list-peers --rpc-addr=10.244.0.10:6868\n"
                         "raft list-peers --rpc-addr=10.244.0.10:6868\n"
                         "raft remove-peer --peer-id=dkron-server-3 "
                         "--rpc-addr=10.244.0.10:6868\n");
  ck_assert_double_eq(wf_metric(f.w.metrics.peers_removed, "dead_peer"), 1);
  ck_assert(wf_event_posted(&f, "RaftPeerRemoved"));
  wf_stop(&f);
}
END_TEST

/* Without spec.replicas nothing can be judged: no pod is read, no peer
 * listed. */
START_TEST(cleanup_does_nothing_without_the_replica_count)
{
  const struct fake_response sts = {.status = 500, .body = "{}"};
  const struct fake_route routes[] = {{"GET", WF_STS_PATH, &sts, 1}};
  struct wrapper_fixture f;
  char runs[256];

  wf_start(&f, 0, routes, 1, raft_cli);
  leadership_cleanup(&f.w, clock_ms());
  ck_assert_uint_ge(wf_hits(&f, "GET", WF_STS_PATH), 1);
  ck_assert_uint_eq(wf_hits(&f, "GET", NULL), wf_hits(&f, "GET", WF_STS_PATH));
  wf_cli_runs(&f, runs, sizeof(runs));
  ck_assert_str_eq(runs, "");
  wf_stop(&f);
}
END_TEST

Suite *make_leadership_suite(void)
{
  Suite *s = suite_create("leadership");
  TCase *tc = tcase_create("leadership");

  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, the_label_follows_isleader_and_is_patched_on_change);
  tcase_add_test(tc, errors_keep_the_label_until_they_demote_it);
  tcase_add_test(tc, no_answer_leaves_the_api_down);
  tcase_add_test(tc, a_refused_patch_is_retried_after_its_back_off);
  tcase_add_test(tc, set_label_follower_patches_only_what_is_not_follower_yet);
  tcase_add_test(tc, replicas_come_from_the_statefulset);
  tcase_add_test(tc,
                 cleanup_clears_stale_labels_and_removes_a_dead_peer_in_time);
  tcase_add_test(tc, cleanup_does_nothing_without_the_replica_count);
  suite_add_tcase(s, tc);
  return s;
}
