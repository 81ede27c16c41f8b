/* test_proc_capture.c: running a program to completion with its output
 * captured (proc_capture.c): stdout and stderr apart, the cap, the deadline
 * and its escalation to SIGKILL, a program that cannot run, bad arguments.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "proc_fixtures.h"
#include "tests.h"

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
Suite *make_proc_capture_suite(void)
{
  Suite *s = suite_create("proc_capture");
  TCase *capture = new_case("capture");

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
