/* test_bootstrap.c: the bootstrap decision (bootstrap.c), table-driven:
 * --bootstrap-expect from the peers' answers, the Raft state and the
 * ordinal, the log line naming every peer, and what counts as Raft state
 * in the data dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "dkron.h"
#include "tests.h"
#include "wrapper_config.h"

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

Suite *make_bootstrap_suite(void)
{
  Suite *s = suite_create("bootstrap");
  TCase *tc = tcase_create("bootstrap");

  tcase_add_loop_test(
    tc, bootstrap_decision_table, 0,
    (int)(sizeof(bootstrap_cases) / sizeof(bootstrap_cases[0])));
  tcase_add_test(tc, bootstrap_reason_names_every_peer);
  tcase_add_test(tc, raft_state_detection);
  suite_add_tcase(s, tc);
  return s;
}
