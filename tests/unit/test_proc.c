/* test_proc.c: the proc module against real child processes.
 *
 * Helper programs without extra binaries: the test binary doubles as its
 * own helper. A test puts UNIT_HELPER=<mode> (and UNIT_HELPER_FD=<fd>, the
 * pipe it reports on) in the environment and spawns the binary again via
 * the path /proc/self/exe points to. In that child, helper_dispatch() runs
 * as a constructor, before Check's main(): it sees UNIT_HELPER, plays the
 * part and exits, so the test runner itself never starts there. Under
 * valgrind the readlink of /proc/self/exe gives the test binary, which then
 * runs natively (valgrind does not trace exec'd children).
 *
 * Every helper dies with the test process (PR_SET_PDEATHSIG) and after
 * HELPER_LIFETIME_S at the latest (alarm), so a failed test never leaves
 * one behind. Children a test starts are also tracked and killed by pid in
 * the teardown while they are still unreaped (so the pid cannot have been
 * reused).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "tests.h"

#define HELPER_ENV           "UNIT_HELPER"
#define HELPER_FD_ENV        "UNIT_HELPER_FD"
#define HELPER_LIFETIME_S    30
#define HELPER_SIG_EXIT_BASE 100  /* sigecho exits 100 + signal number */
#define WAIT_MS              3000 /* deadline for anything a test waits on */
#define MAX_TRACKED          8

/* ---- helper side (runs in the re-executed child) ---- */

static void helper_say(int fd, const char *text)
{
  size_t len = strlen(text);

  while (len > 0) {
    ssize_t n = write(fd, text, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      _exit(3);
    text += n;
    len -= (size_t)n;
  }
}

static _Noreturn void helper_idle(void)
{
  for (;;)
    pause();
}

/* Prints "ready", then the name of the first forwarded-type signal it gets,
 * and exits 100 + its number. The signals are blocked first so none sent
 * after "ready" can be missed. */
static _Noreturn void helper_sigecho(int fd)
{
  sigset_t set;
  int signo = 0;

  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, NULL);
  helper_say(fd, "ready\n");
  while (sigwait(&set, &signo) != 0)
    continue;
  helper_say(fd, sigabbrev_np(signo));
  helper_say(fd, "\n");
  _exit(HELPER_SIG_EXIT_BASE + signo);
}

/* Leaves behind a grandchild that outlives it, prints its pid, exits 0. */
static _Noreturn void helper_orphan(int fd)
{
  char line[32];
  pid_t child = fork();

  if (child == 0) {
    /* fork cleared the parent-death signal and the alarm: it outlives
     * its parent, for HELPER_LIFETIME_S at most. */
    close(fd);
    alarm(HELPER_LIFETIME_S);
    helper_idle();
  }
  if (child < 0)
    _exit(2);
  snprintf(line, sizeof(line), "%ld\n", (long)child);
  helper_say(fd, line);
  _exit(0);
}

/* The constructor that turns this binary into a helper; see the top. */
__attribute__((constructor)) static void helper_dispatch(void)
{
  const char *mode = getenv(HELPER_ENV);
  const char *fd_text = getenv(HELPER_FD_ENV);
  char *end = NULL;
  long fd;

  if (!mode)
    return;
  errno = 0;
  fd = fd_text ? strtol(fd_text, &end, 10) : -1;
  if (errno != 0 || !end || *end != '\0' || fd < 0 || fd > INT_MAX)
    _exit(2);
  prctl(PR_SET_PDEATHSIG, (long)SIGKILL, 0L, 0L, 0L);
  alarm(HELPER_LIFETIME_S);
  if (strcmp(mode, "sigecho") == 0)
    helper_sigecho((int)fd);
  if (strcmp(mode, "orphan") == 0)
    helper_orphan((int)fd);
  if (strcmp(mode, "ignoreterm") == 0)
    signal(SIGTERM, SIG_IGN);
  else if (strcmp(mode, "wait") != 0)
    _exit(2);
  helper_say((int)fd, "ready\n");
  helper_idle();
}

/* ---- test side ---- */

static char self_exe[PATH_MAX];
static pid_t tracked[MAX_TRACKED];

static long long mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void short_nap(void)
{
  struct timespec ts = {0, 2 * 1000000L};

  nanosleep(&ts, NULL);
}

static void track(pid_t pid)
{
  for (int i = 0; i < MAX_TRACKED; i++) {
    if (tracked[i] == 0) {
      tracked[i] = pid;
      return;
    }
  }
  ck_abort_msg("too many children tracked");
}

static void untrack(pid_t pid)
{
  for (int i = 0; i < MAX_TRACKED; i++) {
    if (tracked[i] == pid)
      tracked[i] = 0;
  }
}

static void setup(void)
{
  ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

  ck_assert_int_gt(n, 0);
  self_exe[n] = '\0';
  memset(tracked, 0, sizeof(tracked));
}

/* Kills (by pid) and reaps whatever a failed test left running, and undoes
 * the process-wide changes a test may have made (valgrind runs all tests
 * in one process). */
static void teardown(void)
{
  for (int i = 0; i < MAX_TRACKED; i++) {
    if (tracked[i] > 0) {
      kill(tracked[i], SIGKILL);
      waitpid(tracked[i], NULL, 0);
      tracked[i] = 0;
    }
  }
  proc_signals_fini();
  signal(SIGUSR2, SIG_DFL);
  unsetenv(HELPER_ENV);
  unsetenv(HELPER_FD_ENV);
}

/* Polls proc_reap until `pid` has exited; returns its shell-style status. */
static int wait_main(pid_t pid)
{
  long long deadline = mono_ms() + WAIT_MS;
  int status = -1;

  while (!proc_reap(pid, &status)) {
    ck_assert_msg(mono_ms() < deadline, "pid %ld did not exit in time",
                  (long)pid);
    short_nap();
  }
  untrack(pid);
  return status;
}

static pid_t spawn_ok(char *const argv[])
{
  struct dk_err err = {0};
  pid_t pid = -1;
  enum dk_code rc = proc_spawn(argv, &pid, &err);

  ck_assert_msg(rc == DK_OK, "spawn %s: %s", argv[0], err.msg);
  ck_assert_int_gt(pid, 0);
  track(pid);
  return pid;
}

static int run_sh(const char *script)
{
  char *argv[] = {"sh", "-c", (char *)script, NULL};

  return wait_main(spawn_ok(argv));
}

/* Starts the test binary as helper `mode`; *report gets the read end of
 * the pipe the helper writes its lines to. */
static pid_t start_helper(const char *mode, int *report)
{
  char *argv[] = {self_exe, NULL};
  char fd_text[16];
  int p[2];
  pid_t pid;

  ck_assert_int_eq(pipe(p), 0);
  fcntl(p[0], F_SETFD, FD_CLOEXEC);
  snprintf(fd_text, sizeof(fd_text), "%d", p[1]);
  setenv(HELPER_ENV, mode, 1);
  setenv(HELPER_FD_ENV, fd_text, 1);
  pid = spawn_ok(argv);
  unsetenv(HELPER_ENV);
  unsetenv(HELPER_FD_ENV);
  close(p[1]);
  *report = p[0];
  return pid;
}

/* Reads one line from fd (without the newline), failing the test if none
 * arrives before the deadline. */
static void read_line(int fd, char *buf, size_t len)
{
  long long deadline = mono_ms() + WAIT_MS;
  size_t used = 0;

  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    long long left = deadline - mono_ms();
    char c;

    ck_assert_msg(left > 0, "no line from helper in time");
    if (poll(&pfd, 1, (int)left) <= 0)
      continue;
    ck_assert_int_eq(read(fd, &c, 1), 1);
    if (c == '\n')
      break;
    ck_assert_uint_lt(used, len - 1);
    buf[used++] = c;
  }
  buf[used] = '\0';
}

static void expect_line(int fd, const char *want)
{
  char line[64];

  read_line(fd, line, sizeof(line));
  ck_assert_str_eq(line, want);
}

/* True when this process has no child left, running or zombie. */
static int no_children_left(void)
{
  return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static const int exit_codes[] = {0, 1, 42, 255};

START_TEST(exit_code_propagates)
{
  char script[32];

  snprintf(script, sizeof(script), "exit %d", exit_codes[_i]);
  ck_assert_int_eq(run_sh(script), exit_codes[_i]);
}
END_TEST

static const struct {
  int signo;
  int status;
} deaths[] = {{SIGKILL, 137}, {SIGSEGV, 139}};

START_TEST(death_by_signal_is_128_plus_signal)
{
  struct rlimit old_core, no_core = {0, 0};
  char script[32];

  getrlimit(RLIMIT_CORE, &old_core);
  no_core.rlim_max = old_core.rlim_max;
  setrlimit(RLIMIT_CORE, &no_core); /* no core file from the SIGSEGV */
  snprintf(script, sizeof(script), "kill -%d $$", deaths[_i].signo);
  ck_assert_int_eq(run_sh(script), deaths[_i].status);
  setrlimit(RLIMIT_CORE, &old_core);
}
END_TEST

START_TEST(missing_program_is_127)
{
  char *argv[] = {"dk-no-such-program", "--flag", NULL};
  struct dk_err err = {0};
  pid_t pid = -1;

  ck_assert_int_eq(proc_spawn(argv, &pid, &err), DK_EEXEC);
  ck_assert_ptr_nonnull(strstr(err.msg, "dk-no-such-program"));
  ck_assert_ptr_nonnull(strstr(err.msg, "No such file or directory"));
  ck_assert_int_gt(pid, 0);
  track(pid);
  ck_assert_int_eq(wait_main(pid), 127);
}
END_TEST

START_TEST(non_executable_file_is_126)
{
  char path[] = "/tmp/dk-proc-test-XXXXXX";
  char *argv[] = {path, NULL};
  struct dk_err err = {0};
  pid_t pid = -1;
  int fd = mkstemp(path);

  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
  close(fd);
  ck_assert_int_eq(chmod(path, 0644), 0);
  ck_assert_int_eq(proc_spawn(argv, &pid, &err), DK_EEXEC);
  unlink(path);
  ck_assert_ptr_nonnull(strstr(err.msg, "Permission denied"));
  ck_assert_int_gt(pid, 0);
  track(pid);
  ck_assert_int_eq(wait_main(pid), 126);
}
END_TEST

START_TEST(spawn_rejects_empty_argv)
{
  char *argv[] = {NULL};
  struct dk_err err = {0};
  pid_t pid = 0;

  ck_assert_int_eq(proc_spawn(argv, &pid, &err), DK_EINVAL);
  ck_assert_int_eq(pid, -1);
  ck_assert_str_ne(err.msg, "");
}
END_TEST

/* With SIGTERM still blocked in the child, `kill $$` would stay pending
 * and sh would exit 0. */
START_TEST(child_gets_original_mask)
{
  struct dk_err err = {0};

  ck_assert_int_ge(proc_signals_init(&err), 0);
  ck_assert_int_eq(run_sh("kill -TERM $$; exit 0"), 128 + SIGTERM);
}
END_TEST

/* A signal ignored here would stay ignored across exec (and sh cannot
 * un-ignore it) unless proc_spawn resets it. */
START_TEST(child_gets_default_dispositions)
{
  signal(SIGUSR2, SIG_IGN);
  ck_assert_int_eq(run_sh("kill -USR2 $$; exit 0"), 128 + SIGUSR2);
  signal(SIGUSR2, SIG_DFL);
}
END_TEST

START_TEST(child_has_own_process_group)
{
  int report;
  pid_t pid = start_helper("wait", &report);

  expect_line(report, "ready");
  ck_assert_int_eq(getpgid(pid), pid);
  ck_assert_int_ne(getpgrp(), pid);
  ck_assert_int_eq(proc_stop(pid, SIGTERM, WAIT_MS), 128 + SIGTERM);
  untrack(pid);
  close(report);
}
END_TEST

START_TEST(signals_init_is_idempotent_and_undone)
{
  struct dk_err err = {0};
  sigset_t before, during, after;
  int fd, flags;

  pthread_sigmask(SIG_SETMASK, NULL, &before);
  fd = proc_signals_init(&err);
  ck_assert_msg(fd >= 0, "%s", err.msg);
  ck_assert_int_eq(proc_signals_init(&err), fd);
  flags = fcntl(fd, F_GETFL);
  ck_assert(flags & O_NONBLOCK);
  ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  pthread_sigmask(SIG_SETMASK, NULL, &during);
  ck_assert(sigismember(&during, SIGTERM));
  ck_assert(sigismember(&during, SIGCHLD));
  ck_assert_int_eq(proc_signal_read(fd), 0); /* nothing pending */
  {
    int on = 0;
    ck_assert_int_eq(prctl(PR_GET_CHILD_SUBREAPER, &on, 0L, 0L, 0L), 0);
    ck_assert_int_eq(on, 1);
  }
  proc_signals_fini();
  pthread_sigmask(SIG_SETMASK, NULL, &after);
  for (int sig = 1; sig < NSIG; sig++)
    ck_assert_int_eq(sigismember(&after, sig), sigismember(&before, sig));
  {
    int on = 1;
    ck_assert_int_eq(prctl(PR_GET_CHILD_SUBREAPER, &on, 0L, 0L, 0L), 0);
    ck_assert_int_eq(on, 0);
  }
  ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
}
END_TEST

START_TEST(forwarded_set_is_exact)
{
  const int yes[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  const int no[] = {SIGCHLD, SIGKILL, SIGSTOP, SIGPIPE, SIGALRM, 0, -1, 9999};

  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
    ck_assert_msg(proc_is_forwarded(yes[i]), "signal %d", yes[i]);
  for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
    ck_assert_msg(!proc_is_forwarded(no[i]), "signal %d", no[i]);
}
END_TEST

static const struct {
  int signo;
  const char *name;
} forwarded[] = {{SIGTERM, "TERM"}, {SIGHUP, "HUP"}};

/* Reads signals from the signalfd until one other than SIGCHLD arrives. */
static int next_signal(int sigfd)
{
  long long deadline = mono_ms() + WAIT_MS;

  for (;;) {
    struct pollfd pfd = {sigfd, POLLIN, 0};
    long long left = deadline - mono_ms();
    int signo;

    ck_assert_msg(left > 0, "no signal arrived on the signalfd");
    poll(&pfd, 1, (int)left);
    signo = proc_signal_read(sigfd);
    ck_assert_int_ge(signo, 0);
    if (signo != 0 && signo != SIGCHLD)
      return signo;
  }
}

START_TEST(stop_pending_sees_only_unread_term_and_int)
{
  struct dk_err err = {0};
  int fd = proc_signals_init(&err);

  ck_assert_msg(fd >= 0, "%s", err.msg);
  ck_assert_int_eq(proc_stop_pending(NULL), 0);
  kill(getpid(), SIGHUP); /* forwarded, but not a stop */
  ck_assert_int_eq(proc_stop_pending(NULL), 0);
  ck_assert_int_eq(next_signal(fd), SIGHUP);
  kill(getpid(), SIGTERM);
  ck_assert_int_eq(proc_stop_pending(NULL), 1);
  ck_assert_int_eq(next_signal(fd), SIGTERM); /* read: no longer pending */
  ck_assert_int_eq(proc_stop_pending(NULL), 0);
  kill(getpid(), SIGINT);
  ck_assert_int_eq(proc_stop_pending(NULL), 1);
  ck_assert_int_eq(next_signal(fd), SIGINT);
  ck_assert_int_eq(proc_stop_pending(NULL), 0);
  proc_signals_fini();
}
END_TEST

START_TEST(signal_is_forwarded_to_child)
{
  struct dk_err err = {0};
  int sigfd = proc_signals_init(&err);
  int report, signo;
  pid_t pid;

  ck_assert_msg(sigfd >= 0, "%s", err.msg);
  pid = start_helper("sigecho", &report);
  expect_line(report, "ready");
  /* Blocked here, so it waits on the signalfd instead of killing us. */
  ck_assert_int_eq(raise(forwarded[_i].signo), 0);
  signo = next_signal(sigfd);
  ck_assert_int_eq(signo, forwarded[_i].signo);
  ck_assert(proc_is_forwarded(signo));
  ck_assert_int_eq(proc_kill(pid, signo), 0);
  expect_line(report, forwarded[_i].name);
  ck_assert_int_eq(wait_main(pid), HELPER_SIG_EXIT_BASE + forwarded[_i].signo);
  close(report);
}
END_TEST

START_TEST(kill_refuses_groups_and_ignores_gone)
{
  /* Signal 0 only probes, so a broken guard cannot hurt anything. */
  errno = 0;
  ck_assert_int_eq(proc_kill(0, 0), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(proc_kill(-1, 0), -1);
  /* No process can have pid INT_MAX (far above PID_MAX_LIMIT): ESRCH. */
  ck_assert_int_eq(kill(INT_MAX, 0), -1);
  ck_assert_int_eq(errno, ESRCH);
  ck_assert_int_eq(proc_kill(INT_MAX, 0), 0);
}
END_TEST

/* The fields of /proc/<pid>/stat after "pid (comm) ", read into buf:
 * state, ppid, ... NULL if pid is gone. comm may hold ')', so the last one
 * ends it. */
static const char *stat_fields(pid_t pid, char *buf, size_t len)
{
  char path[64];
  char *p;
  ssize_t n;
  int fd;

  snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  n = read(fd, buf, len - 1);
  close(fd);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  p = strrchr(buf, ')');
  return p && strlen(p) >= 4 ? p + 2 : NULL;
}

/* State letter of pid ('Z' for a zombie), or 0 if it is gone. */
static char state_of(pid_t pid)
{
  char buf[512];
  const char *f = stat_fields(pid, buf, sizeof(buf));

  return f ? f[0] : 0;
}

/* Parent pid of pid, or -1 if it is gone. */
static long parent_of(pid_t pid)
{
  char buf[512];
  const char *f = stat_fields(pid, buf, sizeof(buf));
  char *end;
  long ppid;

  if (!f)
    return -1;
  errno = 0;
  ppid = strtol(f + 2, &end, 10);
  return errno || end == f + 2 ? -1 : ppid;
}

START_TEST(orphaned_grandchild_is_reaped)
{
  struct dk_err err = {0};
  char line[32], proc_path[64];
  long long deadline;
  int report, status = -1;
  long grandchild;
  pid_t pid;

  ck_assert_msg(proc_signals_init(&err) >= 0, "%s", err.msg);
  pid = start_helper("orphan", &report);
  read_line(report, line, sizeof(line));
  close(report);
  grandchild = strtol(line, NULL, 10);
  ck_assert_int_gt(grandchild, 0);
  ck_assert_int_eq(wait_main(pid), 0);
  /* As a subreaper we, not init, inherit the grandchild. */
  deadline = mono_ms() + WAIT_MS;
  while (parent_of((pid_t)grandchild) != (long)getpid()) {
    ck_assert_msg(mono_ms() < deadline, "grandchild %ld not re-parented to us",
                  grandchild);
    short_nap();
  }
  track((pid_t)grandchild);
  ck_assert_int_eq(kill((pid_t)grandchild, SIGKILL), 0);
  snprintf(proc_path, sizeof(proc_path), "/proc/%ld", grandchild);
  deadline = mono_ms() + WAIT_MS;
  while (access(proc_path, F_OK) == 0) {
    ck_assert_msg(mono_ms() < deadline, "grandchild %ld never reaped",
                  grandchild);
    ck_assert_int_eq(proc_reap(pid, &status), 0); /* not the main child */
    short_nap();
  }
  untrack((pid_t)grandchild);
  ck_assert_int_eq(waitpid((pid_t)grandchild, NULL, WNOHANG), -1);
  ck_assert_int_eq(errno, ECHILD);
}
END_TEST

/* _i == 1: with a signalfd (proc_stop sleeps on it); 0: without. */
static void stop_mode(int with_signalfd)
{
  struct dk_err err = {0};

  if (with_signalfd)
    ck_assert_msg(proc_signals_init(&err) >= 0, "%s", err.msg);
}

START_TEST(stop_escalates_to_sigkill)
{
  const long grace_ms = 300;
  long long start;
  int report;
  pid_t pid;

  stop_mode(_i);
  pid = start_helper("ignoreterm", &report);
  expect_line(report, "ready");
  start = mono_ms();
  ck_assert_int_eq(proc_stop(pid, SIGTERM, grace_ms), 128 + SIGKILL);
  ck_assert_int_ge(mono_ms() - start, grace_ms);
  untrack(pid);
  close(report);
}
END_TEST

START_TEST(stop_is_prompt_when_child_obeys)
{
  long long start;
  int report;
  pid_t pid;

  stop_mode(_i);
  pid = start_helper("wait", &report);
  expect_line(report, "ready");
  start = mono_ms();
  ck_assert_int_eq(proc_stop(pid, SIGTERM, 5000), 128 + SIGTERM);
  ck_assert_int_lt(mono_ms() - start, test_ms(2000));
  untrack(pid);
  close(report);
}
END_TEST

/* A signal that comes in during the grace period goes on to the child: the
 * SIGUSR1 raised here waits on the signalfd until proc_stop reads it. */
START_TEST(stop_forwards_signals_while_waiting)
{
  struct dk_err err = {0};
  long long start;
  int report;
  pid_t pid;

  ck_assert_msg(proc_signals_init(&err) >= 0, "%s", err.msg);
  pid = start_helper("ignoreterm", &report);
  expect_line(report, "ready");
  ck_assert_int_eq(raise(SIGUSR1), 0);
  start = mono_ms();
  ck_assert_int_eq(proc_stop(pid, SIGTERM, 5000), 128 + SIGUSR1);
  ck_assert_int_lt(mono_ms() - start, test_ms(2000));
  untrack(pid);
  close(report);
}
END_TEST

START_TEST(stop_reaps_other_children)
{
  char *argv[] = {"true", NULL};
  long long deadline = mono_ms() + WAIT_MS;
  pid_t other = spawn_ok(argv);
  int report;
  pid_t pid = start_helper("wait", &report);

  expect_line(report, "ready");
  while (state_of(other) != 'Z') {
    ck_assert_msg(mono_ms() < deadline, "pid %ld did not exit", (long)other);
    short_nap();
  }
  ck_assert_int_eq(proc_stop(pid, SIGTERM, WAIT_MS), 128 + SIGTERM);
  untrack(pid);
  ck_assert_int_eq(waitpid(other, NULL, WNOHANG), -1); /* already reaped */
  ck_assert_int_eq(errno, ECHILD);
  untrack(other);
  close(report);
}
END_TEST

START_TEST(stop_unknown_pid_is_error)
{
  /* INT_MAX is never a pid, so nothing real gets the SIGTERM. */
  ck_assert_int_eq(proc_stop(INT_MAX, SIGTERM, 50), -1);
}
END_TEST

START_TEST(capture_separates_streams)
{
  char *argv[] = {"sh", "-c", "printf out; printf err >&2; exit 3", NULL};
  struct proc_output res;
  struct dk_err err = {0};

  ck_assert_int_eq(proc_run_capture(argv, WAIT_MS, 1024, &res, &err), DK_OK);
  ck_assert_str_eq(res.out, "out");
  ck_assert_uint_eq(res.out_len, 3);
  ck_assert_str_eq(res.err, "err");
  ck_assert_uint_eq(res.err_len, 3);
  ck_assert_int_eq(res.exit_code, 3);
  proc_output_free(&res);
  ck_assert(no_children_left());
}
END_TEST

/* 200000 bytes is more than a pipe holds: the child only finishes (exit 0,
 * not killed by SIGPIPE) if the rest is read and dropped. */
START_TEST(capture_respects_cap)
{
  char *argv[] = {"head", "-c", "200000", "/dev/zero", NULL};
  struct proc_output res;
  struct dk_err err = {0};

  ck_assert_int_eq(proc_run_capture(argv, WAIT_MS, 10, &res, &err), DK_OK);
  ck_assert_uint_eq(res.out_len, 10);
  ck_assert_int_eq(res.out[10], '\0');
  ck_assert_uint_eq(res.err_len, 0);
  ck_assert_str_eq(res.err, "");
  ck_assert_int_eq(res.exit_code, 0);
  proc_output_free(&res);
}
END_TEST

START_TEST(capture_timeout_kills_child)
{
  char *argv[] = {"sleep", "30", NULL};
  struct proc_output res;
  struct dk_err err = {0};
  long long start = mono_ms();

  ck_assert_int_eq(proc_run_capture(argv, 200, 64, &res, &err), DK_ETIMEOUT);
  ck_assert_int_lt(mono_ms() - start, test_ms(1000)); /* died on SIGTERM */
  ck_assert_ptr_nonnull(strstr(err.msg, "sleep"));
  ck_assert_int_eq(res.exit_code, 128 + SIGTERM);
  proc_output_free(&res);
  ck_assert(no_children_left());
}
END_TEST

/* EOF on both streams is not the end: the deadline still holds. */
START_TEST(capture_timeout_after_output_closed)
{
  char *argv[] = {"sh", "-c", "exec >&- 2>&-; exec sleep 30", NULL};
  struct proc_output res;
  struct dk_err err = {0};
  long long start = mono_ms();

  ck_assert_int_eq(proc_run_capture(argv, 300, 64, &res, &err), DK_ETIMEOUT);
  ck_assert_int_lt(mono_ms() - start, test_ms(1300));
  proc_output_free(&res);
  ck_assert(no_children_left());
}
END_TEST

START_TEST(capture_timeout_escalates_and_keeps_output)
{
  char *argv[] = {self_exe, NULL};
  struct proc_output res;
  struct dk_err err = {0};
  long long start = mono_ms();
  enum dk_code rc;

  setenv(HELPER_ENV, "ignoreterm", 1);
  setenv(HELPER_FD_ENV, "1", 1); /* reports on its stdout */
  rc = proc_run_capture(argv, 1000, 64, &res, &err);
  unsetenv(HELPER_ENV);
  unsetenv(HELPER_FD_ENV);
  ck_assert_int_eq(rc, DK_ETIMEOUT);
  ck_assert_int_ge(mono_ms() - start, 2000); /* timeout + 1 s grace */
  ck_assert_str_eq(res.out, "ready\n");
  ck_assert_int_eq(res.exit_code, 128 + SIGKILL);
  proc_output_free(&res);
  ck_assert(no_children_left());
}
END_TEST

START_TEST(capture_exec_failure)
{
  char *argv[] = {"dk-no-such-program", NULL};
  struct proc_output res;
  struct dk_err err = {0};

  ck_assert_int_eq(proc_run_capture(argv, WAIT_MS, 64, &res, &err), DK_EEXEC);
  ck_assert_ptr_nonnull(strstr(err.msg, "dk-no-such-program"));
  ck_assert_int_eq(res.exit_code, 127);
  ck_assert_str_eq(res.out, "");
  proc_output_free(&res);
  ck_assert(no_children_left());
}
END_TEST

START_TEST(capture_rejects_bad_arguments)
{
  char *argv[] = {"true", NULL};
  struct proc_output res;
  struct dk_err err = {0};

  ck_assert_int_eq(proc_run_capture(argv, 0, 64, &res, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "timeout"));
  proc_output_free(&res);
  ck_assert_int_eq(proc_run_capture(NULL, 100, 64, &res, &err), DK_EINVAL);
  proc_output_free(&res);
  ck_assert(no_children_left());
}
END_TEST

static TCase *new_case(const char *name)
{
  TCase *tc = tcase_create(name);

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 10);
  return tc;
}

Suite *make_proc_suite(void)
{
  Suite *s = suite_create("proc");
  TCase *spawn = new_case("spawn");
  TCase *sig = new_case("signals");
  TCase *stop = new_case("stop");
  TCase *capture = new_case("capture");

  tcase_add_loop_test(spawn, exit_code_propagates, 0,
                      (int)(sizeof(exit_codes) / sizeof(exit_codes[0])));
  tcase_add_loop_test(spawn, death_by_signal_is_128_plus_signal, 0,
                      (int)(sizeof(deaths) / sizeof(deaths[0])));
  tcase_add_test(spawn, missing_program_is_127);
  tcase_add_test(spawn, non_executable_file_is_126);
  tcase_add_test(spawn, spawn_rejects_empty_argv);
  tcase_add_test(spawn, child_gets_original_mask);
  tcase_add_test(spawn, child_gets_default_dispositions);
  tcase_add_test(spawn, child_has_own_process_group);
  suite_add_tcase(s, spawn);

  tcase_add_test(sig, signals_init_is_idempotent_and_undone);
  tcase_add_test(sig, forwarded_set_is_exact);
  tcase_add_test(sig, stop_pending_sees_only_unread_term_and_int);
  tcase_add_loop_test(sig, signal_is_forwarded_to_child, 0,
                      (int)(sizeof(forwarded) / sizeof(forwarded[0])));
  tcase_add_test(sig, kill_refuses_groups_and_ignores_gone);
  tcase_add_test(sig, orphaned_grandchild_is_reaped);
  suite_add_tcase(s, sig);

  tcase_add_loop_test(stop, stop_escalates_to_sigkill, 0, 2);
  tcase_add_loop_test(stop, stop_is_prompt_when_child_obeys, 0, 2);
  tcase_add_test(stop, stop_forwards_signals_while_waiting);
  tcase_add_test(stop, stop_reaps_other_children);
  tcase_add_test(stop, stop_unknown_pid_is_error);
  suite_add_tcase(s, stop);

  tcase_add_test(capture, capture_separates_streams);
  tcase_add_test(capture, capture_respects_cap);
  tcase_add_test(capture, capture_timeout_kills_child);
  tcase_add_test(capture, capture_timeout_after_output_closed);
  tcase_add_test(capture, capture_timeout_escalates_and_keeps_output);
  tcase_add_test(capture, capture_exec_failure);
  tcase_add_test(capture, capture_rejects_bad_arguments);
  suite_add_tcase(s, capture);
  return s;
}
