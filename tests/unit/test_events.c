/* test_events.c: the Event recorder against the fake API server: the
 * Event's shape, the rate limits, a refusal that never stops the work,
 * and a stop bounded while the API server stalls. */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "events.h"
#include "fake_http.h"
#include "log_capture.h"
#include "tests.h"

#define NS          "dkron"
#define EVENTS_PATH "/apis/events.k8s.io/v1/namespaces/" NS "/events"

static char dir[] = "/tmp/dk-events-XXXXXX";
static char token_path[PATH_MAX];

static void setup(void)
{
  FILE *f;

  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(token_path, sizeof(token_path), "%s/token", dir);
  f = fopen(token_path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("events-test-token", f);
  fclose(f);
}

static void teardown(void)
{
  unlink(token_path);
  rmdir(dir);
  memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

struct recorder {
  struct fake_server *fs;
  struct metrics *m;
  struct metric *events, *requests;
  struct events *ev;
};

static void start(struct recorder *r, const struct fake_response *script,
                  size_t n)
{
  struct fake_route route = {"POST", EVENTS_PATH, script, n};
  struct k8s_overrides ov = {0};
  struct k8s_config kc;
  struct events_opts o = {.controller = "dkron-k8s.io/test",
                          .pod = "dkron-server-0",
                          .pod_uid = "uid-1"};
  struct dk_err err = {0};

  r->fs = fake_server_start(&route, 1, NULL, NULL);
  ck_assert_ptr_nonnull(r->fs);
  r->m = metrics_new();
  r->events = metrics_add(r->m, METRIC_COUNTER, "e_total", "e", "result");
  r->requests = metrics_add(r->m, METRIC_COUNTER, "r_total", "r", "verb,code");
  ov.api_url = fake_server_url(r->fs);
  ov.token_file = token_path;
  ov.namespace = NS;
  ov.sa_dir = dir; /* no ca.crt: plain http to loopback */
  ck_assert_msg(k8s_config_in_cluster(&ov, &kc, &err) == DK_OK, "%s", err.msg);
  o.kube = &kc;
  o.events = r->events;
  o.api_requests = r->requests;
  r->ev = events_start(&o, &err);
  k8s_config_free(&kc);
  ck_assert_msg(r->ev != NULL, "%s", err.msg);
}

static double count(struct recorder *r, const char *result)
{
  return metric_value(r->events, (const char *[]){result});
}

static void wait_posts(struct recorder *r, unsigned n)
{
  for (long long until = clock_ms() + test_ms(5000);
       fake_server_hits(r->fs, "POST", EVENTS_PATH) < n && clock_ms() < until;)
    usleep(10000);
}

/* Stops the recorder and the server; the counts stay readable until
 * release(). */
static void finish(struct recorder *r)
{
  events_stop(r->ev);
  fake_server_stop(r->fs);
}

static void release(struct recorder *r)
{
  metrics_free(r->m);
}

START_TEST(event_names_our_pod_and_the_decision)
{
  static const struct fake_response created[] = {{.status = 201, .body = "{}"}};
  struct recorder r;
  struct fake_request req;

  start(&r, created, 1);
  events_emit(r.ev, false, "BootstrapExpect", "Bootstrap",
              "--bootstrap-expect=%d: no peer reports a \"leader\"", 3);
  wait_posts(&r, 1);
  ck_assert_int_eq(fake_server_request(r.fs, 0, &req), 0);
  ck_assert_str_eq(req.method, "POST");
  ck_assert_str_eq(req.authorization, "Bearer events-test-token");
  ck_assert_str_eq(req.content_type, "application/json");
  ck_assert_msg(
    strstr(req.body, "\"apiVersion\":\"events.k8s.io/v1\"") &&
      strstr(req.body, "\"name\":\"dkron-server-0.") &&
      strstr(req.body, "\"reportingController\":\"dkron-k8s.io/"
                       "test\"") &&
      strstr(req.body, "\"reportingInstance\":\"dkron-server-0\"") &&
      strstr(req.body, "\"reason\":\"BootstrapExpect\"") &&
      strstr(req.body, "\"action\":\"Bootstrap\"") &&
      strstr(req.body, "\"type\":\"Normal\"") &&
      strstr(req.body, "\"note\":\"--bootstrap-expect=3: no peer "
                       "reports a \\\"leader\\\"\"") &&
      strstr(req.body, "\"regarding\":{\"apiVersion\":\"v1\","
                       "\"kind\":\"Pod\",\"namespace\":\"dkron\","
                       "\"name\":\"dkron-server-0\",\"uid\":"
                       "\"uid-1\"}"),
    "%s", req.body);
  /* eventTime is a MicroTime: six fractional digits and Z */
  {
    const char *t = strstr(req.body, "\"eventTime\":\"");
    ck_assert_ptr_nonnull(t);
    t += strlen("\"eventTime\":\"");
    ck_assert_int_eq(t[19], '.');
    ck_assert_int_eq(t[26], 'Z');
  }
  finish(&r); /* joins the thread: its counts are final */
  ck_assert(count(&r, "posted") == 1.0);
  ck_assert(metric_value(r.requests, (const char *[]){"create", "201"}) == 1.0);
  release(&r);
}
END_TEST

/* The blocked-signal mask of the recorder's thread (found by its name in
 * /proc/self/task/<tid>/comm); 0 while there is no such thread. */
static unsigned long long events_thread_mask(void)
{
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  unsigned long long mask = 0;
  bool found = false;

  ck_assert_ptr_nonnull(d);
  while (!found && (e = readdir(d))) {
    char path[300], line[256] = "";
    FILE *f;

    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
    f = fopen(path, "r");
    if (f && fgets(line, sizeof(line), f) &&
        strcmp(line, EVENTS_THREAD_NAME "\n") == 0)
      found = true;
    if (f)
      fclose(f);
    if (!found)
      continue;
    snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f))
      sscanf(line, "SigBlk: %llx", &mask);
    if (f)
      fclose(f);
  }
  closedir(d);
  return found ? mask | 1ULL << 63 : 0;
}

START_TEST(the_thread_blocks_every_signal)
{
  static const struct fake_response created[] = {{.status = 201, .body = "{}"}};
  struct recorder r;
  sigset_t none, saved;
  unsigned long long mask = 0;

  /* started from a thread that blocks nothing, as before runtime_start */
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, &saved);
  start(&r, created, 1);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  for (long long until = clock_ms() + test_ms(2000);
       (mask = events_thread_mask()) == 0 && clock_ms() < until;)
    usleep(10000); /* until it has named itself */
  ck_assert_msg(mask != 0, "no thread named " EVENTS_THREAD_NAME);
  ck_assert_msg((mask & (1ULL << (SIGCHLD - 1))) &&
                  (mask & (1ULL << (SIGTERM - 1))),
                "the events thread's SigBlk is %llx", mask);
  finish(&r);
  release(&r);
}
END_TEST

START_TEST(repeats_and_bursts_are_dropped)
{
  static const struct fake_response created[] = {{.status = 201, .body = "{}"}};
  struct recorder r;

  start(&r, created, 1);
  events_emit(r.ev, true, "Rejoin", "Rejoin", "cut off: %s", "a");
  events_emit(r.ev, true, "Rejoin", "Rejoin", "cut off: %s", "a"); /* same */
  events_emit(r.ev, true, "Rejoin", "Rejoin", "cut off: %s", "b");
  wait_posts(&r, 2);
  ck_assert(count(&r, "dropped") == 1.0);
  /* the bucket holds EVENTS_BURST; two are spent */
  for (int i = 0; i < EVENTS_BURST + 5; i++) {
    events_emit(r.ev, false, "LeaderElected", "Elect", "change %d", i);
    if (i % EVENTS_QUEUE == 0) /* let the thread drain the queue */
      wait_posts(&r, 2 + (unsigned)i + 1);
  }
  wait_posts(&r, EVENTS_BURST);
  finish(&r);
  ck_assert(count(&r, "posted") == (double)EVENTS_BURST);
  ck_assert(count(&r, "dropped") == 1.0 + 7.0);
  release(&r);
}
END_TEST

START_TEST(refusal_is_logged_once_and_the_work_goes_on)
{
  static const struct fake_response refused[] = {
    {.status = 403,
     .body = "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":"
             "\"events.events.k8s.io is forbidden: User \\\"system:"
             "serviceaccount:dkron:dkron\\\" cannot create resource "
             "\\\"events\\\"\",\"reason\":\"Forbidden\",\"code\":403}"}};
  struct recorder r;
  struct log_capture lc;
  long long t0;

  log_capture_begin(&lc);
  start(&r, refused, 1);
  t0 = clock_ms();
  events_emit(r.ev, false, "LeaderElected", "Elect", "one");
  events_emit(r.ev, false, "LeadershipLost", "Elect", "two");
  ck_assert_int_lt(clock_ms() - t0, test_ms(50)); /* emit never waits */
  wait_posts(&r, 2);
  finish(&r);
  log_capture_end(&lc);
  ck_assert(count(&r, "failed") == 2.0);
  {
    const char *first = strstr(lc.text, "cannot post Kubernetes Events");
    ck_assert_msg(first, "no warning: %s", lc.text);
    ck_assert_ptr_null(strstr(first + 1, "cannot post Kubernetes Events"));
    ck_assert_ptr_nonnull(strstr(first, "verbs: [\"create\"]"));
  }
  release(&r);
}
END_TEST

START_TEST(stop_is_bounded_while_the_api_stalls)
{
  static const struct fake_response stalled[] = {
    {.status = 201, .body = "{}", .delay_ms = 20000}};
  struct recorder r;
  long long t0;

  start(&r, stalled, 1);
  events_emit(r.ev, false, "A", "B", "stalls");
  events_emit(r.ev, false, "A", "B", "queued behind it");
  wait_posts(&r, 1);
  t0 = clock_ms();
  finish(&r);
  ck_assert_int_lt(clock_ms() - t0, EVENTS_STOP_MS + test_ms(1500));
  release(&r);
}
END_TEST

Suite *make_events_suite(void)
{
  Suite *s = suite_create("events");
  TCase *tc = tcase_create("recorder");

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, event_names_our_pod_and_the_decision);
  tcase_add_test(tc, the_thread_blocks_every_signal);
  tcase_add_test(tc, repeats_and_bursts_are_dropped);
  tcase_add_test(tc, refusal_is_logged_once_and_the_work_goes_on);
  tcase_add_test(tc, stop_is_bounded_while_the_api_stalls);
  tcase_set_timeout(tc, 30);
  suite_add_tcase(s, tc);
  return s;
}
