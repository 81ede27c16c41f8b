/* test_backoff.c: exponential backoff with full jitter (backoff.h). */
#include <stdint.h>

#include "backoff.h"
#include "tests.h"

/* Each delay lies in [0, window]; the window doubles up to the cap and
 * starts over after a reset. */
START_TEST(delays_stay_in_a_doubling_capped_window)
{
  static const long windows[] = {100, 200, 400, 800, 1000, 1000, 1000};
  struct backoff b;

  backoff_init(&b, 100, 1000);
  for (int round = 0; round < 50; round++) {
    for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
      ck_assert_int_eq(b.current_ms, windows[i]);
      long d = backoff_next_ms(&b);
      ck_assert_msg(d >= 0 && d <= windows[i], "delay %ld, window %ld", d,
                    windows[i]);
    }
    backoff_reset(&b);
  }
  ck_assert_int_eq(b.current_ms, 100);
}
END_TEST

/* Full jitter: the delays spread over the whole window, they are not the
 * window itself nor clustered at one end. */
START_TEST(delays_spread_over_the_window)
{
  struct backoff b;
  int low = 0, high = 0, distinct = 0;
  long last = -1;

  backoff_init(&b, 1000, 1000);
  for (int i = 0; i < 1000; i++) {
    long d = backoff_next_ms(&b);
    low += d < 250;
    high += d > 750;
    distinct += d != last;
    last = d;
  }
  ck_assert_int_gt(low, 100);
  ck_assert_int_gt(high, 100);
  ck_assert_int_gt(distinct, 900);
}
END_TEST

/* Each struct has its own generator: the same seed replays the same
 * delays whatever other instances do, and fresh seeds differ. */
START_TEST(instances_share_no_state)
{
  struct backoff a, b, other;
  long first[20];

  backoff_init(&a, 1000, 1000);
  backoff_init(&b, 1000, 1000);
  ck_assert(a.rng != b.rng);
  a.rng = b.rng = 42;
  for (int i = 0; i < 20; i++)
    first[i] = backoff_next_ms(&a);
  backoff_init(&other, 1000, 1000);
  for (int i = 0; i < 20; i++) {
    backoff_next_ms(&other);
    ck_assert_int_eq(backoff_next_ms(&b), first[i]);
  }
}
END_TEST

/* A share of the window as jitter: equal jitter stays in the upper half
 * and spreads over it; no jitter is the window itself and leaves the
 * generator alone; out-of-range shares are clamped. */
START_TEST(partial_jitter_stays_in_its_share)
{
  static const long windows[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
  struct backoff b;
  int low = 0, high = 0;

  backoff_init(&b, 1000, 30000);
  for (int round = 0; round < 200; round++) {
    for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
      ck_assert_int_eq(backoff_window_ms(&b), windows[i]);
      long d = backoff_next_jitter_ms(&b, 0.5);
      ck_assert_msg(d >= windows[i] / 2 && d <= windows[i],
                    "delay %ld, window %ld", d, windows[i]);
      low += d < windows[i] * 5 / 8;
      high += d > windows[i] * 7 / 8;
    }
    backoff_reset(&b);
  }
  ck_assert_int_gt(low, 100);
  ck_assert_int_gt(high, 100);

  backoff_init(&b, 1000, 60000);
  b.rng = 7;
  for (long want = 1000; want <= 60000;
       want = want * 2 < 60000 ? want * 2 : 60000) {
    ck_assert_int_eq(backoff_next_jitter_ms(&b, 0.0), want);
    ck_assert_uint_eq(b.rng, 7);
    if (want == 60000)
      break;
  }
  ck_assert_int_eq(backoff_next_jitter_ms(&b, -1.0), 60000);
  for (int i = 0; i < 100; i++) {
    long d = backoff_next_jitter_ms(&b, 2.0);
    ck_assert(d >= 0 && d <= 60000);
  }
}
END_TEST

/* Bad bounds are made usable rather than dividing by zero. */
START_TEST(degenerate_bounds)
{
  struct backoff b;

  backoff_init(&b, 0, 0);
  ck_assert_int_eq(b.base_ms, 1);
  ck_assert_int_eq(b.cap_ms, 1);
  ck_assert_int_le(backoff_next_ms(&b), 1);
  backoff_init(&b, 500, 100);
  ck_assert_int_eq(b.cap_ms, 500);
  ck_assert_int_le(backoff_next_ms(&b), 500);
  ck_assert_int_eq(b.current_ms, 500);
}
END_TEST

Suite *make_backoff_suite(void)
{
  Suite *s = suite_create("backoff");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, delays_stay_in_a_doubling_capped_window);
  tcase_add_test(tc, delays_spread_over_the_window);
  tcase_add_test(tc, instances_share_no_state);
  tcase_add_test(tc, partial_jitter_stays_in_its_share);
  tcase_add_test(tc, degenerate_bounds);
  suite_add_tcase(s, tc);
  return s;
}
