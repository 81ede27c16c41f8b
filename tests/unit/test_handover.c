/* test_handover.c: the hand-over's choice of successor (handover.c): an
 * updated follower first, then the one restarted last. */
#include <stdio.h>
#include <string.h>

#include "handover.h"
#include "tests.h"

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

Suite *make_handover_suite(void)
{
  Suite *s = suite_create("handover");
  TCase *tc = tcase_create("handover");

  tcase_add_test(tc, handover_prefers_updated_then_last_restarted);
  suite_add_tcase(s, tc);
  return s;
}
