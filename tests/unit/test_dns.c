/* test_dns.c: the dns module against a real dnsmasq on 127.0.0.1.
 *
 * Each test of the "dnsmasq" case gets its own dnsmasq on a free port,
 * serving a hosts file in a per-test directory; tests change DNS by
 * rewriting that file (write .tmp, rename) and sending SIGHUP. dnsmasq is
 * started with PR_SET_PDEATHSIG so it dies with the test process even when
 * a failed assertion ends that process early, and the whole temp tree is
 * removed by the case's unchecked teardown, which runs in the runner.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "log.h"
#include "tests.h"

#define DEFAULT_DNSMASQ "/usr/sbin/dnsmasq" /* Debian's dnsmasq-base */

/* Names every test can rely on; tests append their own lines. */
#define BASE_HOSTS              \
  "10.9.9.9 ready.svc.test\n"   \
  "10.1.0.1 peer-0.svc.test\n"  \
  "10.1.0.2 peer-1.svc.test\n"  \
  "10.1.0.3 peer-2.svc.test\n"  \
  "10.1.0.4 peer-3.svc.test\n"  \
  "fd00::1:4 peer-3.svc.test\n" \
  "10.1.0.8 solo.svc.test\n"    \
  "10.1.0.9 two.part.svc.test\n"
#define SELF_AT_5 "10.0.0.5 self.svc.test\n"

static char g_base[256]; /* per-case temp dir, made by the runner */

static struct {
  char dir[300];
  pid_t pid;
  int port;
  char server[32]; /* "127.0.0.1:port" */
} g_dm;

static int64_t now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* A UDP port nobody uses right now: bind port 0 and read what we got.
 * With keep_fd the socket stays bound (a server that never answers). */
static int udp_port(int *keep_fd)
{
  struct sockaddr_in sin;
  socklen_t len = sizeof(sin);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);

  ck_assert_int_ge(fd, 0);
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
  if (keep_fd)
    *keep_fd = fd;
  else
    close(fd);
  return ntohs(sin.sin_port);
}

/* Writes the hosts file atomically (dnsmasq never sees half a file). */
static int write_hosts_file(const char *content)
{
  char path[400], tmp[400];
  size_t len = strlen(content);
  FILE *f;
  int ok;

  snprintf(path, sizeof(path), "%s/hosts", g_dm.dir);
  snprintf(tmp, sizeof(tmp), "%s/hosts.tmp", g_dm.dir);
  f = fopen(tmp, "w");
  if (!f)
    return -1;
  ok = fwrite(content, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0)
    return -1;
  return 0;
}

/* New hosts content, then SIGHUP so dnsmasq re-reads it and drops its
 * cache. */
static int set_hosts(const char *content)
{
  if (write_hosts_file(content) != 0)
    return -1;
  return kill(g_dm.pid, SIGHUP);
}

static pid_t spawn_dnsmasq(int port)
{
  const char *bin = getenv("DNSMASQ") ? getenv("DNSMASQ") : DEFAULT_DNSMASQ;
  struct passwd *pw = getpwuid(geteuid());
  char addn[400], port_arg[32], user_arg[96];
  char *argv[] = {"dnsmasq",
                  "--keep-in-foreground",
                  "--no-resolv",
                  "--no-hosts",
                  addn,
                  "--listen-address=127.0.0.1",
                  "--bind-interfaces",
                  port_arg,
                  "--local=/#/",
                  user_arg,
                  "--pid-file=",
                  "--conf-file=/dev/null",
                  NULL};
  pid_t parent = getpid();
  pid_t pid;

  ck_assert_msg(pw != NULL, "no passwd entry for uid %u", (unsigned)geteuid());
  snprintf(addn, sizeof(addn), "--addn-hosts=%s/hosts", g_dm.dir);
  snprintf(port_arg, sizeof(port_arg), "--port=%d", port);
  snprintf(user_arg, sizeof(user_arg), "--user=%s", pw->pw_name);
  pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    /* Die with the test process, however it ends. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
      _exit(127);
    execv(bin, argv);
    fprintf(stderr, "exec %s: %s (install dnsmasq-base or set DNSMASQ)\n", bin,
            strerror(errno));
    _exit(127);
  }
  return pid;
}

static struct dns_resolver *new_resolver(const char *server, long timeout_ms,
                                         int tries)
{
  struct dns_opts o = {timeout_ms, tries, NULL, server, AF_UNSPEC};
  struct dns_resolver *r = NULL;
  struct dk_err err = {0};

  ck_assert_msg(dns_resolver_new(&o, &r, &err) == DK_OK, "%s", err.msg);
  return r;
}

/* Polls a known name until dnsmasq answers it. False when dnsmasq exited
 * first (the port was taken after we picked it, or bad flags). */
static bool dnsmasq_answers(void)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 200, 1);
  struct dns_query q = {"ready.svc.test", NULL, {0}};
  int64_t deadline = now_ms() + 5000;
  bool up = false;

  for (;;) {
    ck_assert_int_eq(dns_resolve(r, &q, 1, NULL), DK_OK);
    if (q.result.status == DNS_OK) {
      up = true;
      break;
    }
    if (waitpid(g_dm.pid, NULL, WNOHANG) == g_dm.pid) {
      g_dm.pid = 0;
      break;
    }
    ck_assert_msg(now_ms() < deadline, "dnsmasq not answering on %s: %s",
                  g_dm.server, dns_status_name(q.result.status));
    sleep_ms(20);
  }
  dns_resolver_free(r);
  return up;
}

static void stop_dnsmasq(void)
{
  int64_t deadline = now_ms() + 5000;

  if (g_dm.pid <= 0)
    return;
  kill(g_dm.pid, SIGTERM);
  while (waitpid(g_dm.pid, NULL, WNOHANG) == 0) {
    if (now_ms() > deadline) {
      kill(g_dm.pid, SIGKILL);
      waitpid(g_dm.pid, NULL, 0);
      break;
    }
    sleep_ms(10);
  }
  g_dm.pid = 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void remove_tree(const char *dir)
{
  if (dir[0])
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Runner side, once per case: the temp tree every test dir lives in. */
static void case_setup(void)
{
  const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

  snprintf(g_base, sizeof(g_base), "%s/dkron-dns-test-XXXXXX", tmp);
  if (!mkdtemp(g_base)) {
    perror("mkdtemp");
    g_base[0] = '\0';
  }
}

static void case_teardown(void)
{
  remove_tree(g_base);
  g_base[0] = '\0';
}

static void global_setup(void)
{
  struct dk_err err = {0};

  ck_assert_msg(dns_global_init(&err) == DK_OK, "%s", err.msg);
}

static void dnsmasq_setup(void)
{
  global_setup();
  ck_assert_msg(g_base[0], "no temp dir for the dns tests");
  snprintf(g_dm.dir, sizeof(g_dm.dir), "%s/t-XXXXXX", g_base);
  ck_assert_ptr_nonnull(mkdtemp(g_dm.dir));
  ck_assert_int_eq(write_hosts_file(BASE_HOSTS SELF_AT_5), 0);
  /* A port found free can be taken before dnsmasq binds it: try again. */
  for (int attempt = 0; attempt < 5; attempt++) {
    g_dm.port = udp_port(NULL);
    snprintf(g_dm.server, sizeof(g_dm.server), "127.0.0.1:%d", g_dm.port);
    g_dm.pid = spawn_dnsmasq(g_dm.port);
    if (dnsmasq_answers())
      return;
  }
  ck_abort_msg("dnsmasq did not start in 5 attempts (see its stderr)");
}

static void dnsmasq_teardown(void)
{
  stop_dnsmasq();
  remove_tree(g_dm.dir);
  g_dm.dir[0] = '\0';
  dns_global_cleanup();
}

/* Rewrites the hosts file after a delay, from another thread, while the
 * test thread is inside dns_wait_all. */
struct later {
  const char *content;
  long delay_ms;
  int rc;
};

static void *rewrite_later(void *arg)
{
  struct later *l = arg;

  sleep_ms(l->delay_ms);
  l->rc = set_hosts(l->content);
  return NULL;
}

START_TEST(resolves_names_to_their_addresses)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 1000, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"peer-3.svc.test.", NULL, {0}}};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_resolve(r, q, 2, &err), DK_OK);
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_uint_eq(q[0].result.naddrs, 1);
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.1");
  ck_assert_int_eq(q[1].result.status, DNS_OK);
  ck_assert_uint_eq(q[1].result.naddrs, 2);
  ck_assert(dns_result_has_ip(&q[1].result, "10.1.0.4"));
  /* Any spelling of the same IPv6 address matches. */
  ck_assert(dns_result_has_ip(&q[1].result, "fd00:0:0:0:0:0:1:4"));
  ck_assert(!dns_result_has_ip(&q[1].result, "10.1.0.1"));
  dns_resolver_free(r);
}
END_TEST

START_TEST(ipv4_only_resolver_returns_no_ipv6)
{
  struct dns_opts o = {1000, 2, NULL, g_dm.server, AF_INET};
  struct dns_resolver *r = NULL;
  struct dns_query q = {"peer-3.svc.test", NULL, {0}};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_resolver_new(&o, &r, &err), DK_OK);
  ck_assert_int_eq(dns_resolve(r, &q, 1, &err), DK_OK);
  ck_assert_int_eq(q.result.status, DNS_OK);
  ck_assert_uint_eq(q.result.naddrs, 1);
  ck_assert_str_eq(q.result.addrs[0], "10.1.0.4");
  dns_resolver_free(r);
}
END_TEST

START_TEST(missing_name_is_not_found_quickly)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 1000, 2);
  struct dns_query q = {"ghost.svc.test", NULL, {0}};
  int64_t start = now_ms();

  ck_assert_int_eq(dns_resolve(r, &q, 1, NULL), DK_OK);
  ck_assert_int_eq(q.result.status, DNS_NOTFOUND);
  ck_assert_uint_eq(q.result.naddrs, 0);
  /* An NXDOMAIN answer, not a timeout. */
  ck_assert_int_lt(now_ms() - start, test_ms(1000));
  dns_resolver_free(r);
}
END_TEST

START_TEST(dotted_names_skip_the_search_list)
{
  struct dns_resolver *r;
  struct dns_query q[] = {{"solo", NULL, {0}}, {"two.part", NULL, {0}}};

  /* c-ares reads these at channel creation. */
  setenv("LOCALDOMAIN", "svc.test", 1);
  setenv("RES_OPTIONS", "ndots:1", 1);
  r = new_resolver(g_dm.server, 1000, 2);
  unsetenv("LOCALDOMAIN");
  unsetenv("RES_OPTIONS");
  ck_assert_int_eq(dns_resolve(r, q, 2, NULL), DK_OK);
  /* A short name still goes through the search list... */
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.8");
  /* ...but a dotted one is absolute: two.part.svc.test is not tried. */
  ck_assert_int_eq(q[1].result.status, DNS_NOTFOUND);
  dns_resolver_free(r);
}
END_TEST

START_TEST(name_appearing_later_resolves_before_deadline)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"late.svc.test", NULL, {0}}};
  struct dns_wait_opts w = {10000, 100, 400, 0.2, 0, NULL, NULL};
  struct later later = {BASE_HOSTS SELF_AT_5 "10.2.0.1 late.svc.test\n", 1000,
                        -1};
  struct dk_err err = {0};
  pthread_t th;
  int64_t start, elapsed;
  enum dk_code code;

  start = now_ms();
  ck_assert_int_eq(pthread_create(&th, NULL, rewrite_later, &later), 0);
  code = dns_wait_all(r, q, 2, &w, &err);
  elapsed = now_ms() - start;
  pthread_join(th, NULL);
  ck_assert_int_eq(later.rc, 0);
  ck_assert_msg(code == DK_OK, "%s", err.msg);
  /* It was pending until the rewrite, and found soon after. */
  ck_assert_int_ge(elapsed, 900);
  ck_assert_int_lt(elapsed, test_ms(5000));
  ck_assert_str_eq(q[1].result.addrs[0], "10.2.0.1");
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.1");
  dns_resolver_free(r);
}
END_TEST

START_TEST(wait_times_out_naming_the_missing_name)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"ghost.svc.test", NULL, {0}}};
  struct dns_wait_opts w = {1500, 50, 100, 0.0, 500, NULL, NULL};
  struct dk_err err = {0};
  char logbuf[8192];
  int fds[2], lines = 0;
  ssize_t got;
  int64_t start, elapsed;
  enum dk_code code;

  ck_assert_int_eq(pipe(fds), 0);
  log_setup("dns-test", LOG_INFO, LOG_FORMAT_TEXT);
  log_set_fd(fds[1]);
  start = now_ms();
  code = dns_wait_all(r, q, 2, &w, &err);
  elapsed = now_ms() - start;
  log_set_fd(STDERR_FILENO);
  close(fds[1]);
  got = read(fds[0], logbuf, sizeof(logbuf) - 1);
  close(fds[0]);
  ck_assert_int_gt(got, 0);
  logbuf[got] = '\0';

  ck_assert_int_eq(code, DK_ETIMEOUT);
  ck_assert_int_ge(elapsed, 1500);
  ck_assert_int_lt(elapsed, test_ms(3000));
  ck_assert_msg(strstr(err.msg, "1 of 2 names") &&
                  strstr(err.msg, "ghost.svc.test (not found)") &&
                  !strstr(err.msg, "peer-0"),
                "unexpected error: %s", err.msg);
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_int_eq(q[1].result.status, DNS_NOTFOUND);
  /* Progress lines name what is pending, throttled to one per 500 ms
   * although rounds run every 100 ms or less. */
  ck_assert_msg(strstr(logbuf, "waiting for DNS: 1 of 2 names pending: "
                               "ghost.svc.test (not found)"),
                "log: %s", logbuf);
  for (const char *p = logbuf; (p = strstr(p, "waiting for DNS")); p++)
    lines++;
  ck_assert_int_ge(lines, 2);
  ck_assert_int_le(lines, 4);
  dns_resolver_free(r);
}
END_TEST

START_TEST(expected_ip_mismatch_stays_pending_until_fixed)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q = {"self.svc.test", "10.0.0.7", {0}};
  struct dns_wait_opts shortw = {600, 100, 200, 0.0, 0, NULL, NULL};
  struct dns_wait_opts longw = {10000, 100, 400, 0.2, 0, NULL, NULL};
  struct later later = {BASE_HOSTS "10.0.0.7 self.svc.test\n", 1000, -1};
  struct dk_err err = {0};
  pthread_t th;
  int64_t start, elapsed;
  enum dk_code code;

  ck_assert_int_eq(dns_wait_all(r, &q, 1, &shortw, &err), DK_ETIMEOUT);
  ck_assert_msg(
    strstr(err.msg, "self.svc.test (resolves to 10.0.0.5, expected 10.0.0.7)"),
    "unexpected error: %s", err.msg);

  start = now_ms();
  ck_assert_int_eq(pthread_create(&th, NULL, rewrite_later, &later), 0);
  code = dns_wait_all(r, &q, 1, &longw, &err);
  elapsed = now_ms() - start;
  pthread_join(th, NULL);
  ck_assert_int_eq(later.rc, 0);
  ck_assert_msg(code == DK_OK, "%s", err.msg);
  ck_assert_int_ge(elapsed, 900);
  ck_assert(dns_result_has_ip(&q.result, "10.0.0.7"));
  dns_resolver_free(r);
}
END_TEST

START_TEST(several_names_resolve_in_one_round)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 1000, 2);
  struct dns_query q[] = {{"peer-0.svc.test", NULL, {0}},
                          {"peer-1.svc.test", NULL, {0}},
                          {"peer-2.svc.test", NULL, {0}},
                          {"peer-3.svc.test", "10.1.0.4", {0}}};
  /* A second round would first pause 2 s. */
  struct dns_wait_opts w = {10000, 2000, 2000, 0.0, 0, NULL, NULL};
  struct dk_err err = {0};
  int64_t start = now_ms();

  ck_assert_msg(dns_wait_all(r, q, 4, &w, &err) == DK_OK, "%s", err.msg);
  ck_assert_int_lt(now_ms() - start, test_ms(1000));
  ck_assert_str_eq(q[0].result.addrs[0], "10.1.0.1");
  ck_assert_str_eq(q[1].result.addrs[0], "10.1.0.2");
  ck_assert_str_eq(q[2].result.addrs[0], "10.1.0.3");
  ck_assert(dns_result_has_ip(&q[3].result, "10.1.0.4"));
  dns_resolver_free(r);
}
END_TEST

/* stop() for the cancel test: true once 300 ms have passed. */
static int stop_after_300ms(void *user)
{
  return now_ms() - *(int64_t *)user >= 300;
}

START_TEST(stop_callback_cancels_the_wait)
{
  struct dns_resolver *r = new_resolver(g_dm.server, 500, 2);
  struct dns_query q = {"ghost.svc.test", NULL, {0}};
  int64_t start = now_ms();
  struct dns_wait_opts w = {10000, 100, 400, 0.2, 0, stop_after_300ms, &start};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_wait_all(r, &q, 1, &w, &err), DK_ECANCELED);
  ck_assert_int_lt(now_ms() - start, test_ms(1500));
  dns_resolver_free(r);
}
END_TEST

START_TEST(server_down_reports_timeout)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q = {"peer-0.svc.test", NULL, {0}};
  int64_t start;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(NULL));
  r = new_resolver(server, 300, 2);
  start = now_ms();
  ck_assert_int_eq(dns_resolve(r, &q, 1, NULL), DK_OK);
  ck_assert_int_eq(q.result.status, DNS_TIMEOUT);
  ck_assert_int_lt(now_ms() - start, test_ms(3000));
  dns_resolver_free(r);
}
END_TEST

START_TEST(silent_server_times_out_after_the_tries)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q = {"peer-0.svc.test", NULL, {0}};
  int64_t start, elapsed;
  int fd = -1;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(&fd));
  r = new_resolver(server, 300, 2);
  start = now_ms();
  ck_assert_int_eq(dns_resolve(r, &q, 1, NULL), DK_OK);
  elapsed = now_ms() - start;
  close(fd);
  ck_assert_int_eq(q.result.status, DNS_TIMEOUT);
  /* Two tries: 300 ms, then 600 ms (c-ares doubles per try). */
  ck_assert_int_ge(elapsed, 600);
  ck_assert_int_lt(elapsed, test_ms(3000));
  dns_resolver_free(r);
}
END_TEST

START_TEST(slow_names_are_resolved_concurrently)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q[] = {{"a.svc.test", NULL, {0}},
                          {"b.svc.test", NULL, {0}},
                          {"c.svc.test", NULL, {0}},
                          {"d.svc.test", NULL, {0}}};
  int64_t start, elapsed;
  int fd = -1;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(&fd));
  r = new_resolver(server, 500, 1);
  start = now_ms();
  ck_assert_int_eq(dns_resolve(r, q, 4, NULL), DK_OK);
  elapsed = now_ms() - start;
  close(fd);
  for (size_t i = 0; i < 4; i++)
    ck_assert_int_eq(q[i].result.status, DNS_TIMEOUT);
  /* One shared 500 ms timeout, not four in a row (2000 ms). */
  ck_assert_int_ge(elapsed, 500);
  ck_assert_int_lt(elapsed, test_ms(1500));
  dns_resolver_free(r);
}
END_TEST

START_TEST(deadline_cuts_a_slow_round)
{
  char server[32];
  struct dns_resolver *r;
  struct dns_query q = {"peer-0.svc.test", NULL, {0}};
  struct dns_wait_opts w = {300, 100, 400, 0.0, 0, NULL, NULL};
  struct dk_err err = {0};
  int64_t start, elapsed;
  enum dk_code code;
  int fd = -1;

  snprintf(server, sizeof(server), "127.0.0.1:%d", udp_port(&fd));
  r = new_resolver(server, 5000, 2);
  start = now_ms();
  code = dns_wait_all(r, &q, 1, &w, &err);
  elapsed = now_ms() - start;
  close(fd);
  ck_assert_int_eq(code, DK_ETIMEOUT);
  ck_assert_int_ge(elapsed, 300);
  ck_assert_int_lt(elapsed, test_ms(1500));
  ck_assert_msg(strstr(err.msg, "peer-0.svc.test (timeout)"),
                "unexpected error: %s", err.msg);
  dns_resolver_free(r);
}
END_TEST

START_TEST(bad_input_is_rejected_with_a_hint)
{
  struct dns_opts bad_server = {0, 0, NULL, "dns.example:53", 0};
  struct dns_opts bad_lookups = {0, 0, "x", NULL, 0};
  struct dns_opts bad_tries = {0, 11, NULL, NULL, 0};
  struct dns_resolver *r = NULL;
  struct dns_query empty = {"", NULL, {0}};
  struct dns_query bad_ip = {"peer-0.svc.test", "10.0.0", {0}};
  struct dns_wait_opts no_deadline = {0, 0, 0, 0.0, 0, NULL, NULL};
  struct dns_wait_opts bad_jitter = {1000, 0, 0, 1.5, 0, NULL, NULL};
  struct dk_err err = {0};

  ck_assert_int_eq(dns_resolver_new(&bad_server, &r, &err), DK_EINVAL);
  ck_assert_ptr_null(r);
  ck_assert_msg(strstr(err.msg, "dns.example:53") && strstr(err.msg, "ip:port"),
                "%s", err.msg);
  ck_assert_int_eq(dns_resolver_new(&bad_lookups, &r, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "lookups"));
  ck_assert_int_eq(dns_resolver_new(&bad_tries, &r, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "1 to 10"));

  ck_assert_int_eq(dns_resolver_new(NULL, &r, &err), DK_OK);
  ck_assert_int_eq(dns_resolve(r, &empty, 1, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
  ck_assert_int_eq(dns_wait_all(r, &bad_ip, 1, &bad_jitter, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "\"10.0.0\""));
  bad_ip.expect_ip = NULL;
  ck_assert_int_eq(dns_wait_all(r, &bad_ip, 1, &no_deadline, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "deadline"));
  ck_assert_int_eq(dns_wait_all(r, &bad_ip, 1, &bad_jitter, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "jitter"));
  dns_resolver_free(r);
}
END_TEST

START_TEST(numeric_names_need_no_server)
{
  struct dns_resolver *r = new_resolver("127.0.0.1:9", 300, 1);
  struct dns_query q[] = {{"10.3.0.1", NULL, {0}}, {"fd00::9", NULL, {0}}};

  ck_assert_int_eq(dns_resolve(r, q, 2, NULL), DK_OK);
  ck_assert_int_eq(q[0].result.status, DNS_OK);
  ck_assert_str_eq(q[0].result.addrs[0], "10.3.0.1");
  ck_assert_int_eq(q[1].result.status, DNS_OK);
  ck_assert_str_eq(q[1].result.addrs[0], "fd00::9");
  dns_resolver_free(r);
}
END_TEST

Suite *make_dns_suite(void)
{
  Suite *s = suite_create("dns");
  TCase *live = tcase_create("dnsmasq");
  TCase *down = tcase_create("no_server");
  TCase *input = tcase_create("input");

  tcase_add_unchecked_fixture(live, case_setup, case_teardown);
  tcase_add_checked_fixture(live, dnsmasq_setup, dnsmasq_teardown);
  tcase_set_timeout(live, 30);
  tcase_add_test(live, resolves_names_to_their_addresses);
  tcase_add_test(live, ipv4_only_resolver_returns_no_ipv6);
  tcase_add_test(live, missing_name_is_not_found_quickly);
  tcase_add_test(live, dotted_names_skip_the_search_list);
  tcase_add_test(live, name_appearing_later_resolves_before_deadline);
  tcase_add_test(live, wait_times_out_naming_the_missing_name);
  tcase_add_test(live, expected_ip_mismatch_stays_pending_until_fixed);
  tcase_add_test(live, several_names_resolve_in_one_round);
  tcase_add_test(live, stop_callback_cancels_the_wait);
  suite_add_tcase(s, live);

  tcase_add_checked_fixture(down, global_setup, dns_global_cleanup);
  tcase_set_timeout(down, 30);
  tcase_add_test(down, server_down_reports_timeout);
  tcase_add_test(down, silent_server_times_out_after_the_tries);
  tcase_add_test(down, slow_names_are_resolved_concurrently);
  tcase_add_test(down, deadline_cuts_a_slow_round);
  suite_add_tcase(s, down);

  tcase_add_checked_fixture(input, global_setup, dns_global_cleanup);
  tcase_add_test(input, bad_input_is_rejected_with_a_hint);
  tcase_add_test(input, numeric_names_need_no_server);
  suite_add_tcase(s, input);
  return s;
}
