/* test_child.c: the child module with real processes (sh, sleep, and a
 * program that does not exist). */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "child.h"
#include "clock.h"
#include "log_capture.h"
#include "proc.h"
#include "tests.h"

#define WAIT_MS 5000L

/* Hands SIGCHLD to the child until it is reaped; its event. */
static enum child_event reap(struct child *c)
{
  long long deadline = clock_ms() + test_ms(WAIT_MS);
  struct timespec nap = {0, 2 * 1000000L};
  enum child_event ev;

  while ((ev = child_handle_signal(c, SIGCHLD)) != CHILD_EXITED) {
    ck_assert_int_eq(ev, CHILD_NONE);
    ck_assert_msg(clock_ms() < deadline, "the child did not exit in time");
    nanosleep(&nap, NULL);
  }
  return ev;
}

START_TEST(start_logs_the_command_and_reaps_the_exit)
{
  char *argv[] = {"sh", "-c", "exit 3", NULL};
  struct child c = {0};
  struct log_capture lc;
  struct dk_err err = {0};
  pid_t pid;

  log_capture_begin(&lc);
  ck_assert_int_eq(child_start(&c, argv, &err), DK_OK);
  log_capture_end(&lc);
  ck_assert_ptr_nonnull(strstr(lc.text, "starting: sh -c"));
  ck_assert_int_gt(c.pid, 0);
  ck_assert(!c.exited);
  pid = c.pid;
  ck_assert_int_eq(reap(&c), CHILD_EXITED);
  ck_assert_int_eq(c.status, 3);
  ck_assert(c.exited);
  ck_assert_int_eq(c.pid, 0);
  ck_assert_int_eq(c.last, pid); /* for the message */
}
END_TEST

START_TEST(missing_program_is_127)
{
  char *argv[] = {"/nonexistent/dkron", "agent", NULL};
  struct child c = {0};
  struct log_capture lc;
  struct dk_err err = {0};

  log_capture_begin(&lc);
  ck_assert_int_eq(child_start(&c, argv, &err), DK_EEXEC);
  log_capture_end(&lc);
  ck_assert_msg(strstr(lc.text, "cannot start dkron: "), "%s", lc.text);
  ck_assert_ptr_nonnull(strstr(lc.text, "(set --dkron / DKRON_BIN)"));
  /* The child that failed to exec is left to be collected. */
  ck_assert_int_gt(c.pid, 0);
  ck_assert(!c.exited);
  ck_assert_int_eq(child_wait(&c), 127);
  ck_assert(c.exited);
  ck_assert_int_eq(c.pid, 0);
  ck_assert_int_eq(child_wait(&c), 127); /* nothing left: the same answer */
}
END_TEST

START_TEST(stop_signals_are_the_callers)
{
  struct child c = {0};

  ck_assert_int_eq(child_handle_signal(&c, SIGTERM), CHILD_STOP);
  ck_assert_int_eq(child_handle_signal(&c, SIGINT), CHILD_STOP);
  /* No child: nothing to forward to, the signal is dropped. */
  ck_assert_int_eq(child_handle_signal(&c, SIGHUP), CHILD_NONE);
  ck_assert_int_eq(child_handle_signal(&c, SIGUSR1), CHILD_NONE);
  /* No child: SIGCHLD only reaps orphans. */
  ck_assert_int_eq(child_handle_signal(&c, SIGCHLD), CHILD_NONE);
  ck_assert(!c.exited);
}
END_TEST

START_TEST(other_signals_are_forwarded)
{
  char *argv[] = {"sleep", "30", NULL};
  struct child c = {0};
  struct dk_err err = {0};
  struct log_capture lc;

  log_capture_begin(&lc);
  ck_assert_int_eq(child_start(&c, argv, &err), DK_OK);
  ck_assert_int_eq(child_handle_signal(&c, SIGHUP), CHILD_FORWARDED);
  log_capture_end(&lc);
  ck_assert_int_eq(reap(&c), CHILD_EXITED);
  ck_assert_int_eq(c.status, 128 + SIGHUP);
}
END_TEST

START_TEST(stop_ends_the_child_once)
{
  char *argv[] = {"sleep", "30", NULL};
  struct child c = {0};
  struct dk_err err = {0};
  struct log_capture lc;

  log_capture_begin(&lc);
  ck_assert_int_eq(child_start(&c, argv, &err), DK_OK);
  ck_assert_int_eq(child_stop(&c, SIGTERM, test_ms(WAIT_MS)), 128 + SIGTERM);
  log_capture_end(&lc);
  ck_assert(c.exited);
  ck_assert_int_eq(c.status, 128 + SIGTERM);
  ck_assert_int_eq(c.pid, 0);
  ck_assert_int_eq(child_stop(&c, SIGTERM, 0), -1);
  ck_assert_int_eq(c.status, 128 + SIGTERM);
}
END_TEST

Suite *make_child_suite(void)
{
  Suite *s = suite_create("child");
  TCase *tc = tcase_create("child");

  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, start_logs_the_command_and_reaps_the_exit);
  tcase_add_test(tc, missing_program_is_127);
  tcase_add_test(tc, stop_signals_are_the_callers);
  tcase_add_test(tc, other_signals_are_forwarded);
  tcase_add_test(tc, stop_ends_the_child_once);
  suite_add_tcase(s, tc);
  return s;
}
