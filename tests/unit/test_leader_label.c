/* test_leader_label.c: the leader label's decisions (leader_label.c): a
 * patch only on change, errors that keep the label then demote it, the
 * back-off after a refused patch and the quick retry of an unanswered one,
 * the follower label at shutdown. */
#include "leader_label.h"
#include "tests.h"

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

Suite *make_leader_label_suite(void)
{
  Suite *s = suite_create("leader_label");
  TCase *tc = tcase_create("leader_label");

  tcase_add_test(tc, label_patches_only_on_change);
  tcase_add_test(tc, label_errors_keep_then_demote);
  tcase_add_test(tc, label_refused_patch_backs_off_with_jitter);
  tcase_add_test(tc, label_unanswered_patch_retries_soon);
  tcase_add_test(tc, label_shutdown_sets_follower);
  suite_add_tcase(s, tc);
  return s;
}
