/* test_runtime.c: the process-wide start-up both entrypoints share: the
 * handled signals blocked and read from a signalfd, the child subreaper;
 * and that runtime_finish gives it all back, after a full start, a failed
 * one, or none. (The libraries' global set-up is not observable here:
 * c-ares 1.18 reports itself initialised on Linux either way.) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log_capture.h"
#include "proc.h"
#include "runtime.h"
#include "tests.h"

/* The signals runtime_start blocks: the forwarded ones and SIGCHLD. */
static const int handled[] = {SIGTERM, SIGINT,  SIGHUP, SIGQUIT,
                              SIGUSR1, SIGUSR2, SIGCHLD};
#define N_HANDLED (sizeof(handled) / sizeof(handled[0]))

/* What runtime_start changes, to compare before and after. */
struct process_state {
  sigset_t mask;
  int subreaper;
};

static void observe(struct process_state *s)
{
  ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, NULL, &s->mask), 0);
  s->subreaper = -1; /* defined for valgrind, which does not see the write */
  ck_assert_int_eq(prctl(PR_GET_CHILD_SUBREAPER, &s->subreaper, 0L, 0L, 0L), 0);
}

static void assert_same(const struct process_state *a,
                        const struct process_state *b)
{
  for (size_t i = 0; i < N_HANDLED; i++)
    ck_assert_msg(
      sigismember(&a->mask, handled[i]) == sigismember(&b->mask, handled[i]),
      "signal %s: blocked %d, then %d", strsignal(handled[i]),
      sigismember(&a->mask, handled[i]), sigismember(&b->mask, handled[i]));
  ck_assert_int_eq(a->subreaper, b->subreaper);
}

/* Raises sig (blocked) and reads it back from the signalfd. */
static void assert_delivered(int sigfd, int sig)
{
  ck_assert_int_eq(raise(sig), 0);
  ck_assert_int_eq(proc_signal_read(sigfd), sig);
  ck_assert_int_eq(proc_signal_read(sigfd), 0);
}

START_TEST(start_blocks_the_signals_and_reads_them_from_a_signalfd)
{
  struct process_state before, during;
  int fd;

  observe(&before);
  fd = runtime_start();
  ck_assert_int_ge(fd, 0);
  observe(&during);
  for (size_t i = 0; i < N_HANDLED; i++)
    ck_assert_msg(sigismember(&during.mask, handled[i]) == 1,
                  "%s is not blocked", strsignal(handled[i]));
  /* Not PID 1: orphaned grandchildren come to us, not to the real init. */
  ck_assert_int_eq(during.subreaper, getpid() != 1);
  /* Non-blocking: nothing pending reads as 0. */
  ck_assert_int_eq(proc_signal_read(fd), 0);
  assert_delivered(fd, SIGTERM);
  assert_delivered(fd, SIGUSR1);
  assert_delivered(fd, SIGCHLD);
  runtime_finish();
}
END_TEST

START_TEST(finish_gives_everything_back_and_a_new_start_works)
{
  struct process_state before, after;
  int fd;

  observe(&before);
  fd = runtime_start();
  ck_assert_int_ge(fd, 0);
  runtime_finish();
  observe(&after);
  assert_same(&before, &after);
  errno = 0;
  ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
  ck_assert_int_eq(errno, EBADF);
  /* A second finish has nothing left to undo. */
  runtime_finish();
  observe(&after);
  assert_same(&before, &after);

  fd = runtime_start();
  ck_assert_int_ge(fd, 0);
  assert_delivered(fd, SIGHUP);
  runtime_finish();
  observe(&after);
  assert_same(&before, &after);
}
END_TEST

/* With no file descriptor left for the signalfd, the start fails, says
 * why, and leaves the signals as they were; runtime_finish after it is
 * harmless. */
START_TEST(a_failed_start_says_why_and_changes_nothing)
{
  struct process_state before, after;
  struct log_capture lc;
  struct rlimit saved, low;
  int lowest, fd;

  observe(&before);
  log_capture_begin(&lc);
  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
  lowest = dup(STDIN_FILENO); /* the lowest free descriptor */
  ck_assert_int_ge(lowest, 0);
  close(lowest);
  low = saved;
  low.rlim_cur = (rlim_t)lowest; /* every descriptor from there refused */
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
  fd = runtime_start();
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
  log_capture_end(&lc);
  ck_assert_int_eq(fd, -1);
  ck_assert_msg(strstr(lc.text, "cannot set up signal handling") &&
                  strstr(lc.text, "signalfd"),
                "logged: %s", lc.text);
  observe(&after);
  assert_same(&before, &after);
  runtime_finish();
  observe(&after);
  assert_same(&before, &after);
}
END_TEST

START_TEST(finish_without_a_start_does_nothing)
{
  struct process_state before, after;

  observe(&before);
  runtime_finish();
  observe(&after);
  assert_same(&before, &after);
}
END_TEST

Suite *make_runtime_suite(void)
{
  Suite *s = suite_create("runtime");
  TCase *tc = tcase_create("runtime");

  tcase_add_test(tc, start_blocks_the_signals_and_reads_them_from_a_signalfd);
  tcase_add_test(tc, finish_gives_everything_back_and_a_new_start_works);
  tcase_add_test(tc, a_failed_start_says_why_and_changes_nothing);
  tcase_add_test(tc, finish_without_a_start_does_nothing);
  suite_add_tcase(s, tc);
  return s;
}
