/* test_dead_peers.c: which Raft peer the leader removes (dead_peers.c):
 * only one failed for --dead-peer-after, never one the StatefulSet wants or
 * itself, and never below the quorum. */
#include <string.h>

#include "dead_peers.h"
#include "tests.h"

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

Suite *make_dead_peers_suite(void)
{
  Suite *s = suite_create("dead_peers");
  TCase *tc = tcase_create("dead_peers");

  tcase_add_test(tc, dead_peer_waits_for_threshold);
  tcase_add_test(tc, dead_peer_alive_again_resets_clock);
  tcase_add_test(tc, dead_peer_never_desired_or_self);
  tcase_add_test(tc, dead_peer_quorum_guard);
  tcase_add_test(tc, desired_names);
  suite_add_tcase(s, tc);
  return s;
}
