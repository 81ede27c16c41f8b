/* dns_fixtures.c: the resolver's suites run against a real dnsmasq on
 * 127.0.0.1 (see dns_fixtures.h).
 *
 * Each test of a "dnsmasq" case gets its own dnsmasq on a free port,
 * serving a hosts file in a per-test directory; tests change DNS by
 * rewriting that file (write .tmp, rename) and sending SIGHUP. dnsmasq is
 * started with PR_SET_PDEATHSIG so it dies with the test process even when
 * a failed assertion ends that process early, and the whole temp tree is
 * removed by the case's unchecked teardown, which runs in the runner.
 */
#include "dns_fixtures.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
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

#include "net_fixtures.h"
#include "tests.h"

#define DEFAULT_DNSMASQ "/usr/sbin/dnsmasq" /* Debian's dnsmasq-base */

static char g_base[256]; /* per-case temp dir, made by the runner */
struct dnsmasq g_dm;

/* A UDP port nobody uses right now: bind port 0 and read what we got.
 * With keep_fd the socket stays bound (a server that never answers). */
int udp_port(int *keep_fd)
{
  unsigned short port;
  int fd = loopback_socket(SOCK_DGRAM, 0, &port);

  if (keep_fd)
    *keep_fd = fd;
  else
    close(fd);
  return port;
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
int set_hosts(const char *content)
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

struct dns_resolver *new_resolver(const char *server, long timeout_ms,
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
void case_setup(void)
{
  const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

  snprintf(g_base, sizeof(g_base), "%s/dkron-dns-test-XXXXXX", tmp);
  if (!mkdtemp(g_base)) {
    perror("mkdtemp");
    g_base[0] = '\0';
  }
}

void case_teardown(void)
{
  remove_tree(g_base);
  g_base[0] = '\0';
}

void global_setup(void)
{
  struct dk_err err = {0};

  ck_assert_msg(dns_global_init(&err) == DK_OK, "%s", err.msg);
}

void dnsmasq_setup(void)
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

void dnsmasq_teardown(void)
{
  stop_dnsmasq();
  remove_tree(g_dm.dir);
  g_dm.dir[0] = '\0';
  dns_global_cleanup();
}
