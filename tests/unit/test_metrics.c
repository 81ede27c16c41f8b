/* test_metrics.c: the Prometheus text exposition: the exact text for a
 * known state, label and help escaping, counters that only go up, the
 * series cap, age gauges, and updates from several threads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metrics.h"
#include "tests.h"

static char *render(struct metrics *m)
{
  struct dynbuf b;
  char *s;

  dynbuf_init(&b, 1 << 20);
  ck_assert_int_eq(metrics_render(m, &b), DK_OK);
  s = dynbuf_take(&b, NULL);
  ck_assert_ptr_nonnull(s);
  return s;
}

START_TEST(exposition_of_a_known_state)
{
  struct metrics *m = metrics_new();
  struct metric *req =
    metrics_add(m, METRIC_COUNTER, "dkron_k8s_api_requests_total",
                "Kubernetes API requests.", "verb,code");
  struct metric *leader = metrics_add(m, METRIC_GAUGE, "dkron_k8s_leader",
                                      "1 while this server leads.", NULL);
  struct metric *changes =
    metrics_add(m, METRIC_COUNTER, "dkron_k8s_leader_changes_total",
                "Leadership changes seen.", "");
  char *text;

  metric_inc(req, (const char *[]){"GET", "200"});
  metric_inc(req, (const char *[]){"PATCH", "403"});
  metric_add(req, (const char *[]){"GET", "200"}, 2);
  metric_set(leader, NULL, 1);
  ck_assert_ptr_nonnull(changes); /* declared, never bumped: still a 0 */
  text = render(m);
  ck_assert_str_eq(text,
                   "# HELP dkron_k8s_api_requests_total Kubernetes API "
                   "requests.\n"
                   "# TYPE dkron_k8s_api_requests_total counter\n"
                   "dkron_k8s_api_requests_total{verb=\"GET\",code=\"200\"} 3\n"
                   "dkron_k8s_api_requests_total{verb=\"PATCH\",code=\"403\"} "
                   "1\n"
                   "# HELP dkron_k8s_leader 1 while this server leads.\n"
                   "# TYPE dkron_k8s_leader gauge\n"
                   "dkron_k8s_leader 1\n"
                   "# HELP dkron_k8s_leader_changes_total Leadership changes "
                   "seen.\n"
                   "# TYPE dkron_k8s_leader_changes_total counter\n"
                   "dkron_k8s_leader_changes_total 0\n");
  free(text);
  metrics_free(m);
}
END_TEST

START_TEST(labels_and_help_are_escaped)
{
  struct metrics *m = metrics_new();
  struct metric *info =
    metrics_add(m, METRIC_GAUGE, "x_info", "a \\ back\nslash", "reason");
  char *text;

  metric_set(info, (const char *[]){"say \"hi\"\\\nbye"}, 1);
  metric_set(info, (const char *[]){NULL}, 0.25);
  text = render(m);
  ck_assert_str_eq(text, "# HELP x_info a \\\\ back\\nslash\n"
                         "# TYPE x_info gauge\n"
                         "x_info{reason=\"say \\\"hi\\\"\\\\\\nbye\"} 1\n"
                         "x_info{reason=\"\"} 0.25\n");
  free(text);
  metrics_free(m);
}
END_TEST

START_TEST(counters_only_go_up)
{
  struct metrics *m = metrics_new();
  struct metric *c = metrics_add(m, METRIC_COUNTER, "c_total", "c", NULL);

  metric_add(c, NULL, 5);
  metric_add(c, NULL, -3); /* ignored */
  metric_set(c, NULL, 0);  /* not a gauge: ignored */
  metric_touch(c, NULL);   /* not an age: ignored */
  ck_assert(metric_value(c, NULL) == 5.0);
  metric_inc(c, NULL);
  ck_assert(metric_value(c, NULL) == 6.0);
  metrics_free(m);
}
END_TEST

START_TEST(bad_names_and_null_handles)
{
  struct metrics *m = metrics_new();
  char *text;

  ck_assert_ptr_null(metrics_add(m, METRIC_GAUGE, "9lives", "h", NULL));
  ck_assert_ptr_null(metrics_add(m, METRIC_GAUGE, "has-dash", "h", NULL));
  ck_assert_ptr_null(metrics_add(m, METRIC_GAUGE, "ok", "h", "a,b-c"));
  ck_assert_ptr_null(metrics_add(m, METRIC_GAUGE, "ok", "h", "__reserved"));
  ck_assert_ptr_null(metrics_add(m, METRIC_GAUGE, "ok", "h", "a,b,c,d,e"));
  ck_assert_ptr_null(metrics_add(NULL, METRIC_GAUGE, "ok", "h", NULL));
  metric_inc(NULL, NULL); /* nothing happens */
  metric_set(NULL, NULL, 1);
  ck_assert(metric_value(NULL, NULL) == 0.0);
  text = render(m);
  ck_assert_str_eq(text, "");
  free(text);
  metrics_free(m);
  metrics_free(NULL);
}
END_TEST

START_TEST(series_are_capped)
{
  struct metrics *m = metrics_new();
  struct metric *f = metrics_add(m, METRIC_COUNTER, "f_total", "f", "code");
  char code[16];
  char *text;
  size_t lines = 0;

  for (int i = 0; i < METRICS_MAX_SERIES + 10; i++) {
    snprintf(code, sizeof(code), "%d", i);
    metric_inc(f, (const char *[]){code});
  }
  ck_assert(metric_value(f, (const char *[]){"0"}) == 1.0);
  ck_assert(metric_value(f, (const char *[]){"70"}) == 0.0);
  text = render(m);
  for (const char *p = text; (p = strchr(p, '\n')); p++)
    lines++;
  ck_assert_uint_eq(lines, 2 + METRICS_MAX_SERIES);
  free(text);
  metrics_free(m);
}
END_TEST

START_TEST(age_gauge_counts_from_the_last_touch)
{
  struct metrics *m = metrics_new();
  struct metric *a = metrics_add(m, METRIC_AGE, "a_seconds", "age", NULL);
  char *text;
  double v;

  text = render(m);
  ck_assert_str_eq(text, "# HELP a_seconds age\n# TYPE a_seconds gauge\n");
  free(text);
  metric_touch(a, NULL);
  clock_sleep_ms(120);
  v = metric_value(a, NULL);
  ck_assert(v >= 0.1 && v < 0.1 + (double)test_ms(2000) / 1000.0);
  text = render(m);
  ck_assert_ptr_nonnull(strstr(text, "\na_seconds 0."));
  free(text);
  metrics_free(m);
}
END_TEST

static void *bump(void *arg)
{
  for (int i = 0; i < 10000; i++)
    metric_inc(arg, (const char *[]){i % 2 ? "odd" : "even"});
  return NULL;
}

START_TEST(updates_from_threads_are_not_lost)
{
  struct metrics *m = metrics_new();
  struct metric *f = metrics_add(m, METRIC_COUNTER, "n_total", "n", "kind");
  pthread_t t[4];
  char *text;

  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, bump, f), 0);
  for (int i = 0; i < 20; i++) { /* render meanwhile */
    text = render(m);
    free(text);
  }
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  ck_assert(metric_value(f, (const char *[]){"odd"}) == 20000.0);
  ck_assert(metric_value(f, (const char *[]){"even"}) == 20000.0);
  metrics_free(m);
}
END_TEST

Suite *make_metrics_suite(void)
{
  Suite *s = suite_create("metrics");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, exposition_of_a_known_state);
  tcase_add_test(tc, labels_and_help_are_escaped);
  tcase_add_test(tc, counters_only_go_up);
  tcase_add_test(tc, bad_names_and_null_handles);
  tcase_add_test(tc, series_are_capped);
  tcase_add_test(tc, age_gauge_counts_from_the_last_touch);
  tcase_add_test(tc, updates_from_threads_are_not_lost);
  suite_add_tcase(s, tc);
  return s;
}
