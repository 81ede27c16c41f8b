/* test_wrapper.c: the server wrapper's decisions, table-driven: bootstrap,
 * shutdown, argv, leader label, dead-peer selection, readiness, the
 * hand-over's choice of successor, dkron's config file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "clock.h"
#include "dead_peers.h"
#include "dkron.h"
#include "dkron_config.h"
#include "handover.h"
#include "leader_label.h"
#include "readiness.h"
#include "server_argv.h"
#include "shutdown_policy.h"
#include "wrapper.h"
#include "tests.h"
#include "wrapper_config.h"

/* ---- bootstrap decision ---- */

#define P(name, answer, leader) \
  {                             \
    name, answer, leader        \
  }

struct bootstrap_case {
  const char *what;
  struct peer_probe probes[4];
  size_t n;
  bool raft_state;
  long size, ordinal;
  long expect;
  const char *reason_has;
};

static const struct bootstrap_case bootstrap_cases[] = {
  {"fresh 3-node cluster, nobody up yet",
   {P("s-1", DKRON_LEADER_UNREACHABLE, NULL),
    P("s-2", DKRON_LEADER_UNREACHABLE, NULL)},
   2,
   false,
   3,
   0,
   3,
   "no peer reports a leader"},
  {"peers up without a leader",
   {P("s-0", DKRON_LEADER_NONE, NULL), P("s-2", DKRON_LEADER_NONE, NULL)},
   2,
   false,
   3,
   1,
   3,
   "s-0: no leader, s-2: no leader"},
  {"one peer reports a leader",
   {P("s-0", DKRON_LEADER_NONE, NULL), P("s-2", DKRON_LEADER_FOUND, "s-2")},
   2,
   false,
   3,
   1,
   0,
   "reports leader s-2"},
  {"mixed errors, one leader",
   {P("s-0", DKRON_LEADER_ERROR, NULL),
    P("s-1", DKRON_LEADER_UNREACHABLE, NULL),
    P("s-3", DKRON_LEADER_FOUND, "s-1"), P("s-4", DKRON_LEADER_NONE, NULL)},
   4,
   false,
   5,
   2,
   0,
   "joining the existing cluster"},
  {"mixed errors, no leader: 5 nodes",
   {P("s-0", DKRON_LEADER_ERROR, NULL),
    P("s-1", DKRON_LEADER_UNREACHABLE, NULL), P("s-3", DKRON_LEADER_NONE, NULL),
    P("s-4", DKRON_LEADER_NONE, NULL)},
   4,
   false,
   5,
   2,
   5,
   "s-0: error, s-1: unreachable"},
  {"raft state present, no leader",
   {P("s-1", DKRON_LEADER_NONE, NULL),
    P("s-2", DKRON_LEADER_UNREACHABLE, NULL)},
   2,
   true,
   3,
   0,
   0,
   "holds Raft state"},
  {"raft state present and a leader",
   {P("s-1", DKRON_LEADER_FOUND, "s-1")},
   1,
   true,
   3,
   0,
   0,
   "reports leader"},
  {"single replica, ordinal 0", {{0}}, 0, false, 1, 0, 1, "no other peers"},
  {"single replica size but ordinal 1",
   {{0}},
   0,
   false,
   1,
   1,
   0,
   "only ordinal 0 may bootstrap"},
  {"single replica with state", {{0}}, 0, true, 1, 0, 0, "holds Raft state"},
};

START_TEST(bootstrap_decision_table)
{
  const struct bootstrap_case *c = &bootstrap_cases[_i];
  struct bootstrap_decision d;

  bootstrap_decide(c->probes, c->n, c->raft_state, c->size, c->ordinal, &d);
  ck_assert_msg(d.expect == c->expect, "%s: expect %ld, got %ld (%s)", c->what,
                c->expect, d.expect, d.reason);
  ck_assert_msg(strstr(d.reason, c->reason_has), "%s: reason '%s' lacks '%s'",
                c->what, d.reason, c->reason_has);
  bootstrap_decision_free(&d);
}
END_TEST

/* The most peers the wrapper takes, each with a long name: the log line
 * names every one of them, the last one included, and ends whole. */
START_TEST(bootstrap_reason_names_every_peer)
{
  enum { N = WRAPPER_MAX_PEERS - 1, NAME_LEN = 253 };
  static char names[N][NAME_LEN + 1];
  static struct peer_probe probes[N];
  struct bootstrap_decision d;
  char last[NAME_LEN + 32];

  for (size_t i = 0; i < N; i++) {
    int w = snprintf(names[i], sizeof(names[i]), "dkron-server-%zu.", i + 1);
    memset(names[i] + w, 'x', NAME_LEN - (size_t)w);
    names[i][NAME_LEN] = '\0';
    probes[i] = (struct peer_probe){names[i], DKRON_LEADER_UNREACHABLE, NULL};
  }
  probes[N - 1].answer = DKRON_LEADER_NONE;
  snprintf(last, sizeof(last), ", %s: no leader)", names[N - 1]);

  bootstrap_decide(probes, N, false, N + 1, 0, &d);
  ck_assert_int_eq(d.expect, N + 1);
  ck_assert_ptr_nonnull(d.reason);
  ck_assert_msg(strstr(d.reason, last), "the last peer is missing: ...%s",
                d.reason + strlen(d.reason) - 80);
  ck_assert_msg(strstr(d.reason, ") and the data dir holds no Raft state"),
                "cut: ...%s", d.reason + strlen(d.reason) - 80);
  ck_assert_uint_gt(strlen(d.reason), (size_t)N * NAME_LEN);
  bootstrap_decision_free(&d);
  ck_assert_ptr_null(d.reason);

  bootstrap_decide(probes, N, true, N + 1, 0, &d);
  ck_assert_int_eq(d.expect, 0);
  ck_assert_msg(strstr(d.reason, last), "the last peer is missing");
  bootstrap_decision_free(&d);
}
END_TEST

START_TEST(raft_state_detection)
{
  char dir[] = "/tmp/wrapper-raft-XXXXXX";
  char path[256];
  FILE *f;

  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert(!bootstrap_has_raft_state(dir));
  snprintf(path, sizeof(path), "%s/raft", dir);
  ck_assert_int_eq(mkdir(path, 0700), 0);
  snprintf(path, sizeof(path), "%s/raft/raft.db", dir);
  f = fopen(path, "w");
  fclose(f);
  ck_assert_msg(!bootstrap_has_raft_state(dir), "empty raft.db is no state");
  f = fopen(path, "w");
  fputs("bolt", f);
  fclose(f);
  ck_assert(bootstrap_has_raft_state(dir));
  unlink(path);
  snprintf(path, sizeof(path), "%s/raft/snapshots", dir);
  ck_assert_int_eq(mkdir(path, 0700), 0);
  ck_assert(!bootstrap_has_raft_state(dir));
  snprintf(path, sizeof(path), "%s/raft/snapshots/2-10-123", dir);
  ck_assert_int_eq(mkdir(path, 0700), 0);
  ck_assert(bootstrap_has_raft_state(dir));
  rmdir(path);
  snprintf(path, sizeof(path), "%s/raft/snapshots", dir);
  rmdir(path);
  snprintf(path, sizeof(path), "%s/raft", dir);
  rmdir(path);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ---- shutdown decision ---- */

struct shutdown_case {
  long ordinal, replicas;
  bool leave_ok;
  enum remove_mode mode;
  bool remove;
  const char *reason_has;
};

static const struct shutdown_case shutdown_cases[] = {
  {1, 3, true, REMOVE_AUTO, false, "a restart (ordinal 1"},
  {2, 3, true, REMOVE_AUTO, false, "ordinal 2 < spec.replicas=3"},
  {3, 3, true, REMOVE_AUTO, true, "scaled down"},
  {4, 3, true, REMOVE_AUTO, true, "ordinal 4 is at or above"},
  {0, 0, true, REMOVE_AUTO, true, "spec.replicas=0"},
  {1, 3, false, REMOVE_AUTO, true, "graceful leave failed"},
  {1, -1, true, REMOVE_AUTO, false, "could not be read"},
  {1, -1, false, REMOVE_AUTO, true, "graceful leave failed"},
  {1, 3, true, REMOVE_ALWAYS, true, "always"},
};

START_TEST(shutdown_decision_table)
{
  const struct shutdown_case *c = &shutdown_cases[_i];
  struct shutdown_facts f = {c->ordinal, c->replicas, c->leave_ok, c->mode};
  char reason[256];

  ck_assert_int_eq(shutdown_should_remove(&f, reason, sizeof(reason)),
                   c->remove);
  ck_assert_msg(strstr(reason, c->reason_has), "reason '%s' lacks '%s'", reason,
                c->reason_has);
}
END_TEST

struct quorum_case {
  long voters, replicas;
  bool self_voter;
  long others_working, others_staying;
  bool leave;
  const char *why_has;
};

static const struct quorum_case quorum_cases[] = {
  {3, 3, true, 2, 2, true, "2 other voters work, quorum of 3 servers is 2"},
  {3, 3, true, 1, 1, false, "only 1 other voter work"},
  /* a drained server already dropped from Raft: it comes back */
  {2, 3, true, 1, 1, false, "Raft lists 2 voters, the StatefulSet 3 servers"},
  {3, -1, true, 1, 1, false, "leaving now would lose it"},
  {5, 5, true, 3, 3, true, "quorum of 5 servers is 3: leaving keeps it"},
  {5, 3, true, 3, 3, true, "leaving keeps it"}, /* a scale-down */
  {5, 5, true, 2, 2, false, "leaving now would lose it"},
  /* all servers deleted at once: no one to wait for */
  {3, 3, true, 1, 0, true, "every other voter is stopping too"},
  {2, 2, true, 0, 0, true, "a cluster of 2 servers: any departure"},
  {1, 1, true, 0, 0, true, "a cluster of 1 server"},
  {3, 3, false, 1, 1, true, "not a voter"},
};

START_TEST(quorum_guard_table)
{
  const struct quorum_case *c = &quorum_cases[_i];
  char why[256];

  ck_assert_int_eq(leave_keeps_quorum(c->voters, c->replicas, c->self_voter,
                                      c->others_working, c->others_staying, why,
                                      sizeof(why)),
                   c->leave);
  ck_assert_msg(strstr(why, c->why_has), "'%s' lacks '%s'", why, c->why_has);
}
END_TEST

START_TEST(quorum_guard_orders_simultaneous_stops)
{
  /* s-1 and s-0 stop at once: s-1 counts s-0 (it waits for s-1), s-0 does
   * not count s-1 (it goes first). */
  ck_assert(guard_counts_voter(true, true, 0, 1));
  ck_assert(!guard_counts_voter(true, true, 1, 0));
  ck_assert(guard_counts_voter(true, false, 2, 0));
  ck_assert(!guard_counts_voter(false, false, 2, 0));
}
END_TEST

START_TEST(remove_mode_names)
{
  enum remove_mode m;

  ck_assert_int_eq(remove_mode_parse("always", &m), 0);
  ck_assert_int_eq(m, REMOVE_ALWAYS);
  ck_assert_int_eq(remove_mode_parse("auto", &m), 0);
  ck_assert_int_eq(m, REMOVE_AUTO);
  ck_assert_int_eq(remove_mode_parse("sometimes", &m), -1);
}
END_TEST

/* ---- argv ---- */

START_TEST(server_argv_full)
{
  const char *peers[] = {"s-0.s.ns.svc.cluster.local",
                         "s-1.s.ns.svc.cluster.local",
                         "s-2.s.ns.svc.cluster.local"};
  char *extra[] = {"--log-level=debug", "--tag", "zone=a"};
  struct server_argv_params p = {"/usr/local/bin/dkron",
                                 "s-1",
                                 "s-1.s.ns.svc.cluster.local",
                                 "10.1.0.7",
                                 8946,
                                 6868,
                                 8080,
                                 "/data",
                                 "/data/dkron-k8s.json",
                                 peers,
                                 3,
                                 "5s",
                                 3,
                                 extra,
                                 3};
  struct dk_err err;
  char **argv = server_argv_build(&p, &err);
  char *line;

  ck_assert_ptr_nonnull(argv);
  line = argv_join(argv);
  ck_assert_str_eq(
    line, "/usr/local/bin/dkron agent --server --node-name=s-1 "
          "--bind-addr=10.1.0.7:8946 --advertise-addr=10.1.0.7:8946 "
          "--http-addr=:8080 --rpc-port=6868 --data-dir=/data "
          "--config=/data/dkron-k8s.json "
          "--retry-join=s-0.s.ns.svc.cluster.local:8946 "
          "--retry-join=s-2.s.ns.svc.cluster.local:8946 --retry-interval=5s "
          "--bootstrap-expect=3 --log-level=debug --tag zone=a");
  free(line);
  argv_free(argv);
}
END_TEST

START_TEST(server_argv_without_bootstrap_ipv6)
{
  const char *peers[] = {"s-0.x", "fd00::5"};
  struct server_argv_params p = {"dkron", "s-0", "s-0.x", "fd00::5", 7946,
                                 6868,    8080,  "d",     NULL,      peers,
                                 2,       NULL,  0,       NULL,      0};
  struct dk_err err;
  char **argv = server_argv_build(&p, &err);
  char *line;

  ck_assert_ptr_nonnull(argv);
  line = argv_join(argv);
  ck_assert_msg(strstr(line, "--bind-addr=[fd00::5]:7946"), "%s", line);
  ck_assert_msg(!strstr(line, "--retry-join"), "joins itself: %s", line);
  ck_assert_msg(!strstr(line, "--bootstrap-expect"), "%s", line);
  free(line);
  argv_free(argv);
}
END_TEST

static const char *const refused_extra[] = {"--retry-max=3",
                                            "--node-name=x",
                                            "--bootstrap-expect=1",
                                            "--data-dir",
                                            "--retry-join=other",
                                            "--server",
                                            "--config=/etc/dkron/dkron.yml"};

START_TEST(server_argv_refuses_owned_flags)
{
  char *extra[] = {"--log-level=info", (char *)refused_extra[_i]};
  struct server_argv_params p = {"dkron", "s-0", NULL, "10.0.0.1", 8946,
                                 6868,    8080,  "d",  NULL,       NULL,
                                 0,       NULL,  0,    extra,      2};
  struct dk_err err;

  dk_err_clear(&err);
  ck_assert_ptr_null(server_argv_build(&p, &err));
  ck_assert_int_eq(err.code, DK_EINVAL);
  ck_assert_msg(strstr(err.msg, "is not allowed") && strstr(err.msg, "remove"),
                "%s", err.msg);
}
END_TEST

/* ---- leader label ---- */

START_TEST(label_patches_only_on_change)
{
  struct label_state s;

  label_init(&s);
  /* First observation always patches: the pod may carry a stale label. */
  ck_assert_int_eq(label_observe(&s, ISLEADER_NO, 0), ROLE_FOLLOWER);
  label_patched(&s, ROLE_FOLLOWER, PATCH_OK, 0);
  ck_assert_int_eq(label_observe(&s, ISLEADER_NO, 1000), ROLE_UNKNOWN);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 2000), ROLE_LEADER);
  label_patched(&s, ROLE_LEADER, PATCH_OK, 2000);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 3000), ROLE_UNKNOWN);
  /* Demoted leader loses the label (the 2020 sidecar never did). */
  ck_assert_int_eq(label_observe(&s, ISLEADER_NO, 4000), ROLE_FOLLOWER);
}
END_TEST

START_TEST(label_errors_keep_then_demote)
{
  struct label_state s;

  label_init(&s);
  label_observe(&s, ISLEADER_YES, 0);
  label_patched(&s, ROLE_LEADER, PATCH_OK, 0);
  for (int i = 1; i < LABEL_MAX_ERRORS; i++)
    ck_assert_int_eq(label_observe(&s, ISLEADER_ERROR, i * 1000), ROLE_UNKNOWN);
  ck_assert_int_eq(label_observe(&s, ISLEADER_ERROR, 9000), ROLE_FOLLOWER);
}
END_TEST

START_TEST(label_refused_patch_backs_off_with_jitter)
{
  struct label_state s;
  long prev = 0;

  label_init(&s);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 0), ROLE_LEADER);
  label_patched(&s, ROLE_LEADER, PATCH_REFUSED, 0); /* next in [500, 1000] */
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 499), ROLE_UNKNOWN);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 1000), ROLE_LEADER);
  label_patched(&s, ROLE_LEADER, PATCH_REFUSED, 1000); /* [2000, 3000] */
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 1999), ROLE_UNKNOWN);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 3000), ROLE_LEADER);
  for (long t = 3000; t < 600000; t += 1000) {
    if (label_observe(&s, ISLEADER_YES, t) == ROLE_LEADER) {
      label_patched(&s, ROLE_LEADER, PATCH_REFUSED, t);
      ck_assert_int_ge(s.next_patch_ms - t, s.backoff_ms / 2);
      ck_assert_int_le(s.next_patch_ms - t, s.backoff_ms);
    }
  }
  ck_assert_int_eq(s.backoff_ms, LABEL_BACKOFF_MAX_MS);
  /* the delays are spread: two wrappers failing together differ */
  {
    struct label_state a, b;
    int differ = 0;

    label_init(&a);
    label_init(&b);
    a.backoff.rng = 1;
    b.backoff.rng = 2;
    for (int i = 0; i < 8; i++) {
      label_patched(&a, ROLE_LEADER, PATCH_REFUSED, 0);
      label_patched(&b, ROLE_LEADER, PATCH_REFUSED, 0);
      differ += a.next_patch_ms != b.next_patch_ms;
      prev = a.next_patch_ms;
    }
    ck_assert_int_gt(differ, 0);
    ck_assert_int_gt(prev, 0);
  }
  label_patched(&s, ROLE_LEADER, PATCH_OK, 600000);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, 600001), ROLE_UNKNOWN);
}
END_TEST

/* While the API server does not answer, the patch is tried again within
 * LABEL_RETRY_MS, however long the outage: the label is right again as
 * soon as it answers (issue: 15-18 s after an API restart before). */
START_TEST(label_unanswered_patch_retries_soon)
{
  struct label_state s;
  long t = 0;

  label_init(&s);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, t), ROLE_LEADER);
  for (int i = 0; i < 60; i++) { /* a minute of outage, a try each second */
    label_patched(&s, ROLE_LEADER, PATCH_NO_ANSWER, t);
    ck_assert_int_eq(s.backoff_ms, 0);
    ck_assert_int_le(s.next_patch_ms - t, LABEL_RETRY_MS);
    t += 1000;
    ck_assert_int_eq(label_observe(&s, ISLEADER_YES, t), ROLE_LEADER);
  }
  label_patched(&s, ROLE_LEADER, PATCH_OK, t);
  ck_assert_int_eq(label_observe(&s, ISLEADER_YES, t + 1), ROLE_UNKNOWN);
}
END_TEST

START_TEST(label_shutdown_sets_follower)
{
  struct label_state s;

  label_init(&s);
  label_observe(&s, ISLEADER_YES, 0);
  label_patched(&s, ROLE_LEADER, PATCH_OK, 0);
  ck_assert_int_eq(label_shutdown(&s), ROLE_FOLLOWER);
  label_patched(&s, ROLE_FOLLOWER, PATCH_OK, 1);
  ck_assert_int_eq(label_shutdown(&s), ROLE_UNKNOWN);
}
END_TEST

/* ---- dead peers ---- */

/* The Kubernetes client's interrupt: a budget that has run out stops the
 * call; no budget and no pending stop signal lets it run. */
START_TEST(api_budget_stops_calls_once_spent)
{
  struct wrapper w;

  memset(&w, 0, sizeof(w));
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
  w.api_deadline = clock_ms() + 60000;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
  w.api_deadline = clock_ms() - 1;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 1);
  w.api_deadline = 0;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
}
END_TEST

START_TEST(dead_peer_waits_for_threshold)
{
  struct raft_peer_view peers[] = {
    {"s-0", true}, {"s-1", true}, {"s-2", true}, {"s-3", true}};
  struct member_view members[] = {
    {"s-0", 1}, {"s-1", 1}, {"s-2", 1}, {"s-3", 4}};
  struct dead_peer_params p = {"s", 3, "s-0", 30000, 0};
  struct dead_peer_tracker t;
  char why[256];

  dead_peers_init(&t);
  ck_assert_ptr_null(
    dead_peers_select(&t, &p, peers, 4, members, 4, why, sizeof(why)));
  p.now_ms = 29999;
  ck_assert_ptr_null(
    dead_peers_select(&t, &p, peers, 4, members, 4, why, sizeof(why)));
  p.now_ms = 30000;
  ck_assert_str_eq(
    dead_peers_select(&t, &p, peers, 4, members, 4, why, sizeof(why)), "s-3");
  ck_assert_msg(strstr(why, "failed for 30 s"), "%s", why);
  dead_peers_free(&t);
}
END_TEST

START_TEST(dead_peer_alive_again_resets_clock)
{
  struct raft_peer_view peers[] = {{"s-0", true}, {"s-3", true}};
  struct member_view dead[] = {{"s-0", 1}, {"s-3", 3}};
  struct member_view alive[] = {{"s-0", 1}, {"s-3", 1}};
  struct dead_peer_params p = {"s", 1, "s-0", 10000, 0};
  struct dead_peer_tracker t;
  char why[256];

  dead_peers_init(&t);
  dead_peers_select(&t, &p, peers, 2, dead, 2, why, sizeof(why));
  p.now_ms = 8000;
  dead_peers_select(&t, &p, peers, 2, alive, 2, why, sizeof(why));
  p.now_ms = 12000;
  ck_assert_ptr_null(
    dead_peers_select(&t, &p, peers, 2, dead, 2, why, sizeof(why)));
  p.now_ms = 22000;
  ck_assert_ptr_nonnull(
    dead_peers_select(&t, &p, peers, 2, dead, 2, why, sizeof(why)));
  dead_peers_free(&t);
}
END_TEST

START_TEST(dead_peer_never_desired_or_self)
{
  struct raft_peer_view peers[] = {
    {"s-0", true}, {"s-1", true}, {"s-2", true}, {"other-0", true}};
  struct member_view members[] = {{"s-0", 4}, {"s-2", 4}};
  struct dead_peer_params p = {"s", 3, "other-0", 1000, 0};
  struct dead_peer_tracker t;
  char why[256];

  dead_peers_init(&t);
  dead_peers_select(&t, &p, peers, 4, members, 2, why, sizeof(why));
  p.now_ms = 100000;
  /* s-0..2 are desired (failed or absent but they should exist), and
   * other-0 is ourselves. */
  ck_assert_ptr_null(
    dead_peers_select(&t, &p, peers, 4, members, 2, why, sizeof(why)));
  dead_peers_free(&t);
}
END_TEST

START_TEST(dead_peer_quorum_guard)
{
  /* Desired 3, but only s-0 and two stale peers are voters: removing one
   * would leave 2 voters, which is still >= quorum 2 — allowed; the next
   * would leave 1 < 2 — refused. */
  struct raft_peer_view three[] = {{"s-0", true}, {"s-3", true}, {"s-4", true}};
  struct raft_peer_view two[] = {{"s-0", true}, {"s-4", true}};
  struct member_view members[] = {{"s-0", 1}};
  struct dead_peer_params p = {"s", 3, "s-0", 1000, 0};
  struct dead_peer_tracker t;
  char why[256];

  dead_peers_init(&t);
  dead_peers_select(&t, &p, three, 3, members, 1, why, sizeof(why));
  p.now_ms = 5000;
  ck_assert_str_eq(
    dead_peers_select(&t, &p, three, 3, members, 1, why, sizeof(why)), "s-3");
  ck_assert_ptr_null(
    dead_peers_select(&t, &p, two, 2, members, 1, why, sizeof(why)));
  ck_assert_msg(strstr(why, "below the quorum of 2 for 3 replicas"), "%s", why);
  dead_peers_free(&t);
}
END_TEST

START_TEST(desired_names)
{
  ck_assert(dead_peers_is_desired("dkron-server", 3, "dkron-server-0"));
  ck_assert(dead_peers_is_desired("dkron-server", 3, "dkron-server-2"));
  ck_assert(!dead_peers_is_desired("dkron-server", 3, "dkron-server-3"));
  ck_assert(!dead_peers_is_desired("dkron-server", 3, "dkron-server-x"));
  ck_assert(!dead_peers_is_desired("dkron-server", 3, "dkron-server-1a"));
  ck_assert(!dead_peers_is_desired("dkron", 3, "dkron-server-1"));
  ck_assert(!dead_peers_is_desired("dkron-server", 3, "dkron-server--1"));
}
END_TEST

/* ---- configuration ---- */

static const char *const wrapper_env[] = {"INITIAL_CLUSTER_SIZE",
                                          "INITIAL_CLUSTER_SUZE",
                                          "STATEFULSET_NAME",
                                          "HEADLESS_SERVICE",
                                          "WRAPPER_SERVICE_NAME",
                                          "WRAPPER_RETRY_INTERVAL",
                                          "WRAPPER_RETRY_JOIN_INTERVAL",
                                          "POD_NAME",
                                          "POD_NAMESPACE",
                                          "POD_IP",
                                          "CLUSTER_DOMAIN"};

static void clear_wrapper_env(void)
{
  for (size_t i = 0; i < sizeof(wrapper_env) / sizeof(wrapper_env[0]); i++)
    unsetenv(wrapper_env[i]);
}

/* Runs wrapper_config_load with stderr captured into out; the exit code,
 * or -1 when the program goes on. */
static int load_captured(struct wrapper_config *cfg, int argc, char **argv,
                         char *out, size_t len)
{
  int fds[2], saved = dup(STDERR_FILENO);
  struct step s;
  ssize_t n;

  ck_assert_int_eq(pipe(fds), 0);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  s = wrapper_config_load(cfg, argc, argv);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  n = read(fds[0], out, len - 1);
  close(fds[0]);
  out[n < 0 ? 0 : n] = '\0';
  return step_goes_on(s) ? -1 : s.exit_code;
}

START_TEST(config_derives_peers)
{
  char *argv[] = {"w", "--pod-name=dkron-server-1", NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  setenv("INITIAL_CLUSTER_SIZE", "3", 1);
  setenv("POD_NAMESPACE", "jobs", 1);
  setenv("POD_IP", "10.244.0.11", 1);
  ck_assert_int_eq(load_captured(&cfg, 2, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(cfg.statefulset, "dkron-server");
  ck_assert_str_eq(cfg.service, "dkron-server");
  ck_assert_int_eq(cfg.ordinal, 1);
  ck_assert_uint_eq(cfg.n_peers, 2);
  ck_assert_str_eq(cfg.peers[0],
                   "dkron-server-0.dkron-server.jobs.svc.cluster.local");
  ck_assert_str_eq(cfg.peers[1],
                   "dkron-server-2.dkron-server.jobs.svc.cluster.local");
  ck_assert_str_eq(cfg.self_fqdn,
                   "dkron-server-1.dkron-server.jobs.svc.cluster.local");
  ck_assert_int_eq(cfg.remove_mode, REMOVE_AUTO);
  wrapper_config_free(&cfg);
  clear_wrapper_env();
}
END_TEST

/* The env names that follow their flags, and the older names the chart
 * and existing manifests set, which keep working. */
START_TEST(config_reads_the_older_env_names)
{
  char *argv[] = {"w", "--pod-name=dkron-server-1", NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  setenv("INITIAL_CLUSTER_SIZE", "2", 1);
  setenv("POD_NAMESPACE", "jobs", 1);
  setenv("POD_IP", "10.244.0.11", 1);
  setenv("HEADLESS_SERVICE", "old-svc", 1);
  setenv("WRAPPER_RETRY_INTERVAL", "2s", 1);
  ck_assert_int_eq(load_captured(&cfg, 2, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(cfg.service, "old-svc");
  ck_assert_str_eq(cfg.retry_interval, "2s");
  ck_assert_str_eq(cfg.peers[0],
                   "dkron-server-0.old-svc.jobs.svc.cluster.local");
  wrapper_config_free(&cfg);

  setenv("WRAPPER_SERVICE_NAME", "new-svc", 1);
  setenv("WRAPPER_RETRY_JOIN_INTERVAL", "3s", 1);
  ck_assert_int_eq(load_captured(&cfg, 2, argv, out, sizeof(out)), -1);
  ck_assert_str_eq(cfg.service, "new-svc");
  ck_assert_str_eq(cfg.retry_interval, "3s");
  wrapper_config_free(&cfg);
  clear_wrapper_env();
}
END_TEST

struct config_error_case {
  const char *env[4][2];
  const char *arg;
  const char *expect;
};

static const struct config_error_case config_errors[] = {
  {{{"INITIAL_CLUSTER_SUZE", "3"}, {"POD_IP", "10.0.0.1"}},
   NULL,
   "INITIAL_CLUSTER_SUZE=\"3\" is: that name is misspelt (SUZE); rename it "
   "to INITIAL_CLUSTER_SIZE"},
  {{{"POD_IP", "10.0.0.1"}},
   NULL,
   "INITIAL_CLUSTER_SIZE (--initial-cluster-size) is not set"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}}, NULL, "POD_IP is not set"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.300"}},
   NULL,
   "POD_IP \"10.0.0.300\" is not an IP address"},
  {{{"INITIAL_CLUSTER_SIZE", "3"},
    {"POD_IP", "10.0.0.1"},
    {"STATEFULSET_NAME", "dkron"}},
   NULL,
   "pod name \"dkron-server-1\" is not \"dkron-<ordinal>\""},
  {{{"INITIAL_CLUSTER_SIZE", "0"}}, NULL, "expected an integer from 1 to 99"},
  {{{"INITIAL_CLUSTER_SIZE", "3"}, {"POD_IP", "10.0.0.1"}},
   "--remove-on-exit=never",
   "expected one of: auto always"},
};

START_TEST(config_errors_are_explained)
{
  const struct config_error_case *c = &config_errors[_i];
  char *argv[] = {"w", "--pod-name=dkron-server-1", "--pod-namespace=ns",
                  (char *)c->arg, NULL};
  struct wrapper_config cfg;
  char out[1024];

  clear_wrapper_env();
  for (size_t i = 0; i < 4 && c->env[i][0]; i++)
    setenv(c->env[i][0], c->env[i][1], 1);
  ck_assert_int_eq(load_captured(&cfg, c->arg ? 4 : 3, argv, out, sizeof(out)),
                   2);
  ck_assert_msg(strstr(out, c->expect), "case %d: '%s' lacks '%s'", _i, out,
                c->expect);
  clear_wrapper_env();
}
END_TEST

START_TEST(config_help_documents_every_env)
{
  char *argv[] = {"w", "--help", NULL};
  struct wrapper_config cfg;
  char buf[16384];
  int fds[2], saved = dup(STDOUT_FILENO);
  ssize_t n, total = 0;

  ck_assert_int_eq(pipe(fds), 0);
  dup2(fds[1], STDOUT_FILENO);
  close(fds[1]);
  ck_assert_int_eq(wrapper_config_load(&cfg, 2, argv).kind, STEP_STOP_CLEANLY);
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  while ((n = read(fds[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
    total += n;
  close(fds[0]);
  buf[total] = '\0';
  for (size_t i = 0; i < sizeof(wrapper_env) / sizeof(wrapper_env[0]); i++) {
    if (strcmp(wrapper_env[i], "INITIAL_CLUSTER_SUZE") == 0)
      continue;
    ck_assert_msg(strstr(buf, wrapper_env[i]), "--help lacks %s",
                  wrapper_env[i]);
  }
  ck_assert_ptr_nonnull(strstr(buf, "--remove-on-exit=CHOICE"));
}
END_TEST

/* ---- readiness: a working voter ---- */

struct readiness_case {
  const char *what;
  struct readiness_facts f;
  bool ready;
  const char *text_has;
};

#define SELF  "s-1", "10.0.0.7", "10.0.0.7:6868"
#define VOTER "s-0", NULL, true, "10.0.0.7:6868", true
static const struct readiness_case readiness_cases[] = {
  {"all holds",
   {SELF, true, VOTER, NULL, DKRON_ALIVE, "10.0.0.7"},
   true,
   "a voter at 10.0.0.7:6868 (leader s-0)"},
  {"api down",
   {SELF, false, NULL, NULL, false, NULL, false, NULL, 0, NULL},
   false,
   "HTTP API does not answer"},
  {"no leader",
   {SELF, true, NULL, NULL, false, NULL, false, NULL, 0, NULL},
   false,
   "no leader known"},
  {"config unreadable",
   {SELF, true, "s-0", "timed out", false, NULL, false, NULL, 0, NULL},
   false,
   "cannot read the Raft configuration of the leader s-0: timed out"},
  {"not listed (removed after its leave)",
   {SELF, true, "s-0", NULL, false, NULL, false, NULL, 0, NULL},
   false,
   "not in the Raft configuration of the leader s-0"},
  {"listed at the old address",
   {SELF, true, "s-0", NULL, true, "10.0.0.3:6868", true, NULL, DKRON_ALIVE,
    "10.0.0.7"},
   false,
   "at 10.0.0.3:6868, not at its current address 10.0.0.7:6868"},
  {"non-voter",
   {SELF, true, "s-0", NULL, true, "10.0.0.7:6868", false, NULL, DKRON_ALIVE,
    "10.0.0.7"},
   false,
   "a non-voter"},
  {"members unreadable",
   {SELF, true, VOTER, "refused", 0, NULL},
   false,
   "cannot read the Serf members of the leader s-0: refused"},
  {"absent from serf",
   {SELF, true, VOTER, NULL, DKRON_NONE, NULL},
   false,
   "does not list this server as a Serf member"},
  {"failed in serf",
   {SELF, true, VOTER, NULL, DKRON_FAILED, "10.0.0.7"},
   false,
   "Serf member as failed"},
  {"serf at another address",
   {SELF, true, VOTER, NULL, DKRON_ALIVE, "10.0.0.3"},
   false,
   "Serf member at 10.0.0.3, not at 10.0.0.7"},
};
#undef SELF
#undef VOTER

START_TEST(readiness_table)
{
  const struct readiness_case *c = &readiness_cases[_i];
  char text[256];

  ck_assert_msg(readiness_judge(&c->f, text, sizeof(text)) == c->ready,
                "%s: wrong verdict (%s)", c->what, text);
  ck_assert_msg(strstr(text, c->text_has), "%s: '%s' lacks '%s'", c->what, text,
                c->text_has);
}
END_TEST

/* ---- hand-over: which follower becomes the leader ---- */

static void rank_names(struct handover_candidate *c, size_t n, long self,
                       char *out, size_t len)
{
  size_t k = handover_rank(c, n, self);

  out[0] = '\0';
  for (size_t i = 0; i < k; i++)
    snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "",
             c[i].name);
}

START_TEST(handover_prefers_updated_then_last_restarted)
{
  char got[128];
  /* 5 servers, the leader s-2 is restarted: s-3 and s-4 are already
   * updated (a rollout goes from the top); s-1 is down. */
  struct handover_candidate five[] = {{"s-0", 0, "10.0.0.1", true},
                                      {"s-1", 1, "10.0.0.2", false},
                                      {"s-3", 3, "10.0.0.4", true},
                                      {"s-4", 4, "10.0.0.5", true}};
  /* 3 servers, the leader is the highest ordinal: nobody is updated yet;
   * the lowest ordinal is restarted last. */
  struct handover_candidate top[] = {{"s-1", 1, "10.0.0.2", true},
                                     {"s-0", 0, "10.0.0.1", true}};
  struct handover_candidate none[] = {{"s-0", 0, "10.0.0.1", false}};

  rank_names(five, 4, 2, got, sizeof(got));
  ck_assert_str_eq(got, "s-4 s-3 s-0");
  rank_names(top, 2, 2, got, sizeof(got));
  ck_assert_str_eq(got, "s-0 s-1");
  rank_names(none, 1, 1, got, sizeof(got));
  ck_assert_str_eq(got, "");
}
END_TEST

/* ---- dkron's config file ---- */

START_TEST(dkron_config_file_sets_the_reconcile_interval)
{
  char dir[] = "/tmp/dkron-config-XXXXXX", path[256], text[512];
  struct dk_err err;
  FILE *f;
  size_t n;

  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/data/" DKRON_CONFIG_NAME, dir);
  dk_err_clear(&err);
  ck_assert_int_eq(dkron_config_write(path, 2000, &err), DK_OK);
  f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = '\0';
  ck_assert_msg(strstr(text, "\"reconcileinterval\": \"2000ms\""), "%s", text);
  /* rewritten, not appended, at the next start */
  ck_assert_int_eq(dkron_config_write(path, 5000, &err), DK_OK);
  f = fopen(path, "r");
  n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = '\0';
  ck_assert_msg(strstr(text, "5000ms") && !strstr(text, "2000ms"), "%s", text);
  unlink(path);
  snprintf(path, sizeof(path), "%s/data", dir);
  rmdir(path);
  rmdir(dir);
  /* an unwritable place is named */
  ck_assert_int_eq(
    dkron_config_write("/proc/no-such-dir/dkron-k8s.json", 2000, &err), DK_EIO);
  ck_assert_msg(strstr(err.msg, "/proc/no-such-dir/dkron-k8s.json"), "%s",
                err.msg);
}
END_TEST

Suite *make_wrapper_suite(void)
{
  Suite *s = suite_create("wrapper");
  TCase *tc = tcase_create("decisions");

  tcase_add_loop_test(
    tc, bootstrap_decision_table, 0,
    (int)(sizeof(bootstrap_cases) / sizeof(bootstrap_cases[0])));
  tcase_add_test(tc, bootstrap_reason_names_every_peer);
  tcase_add_test(tc, raft_state_detection);
  tcase_add_loop_test(
    tc, shutdown_decision_table, 0,
    (int)(sizeof(shutdown_cases) / sizeof(shutdown_cases[0])));
  tcase_add_test(tc, remove_mode_names);
  tcase_add_test(tc, quorum_guard_orders_simultaneous_stops);
  tcase_add_loop_test(tc, quorum_guard_table, 0,
                      (int)(sizeof(quorum_cases) / sizeof(quorum_cases[0])));
  tcase_add_test(tc, server_argv_full);
  tcase_add_test(tc, server_argv_without_bootstrap_ipv6);
  tcase_add_loop_test(tc, server_argv_refuses_owned_flags, 0,
                      (int)(sizeof(refused_extra) / sizeof(refused_extra[0])));
  tcase_add_test(tc, label_patches_only_on_change);
  tcase_add_test(tc, label_errors_keep_then_demote);
  tcase_add_test(tc, label_refused_patch_backs_off_with_jitter);
  tcase_add_test(tc, label_unanswered_patch_retries_soon);
  tcase_add_test(tc, label_shutdown_sets_follower);
  tcase_add_test(tc, api_budget_stops_calls_once_spent);
  tcase_add_test(tc, dead_peer_waits_for_threshold);
  tcase_add_test(tc, dead_peer_alive_again_resets_clock);
  tcase_add_test(tc, dead_peer_never_desired_or_self);
  tcase_add_test(tc, dead_peer_quorum_guard);
  tcase_add_test(tc, desired_names);
  tcase_add_test(tc, config_derives_peers);
  tcase_add_test(tc, config_reads_the_older_env_names);
  tcase_add_loop_test(tc, config_errors_are_explained, 0,
                      (int)(sizeof(config_errors) / sizeof(config_errors[0])));
  tcase_add_test(tc, config_help_documents_every_env);
  tcase_add_loop_test(
    tc, readiness_table, 0,
    (int)(sizeof(readiness_cases) / sizeof(readiness_cases[0])));
  tcase_add_test(tc, handover_prefers_updated_then_last_restarted);
  tcase_add_test(tc, dkron_config_file_sets_the_reconcile_interval);
  suite_add_tcase(s, tc);
  return s;
}
