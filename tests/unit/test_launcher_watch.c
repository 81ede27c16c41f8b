/* test_launcher_watch.c: the launcher's server watch against the fake API
 * server: list, then watch events (MODIFIED, BOOKMARK, ADDED, DELETED), an
 * ERROR 410 that forces a relist, and a watch resumed from the new list's
 * resourceVersion; relists that back off when a list cannot be watched. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "clock.h"
#include "fake_http.h"
#include "log.h"
#include "server_watch.h"
#include "log_capture.h"
#include "tests.h"

#define SELECTOR \
  "app.kubernetes.io/name=dkron,app.kubernetes.io/component=server"
#define PODS_PATH "/api/v1/namespaces/dkron/pods"

/* A server pod as the API returns it (trimmed to the fields that matter,
 * in their real places). */
#define POD(name, rv, ip, ready)                                               \
  "{\"metadata\":{\"name\":\"" name                                            \
  "\",\"namespace\":\"dkron\",\"uid\":\"u-" name                               \
  "\",\"resourceVersion\":\"" rv "\",\"labels\":{\"app.kubernetes.io/"         \
  "name\":\"dkron\",\"app.kubernetes.io/component\":\"server\"},\"ownerRefe"   \
  "rences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":"   \
  "\"dkron-server\",\"uid\":\"s1\",\"controller\":true}]},\"spec\":{\"nodeNa"  \
  "me\":\"node-a\",\"hostname\":\"" name "\",\"subdomain\":\"dkron-server\"}," \
  "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"s"  \
  "tatus\":\"" ready "\"}],\"hostIP\":\"10.0.0.1\",\"podIP\":\"" ip "\",\"po"  \
  "dIPs\":[{\"ip\":\"" ip "\"}]}}"

#define LIST(rv, items)                                                       \
  "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersi" \
  "on\":\"" rv "\"},\"items\":[" items "]}"

static const char *const stream1[] = {
  "{\"type\":\"MODIFIED\",\"object\":" POD("dkron-server-1", "101", "10.0.0.11",
                                           "True") "}\n",
  "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
  "\"metadata\":{\"resourceVersion\":\"150\"}}}\n",
  "{\"type\":\"ADDED\",\"object\":" POD(
    "dkron-server-2", "160", "10.0.0.12",
    "True") "}\n"
            "{\"type\":\"DELETED\",\"object\":" POD("dkron-server-0", "170",
                                                    "10.0.0.10", "True") "}\n",
  "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
  "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource "
  "version: 100 (200)\",\"reason\":\"Expired\",\"code\":410}}\n"};

static const char *const stream2[] = {
  "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
  "\"metadata\":{\"resourceVersion\":\"305\"}}}\n"};

static const struct fake_response pods_script[] = {
  {200,
   LIST("100", POD("dkron-server-0", "90", "10.0.0.10", "True") "," POD(
                 "dkron-server-1", "95", "10.0.0.11", "False")),
   NULL, NULL, 0, 0, NULL, 0, 0, 0},
  {200, NULL, NULL, NULL, 0, 0, stream1, 4, 50, 0},
  {200,
   LIST("300", POD("dkron-server-1", "101", "10.0.0.11", "True") "," POD(
                 "dkron-server-2", "160", "10.0.0.12",
                 "True") "," POD("dkron-server-3", "290", "10.0.0.13", "True")),
   NULL, NULL, 0, 0, NULL, 0, 0, 0},
  {200, NULL, NULL, NULL, 0, 0, stream2, 1, 10, 60000},
};

static char token_path[64];

static void write_token(void)
{
  FILE *f;

  snprintf(token_path, sizeof(token_path), "/tmp/launcher-token-XXXXXX");
  int fd = mkstemp(token_path);
  ck_assert_int_ge(fd, 0);
  f = fdopen(fd, "w");
  fputs("test-token-launcher\n", f);
  fclose(f);
}

/* Waits until the snapshot's join list reads `want` (space-joined). */
static bool wait_for_set(struct server_watch *w, const char *want,
                         struct live_snapshot *last)
{
  long long deadline = clock_ms() + 10000;

  while (clock_ms() < deadline) {
    char *got;
    bool same;

    live_snapshot_free(last);
    ck_assert_int_eq(server_watch_snapshot(w, last), 0);
    got = argv_join(last->join);
    same = got && strcmp(got, want) == 0;
    free(got);
    if (same)
      return true;
    usleep(20000);
  }
  return false;
}

START_TEST(watch_follows_events_and_relists_on_410)
{
  const struct fake_route routes[] = {{"GET", PODS_PATH, pods_script, 4}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct server_watch_opts opts = {.selector = SELECTOR,
                                   .namespace = "dkron",
                                   .require_ready = true,
                                   .serf_port = 8946};
  struct live_snapshot snap = {0};
  struct fake_request req;
  struct server_watch *w;
  struct dk_err err;
  long long stop_start;
  struct metrics *m = metrics_new();
  struct metric *requests =
    metrics_add(m, METRIC_COUNTER, "requests_total", "r", "verb,code");
  struct metric *relists =
    metrics_add(m, METRIC_COUNTER, "relists_total", "l", "reason");

  ck_assert_ptr_nonnull(fs);
  opts.api_requests = requests;
  opts.watch_relists = relists;
  write_token();
  opts.kube_api_url = fake_server_url(fs);
  opts.kube_token_file = token_path;
  w = server_watch_start(&opts, &err);
  ck_assert_ptr_nonnull(w);
  ck_assert_msg(
    wait_for_set(w, "10.0.0.11:8946 10.0.0.12:8946 10.0.0.13:8946", &snap),
    "live set never matched the relist");
  ck_assert(snap.listed);
  ck_assert(!snap.from_dns);
  ck_assert_uint_eq(snap.n, 3);
  ck_assert_str_eq(snap.ips[0], "10.0.0.11");
  ck_assert_uint_ge(snap.generation, 3);
  /* list, watch from 100, list again after the 410, watch from 300; the
   * second watch may open a little after the set is published */
  for (long long until = clock_ms() + 10000;
       fake_server_hits(fs, "GET", PODS_PATH) < 4 && clock_ms() < until;)
    usleep(20000);
  ck_assert_int_eq(fake_server_request(fs, 0, &req), 0);
  ck_assert_ptr_null(strstr(req.query, "watch="));
  ck_assert_ptr_nonnull(strstr(req.query, "labelSelector="));
  ck_assert_ptr_nonnull(strstr(req.authorization, "test-token-launcher"));
  ck_assert_int_eq(fake_server_request(fs, 1, &req), 0);
  ck_assert_msg(strstr(req.query, "watch=") &&
                  strstr(req.query, "resourceVersion=100") &&
                  strstr(req.query, "allowWatchBookmarks=true"),
                "%s", req.query);
  ck_assert_int_eq(fake_server_request(fs, 2, &req), 0);
  ck_assert_msg(!strstr(req.query, "watch="), "no relist after 410: %s",
                req.query);
  ck_assert_int_eq(fake_server_request(fs, 3, &req), 0);
  ck_assert_msg(strstr(req.query, "resourceVersion=300"), "%s", req.query);
  /* The watch is held open: stopping must not wait for it. */
  stop_start = clock_ms();
  server_watch_stop(w);
  ck_assert_int_lt(clock_ms() - stop_start, test_ms(5000));
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS_PATH), 4);
  /* counted as they happened: two lists, two watches (the first ended by
   * its 410 event, the second by the stop), one relist for the 410 */
  ck_assert(metric_value(requests, (const char *[]){"list", "200"}) == 2.0);
  ck_assert(metric_value(requests, (const char *[]){"watch", "200"}) == 2.0);
  ck_assert(metric_value(relists, (const char *[]){"gone"}) == 1.0);
  ck_assert(metric_value(relists, (const char *[]){"error"}) == 0.0);
  metrics_free(m);
  live_snapshot_free(&snap);
  fake_server_stop(fs);
  unlink(token_path);
}
END_TEST

static const struct fake_response forbidden[] = {
  {403,
   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
   "\"Failure\",\"message\":\"pods is forbidden: User \\\"system:"
   "serviceaccount:dkron:dkron-agent\\\" cannot list resource \\\"pods\\\" in "
   "API group \\\"\\\" in the namespace \\\"dkron\\\"\",\"reason\":"
   "\"Forbidden\",\"details\":{\"kind\":\"pods\"},\"code\":403}",
   NULL, NULL, 0, 0, NULL, 0, 0, 0},
};

START_TEST(watch_keeps_retrying_on_403)
{
  const struct fake_route routes[] = {{"GET", PODS_PATH, forbidden, 1}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct server_watch_opts opts = {.selector = SELECTOR,
                                   .namespace = "dkron",
                                   .require_ready = true,
                                   .serf_port = 8946};
  struct live_snapshot snap = {0};
  struct server_watch *w;
  struct dk_err err;
  long long deadline = clock_ms() + 10000;

  ck_assert_ptr_nonnull(fs);
  write_token();
  opts.kube_api_url = fake_server_url(fs);
  opts.kube_token_file = token_path;
  w = server_watch_start(&opts, &err);
  ck_assert_ptr_nonnull(w);
  /* First try, then a retry within the first 1 s backoff window: never
   * gives up. */
  while (fake_server_hits(fs, "GET", PODS_PATH) < 2 && clock_ms() < deadline)
    usleep(20000);
  ck_assert_uint_ge(fake_server_hits(fs, "GET", PODS_PATH), 2);
  ck_assert_int_eq(server_watch_snapshot(w, &snap), 0);
  ck_assert_uint_eq(snap.n, 0);
  ck_assert(!snap.listed);
  live_snapshot_free(&snap);
  server_watch_stop(w);
  fake_server_stop(fs);
  unlink(token_path);
}
END_TEST

/* Runs the watch against script for 2.5 s; returns the requests seen. */
static unsigned run_watch_for_a_while(const struct fake_response *script,
                                      size_t n, struct log_capture *lc)
{
  const struct fake_route routes[] = {{"GET", PODS_PATH, script, n}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct server_watch_opts opts = {.selector = SELECTOR,
                                   .namespace = "dkron",
                                   .require_ready = true,
                                   .serf_port = 8946};
  struct server_watch *w;
  struct dk_err err;
  unsigned hits;

  ck_assert_ptr_nonnull(fs);
  write_token();
  opts.kube_api_url = fake_server_url(fs);
  opts.kube_token_file = token_path;
  log_capture_begin(lc);
  w = server_watch_start(&opts, &err);
  ck_assert_ptr_nonnull(w);
  usleep(2500 * 1000);
  server_watch_stop(w);
  log_capture_end(lc);
  hits = fake_server_hits(fs, "GET", PODS_PATH);
  fake_server_stop(fs);
  unlink(token_path);
  return hits;
}

/* A PodList without metadata.resourceVersion cannot be watched: the watch
 * lists again, with backoff (it used to relist at once, ~22 times a
 * second), and says why, not "410 Gone". */
START_TEST(list_without_resource_version_backs_off)
{
  static const struct fake_response no_rv[] = {
    {200,
     "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},"
     "\"items\":[" POD("dkron-server-0", "90", "10.0.0.10", "True") "]}",
     NULL, NULL, 0, 0, NULL, 0, 0, 0}};
  struct log_capture lc;
  unsigned hits = run_watch_for_a_while(no_rv, 1, &lc);

  /* The windows (1 s, 2 s, 4 s...) leave room for a handful at most. */
  ck_assert_msg(hits >= 1 && hits <= 6, "%u lists in 2.5 s", hits);
  ck_assert_msg(strstr(lc.text, "no metadata.resourceVersion"), "%s", lc.text);
  ck_assert_msg(!strstr(lc.text, "410"), "%s", lc.text);
}
END_TEST

/* A watch the API server refuses at once with 410 is not a reason to list
 * again at once: the relists back off too. */
START_TEST(watch_refused_with_410_at_once_backs_off)
{
  struct fake_response script[40];
  struct log_capture lc;
  unsigned hits;

  for (size_t i = 0; i < 40; i += 2) {
    script[i] = pods_script[0];
    script[i + 1] = (struct fake_response){
      410,
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
      "\"status\":\"Failure\",\"message\":\"too old resource version: 100 "
      "(200)\",\"reason\":\"Expired\",\"code\":410}",
      NULL,
      NULL,
      0,
      0,
      NULL,
      0,
      0,
      0};
  }
  hits = run_watch_for_a_while(script, 40, &lc);
  /* list + watch pairs: the first, then a few more in the growing
   * windows (1 s, 2 s, 4 s...). */
  ck_assert_msg(hits >= 2 && hits <= 12, "%u requests in 2.5 s", hits);
  ck_assert_msg(strstr(lc.text, "the watch expired (410 Gone): listing "
                                "again in "),
                "%s", lc.text);
  ck_assert_msg(!strstr(lc.text, "resourceVersion, so"), "%s", lc.text);
}
END_TEST

/* A watch the API server ends at once, cleanly (200 with an empty body),
 * is not a reason to watch again at once: a watch that ends before the
 * minimum a watch must last, with nothing delivered, is re-opened after a
 * backoff (it used to be re-opened thousands of times a second, without a
 * word), and the log says so. */
START_TEST(watch_ended_at_once_backs_off)
{
  /* the list, then every watch (the last answer repeats) */
  const struct fake_response script[] = {
    pods_script[0], {200, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0}};
  struct log_capture lc;
  unsigned hits = run_watch_for_a_while(script, 2, &lc);

  /* the list and the first watch, then a few more watches in the growing
   * windows (1 s, 2 s...) */
  ck_assert_msg(hits >= 2 && hits <= 8, "%u requests in 2.5 s", hits);
  ck_assert_msg(strstr(lc.text, "the watch ended after ") &&
                  strstr(lc.text, "watching again in "),
                "%s", lc.text);
  ck_assert_msg(!strstr(lc.text, "failed"), "%s", lc.text);
}
END_TEST

/* A watch that worked (here: a bookmark moved it on) and then expired
 * with 410 is listed again at once, as client-go does: the expiry is not
 * a failure, so it waits no backoff (it used to wait up to a window). */
START_TEST(watch_expired_after_progress_relists_at_once)
{
  enum { ROUNDS = 8 };
  static const char *const expiring[] = {
    "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":"
    "\"v1\",\"metadata\":{\"resourceVersion\":\"150\"}}}\n",
    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":"
    "\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old "
    "resource version: 150 (200)\",\"reason\":\"Expired\",\"code\":410}}\n"};
  struct fake_response script[2 * ROUNDS + 2];
  const struct fake_route routes[] = {
    {"GET", PODS_PATH, script, sizeof(script) / sizeof(script[0])}};
  struct server_watch_opts opts = {.selector = SELECTOR,
                                   .namespace = "dkron",
                                   .require_ready = true,
                                   .serf_port = 8946};
  struct fake_server *fs;
  struct server_watch *w;
  struct log_capture lc;
  struct dk_err err;
  long long deadline;
  unsigned hits;

  for (size_t i = 0; i < 2 * ROUNDS; i += 2) {
    script[i] = pods_script[0];
    script[i + 1] =
      (struct fake_response){200, NULL, NULL, NULL, 0, 0, expiring, 2, 0, 0};
  }
  script[2 * ROUNDS] = pods_script[0];
  script[2 * ROUNDS + 1] = pods_script[3]; /* held open */
  fs = fake_server_start(routes, 1, NULL, NULL);
  ck_assert_ptr_nonnull(fs);
  write_token();
  opts.kube_api_url = fake_server_url(fs);
  opts.kube_token_file = token_path;
  log_capture_begin(&lc);
  w = server_watch_start(&opts, &err);
  ck_assert_ptr_nonnull(w);
  /* Eight relists with a backoff between them would take seconds (the
   * windows are drawn from 0-1 s each); at once they take milliseconds. */
  deadline = clock_ms() + test_ms(1500);
  while ((hits = fake_server_hits(fs, "GET", PODS_PATH)) < 2 * ROUNDS + 2 &&
         clock_ms() < deadline)
    usleep(10000);
  server_watch_stop(w);
  log_capture_end(&lc);
  ck_assert_msg(hits == 2 * ROUNDS + 2, "%u requests in 1.5 s", hits);
  ck_assert_int_eq(
    log_capture_count(&lc, "the watch expired (410 Gone): listing again at "
                           "once"),
    ROUNDS);
  fake_server_stop(fs);
  unlink(token_path);
}
END_TEST

/* A half-open watch (the connection stays up, nothing comes: here the
 * server stalls after the headers) is noticed within the watch's idle
 * limit and the watch re-opened from the same resourceVersion, without a
 * relist; in steady state a watch asks the server to end it after at most
 * 300 s (it asked 600 s, and a silent stream was noticed only after
 * 630 s). */
START_TEST(silent_watch_is_reopened_within_the_idle_limit)
{
  /* the list, then watches that stall after their headers */
  static const char *const nothing[] = {NULL};
  const struct fake_response script[] = {
    pods_script[0], {200, NULL, NULL, NULL, 0, 0, nothing, 0, 0, 20000}};
  const struct fake_route routes[] = {{"GET", PODS_PATH, script, 2}};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct server_watch_opts opts = {.selector = SELECTOR,
                                   .namespace = "dkron",
                                   .require_ready = true,
                                   .serf_port = 8946,
                                   .watch_idle_ms = 300};
  struct fake_request req;
  struct server_watch *w;
  struct dk_err err;
  long long deadline;
  char timeout[16];

  ck_assert_ptr_nonnull(fs);
  write_token();
  opts.kube_api_url = fake_server_url(fs);
  opts.kube_token_file = token_path;
  w = server_watch_start(&opts, &err);
  ck_assert_ptr_nonnull(w);
  /* Stalled for 20 s each, the watches end at the 300 ms limit instead
   * (and the next one waits a backoff: 300 ms is under the least a watch
   * must last to count as working). */
  deadline = clock_ms() + test_ms(5000);
  while (fake_server_hits(fs, "GET", PODS_PATH) < 3 && clock_ms() < deadline)
    usleep(20000);
  server_watch_stop(w);
  ck_assert_uint_ge(fake_server_hits(fs, "GET", PODS_PATH), 3);
  for (unsigned i = 1; i < 3; i++) {
    const char *t;

    ck_assert_int_eq(fake_server_request(fs, i, &req), 0);
    ck_assert_msg(strstr(req.query, "watch=") &&
                    strstr(req.query, "resourceVersion=100&"),
                  "request %u is not a watch from 100: %s", i, req.query);
    t = strstr(req.query, "timeoutSeconds=");
    ck_assert_ptr_nonnull(t);
    snprintf(timeout, sizeof(timeout), "%.*s", (int)strcspn(t + 15, "&"),
             t + 15);
    ck_assert_msg(atol(timeout) >= 60 && atol(timeout) <= 300, "%s", req.query);
  }
  fake_server_stop(fs);
  unlink(token_path);
}
END_TEST

Suite *make_launcher_watch_suite(void)
{
  Suite *s = suite_create("launcher_watch");
  TCase *tc = tcase_create("watch");

  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, watch_follows_events_and_relists_on_410);
  tcase_add_test(tc, watch_keeps_retrying_on_403);
  tcase_add_test(tc, list_without_resource_version_backs_off);
  tcase_add_test(tc, watch_refused_with_410_at_once_backs_off);
  tcase_add_test(tc, watch_ended_at_once_backs_off);
  tcase_add_test(tc, watch_expired_after_progress_relists_at_once);
  tcase_add_test(tc, silent_watch_is_reopened_within_the_idle_limit);
  suite_add_tcase(s, tc);
  return s;
}
