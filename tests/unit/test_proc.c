/* test_proc.c: the proc module (proc.c) against real child processes,
 * with the test binary as its own helper program (proc_fixtures.c):
 * spawning, exit statuses, signals, reaping, stopping. Running a program
 * with its output captured has its own suite (test_proc_capture.c). */
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
#include "proc_fixtures.h"
#include "tests.h"

static void short_nap(void)
{
  struct timespec ts = {0, 2 * 1000000L};

  nanosleep(&ts, NULL);
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
  /* raise(), not kill(getpid()): without a fork per test (valgrind) an
   * earlier test's threads may still run, and a process-wide signal can
   * land on one that does not block it. */
  raise(SIGHUP); /* forwarded, but not a stop */
  ck_assert_int_eq(proc_stop_pending(NULL), 0);
  ck_assert_int_eq(next_signal(fd), SIGHUP);
  raise(SIGTERM);
  ck_assert_int_eq(proc_stop_pending(NULL), 1);
  ck_assert_int_eq(next_signal(fd), SIGTERM); /* read: no longer pending */
  ck_assert_int_eq(proc_stop_pending(NULL), 0);
  raise(SIGINT);
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

Suite *make_proc_suite(void)
{
  Suite *s = suite_create("proc");
  TCase *spawn = new_case("spawn");
  TCase *sig = new_case("signals");
  TCase *stop = new_case("stop");

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
  return s;
}
