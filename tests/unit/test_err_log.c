/* test_err_log.c: error messages and log line formats. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "tests.h"

/* Runs one log call with output captured through a pipe. */
static void capture(enum log_format fmt, enum log_level min, enum log_level lv,
                    const char *msg, char *out, size_t outlen)
{
  int fds[2];
  ssize_t n;

  ck_assert_int_eq(pipe(fds), 0);
  log_setup("unit", min, fmt);
  log_set_fd(fds[1]);
  log_msg(lv, "%s", msg);
  log_set_fd(STDERR_FILENO);
  close(fds[1]);
  n = read(fds[0], out, outlen - 1);
  close(fds[0]);
  out[n < 0 ? 0 : n] = '\0';
}

START_TEST(text_line_has_time_level_component)
{
  char out[512];

  capture(LOG_FORMAT_TEXT, LOG_INFO, LOG_WARN, "peers pending: a, b", out,
          sizeof(out));
  /* 2026-11-22T07:03:01.123Z WARN  unit: peers pending: a, b\n */
  ck_assert_msg(strlen(out) > 25 && out[4] == '-' && out[10] == 'T' &&
                  out[23] == 'Z',
                "no timestamp: %s", out);
  ck_assert_ptr_nonnull(strstr(out, " WARN  unit: peers pending: a, b\n"));
}
END_TEST

START_TEST(json_line_escapes_message)
{
  char out[512];

  capture(LOG_FORMAT_JSON, LOG_DEBUG, LOG_ERROR, "bad \"x\"\n\\ \x01", out,
          sizeof(out));
  ck_assert_ptr_nonnull(strstr(out, "\"level\":\"error\""));
  ck_assert_ptr_nonnull(strstr(out, "\"component\":\"unit\""));
  ck_assert_ptr_nonnull(
    strstr(out, "\"msg\":\"bad \\\"x\\\"\\n\\\\ \\u0001\"}\n"));
}
END_TEST

/* One log_fields call with output captured, pod set to "dkron-server-0". */
static void capture_fields(enum log_format fmt, char *out, size_t outlen)
{
  int fds[2];
  ssize_t n;

  ck_assert_int_eq(pipe(fds), 0);
  log_setup("unit", LOG_INFO, fmt);
  log_set_pod("dkron-server-0");
  log_set_fd(fds[1]);
  LOG_KV(LOG_INFO,
         FIELDS(LOG_STR("peer", "dkron-server-3"), LOG_STR("reason", "a b=c"),
                LOG_NUM("duration_ms", 1234), LOG_STR("status", "")),
         "removed %s", "dkron-server-3");
  log_set_fd(STDERR_FILENO);
  log_set_pod(NULL);
  close(fds[1]);
  n = read(fds[0], out, outlen - 1);
  close(fds[0]);
  out[n < 0 ? 0 : n] = '\0';
}

START_TEST(fields_are_members_in_json_and_pairs_in_text)
{
  char out[1024];

  capture_fields(LOG_FORMAT_JSON, out, sizeof(out));
  ck_assert_msg(strstr(out, "\"msg\":\"removed dkron-server-3\","
                            "\"pod\":\"dkron-server-0\","
                            "\"peer\":\"dkron-server-3\","
                            "\"reason\":\"a b=c\",\"duration_ms\":1234,"
                            "\"status\":\"\"}\n"),
                "%s", out);
  capture_fields(LOG_FORMAT_TEXT, out, sizeof(out));
  ck_assert_msg(strstr(out, " INFO  unit: removed dkron-server-3 "
                            "pod=dkron-server-0 peer=dkron-server-3 "
                            "reason=\"a b=c\" duration_ms=1234 status=\"\"\n"),
                "%s", out);
}
END_TEST

START_TEST(below_level_is_silent)
{
  char out[128];

  capture(LOG_FORMAT_TEXT, LOG_WARN, LOG_INFO, "hidden", out, sizeof(out));
  ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(level_and_format_names)
{
  enum log_level lv;
  enum log_format f;

  ck_assert_int_eq(log_parse_level("debug", &lv), 0);
  ck_assert_int_eq(lv, LOG_DEBUG);
  ck_assert_int_eq(log_parse_level("warning", &lv), 0);
  ck_assert_int_eq(lv, LOG_WARN);
  ck_assert_int_eq(log_parse_level("loud", &lv), -1);
  ck_assert_int_eq(log_parse_format("json", &f), 0);
  ck_assert_int_eq(f, LOG_FORMAT_JSON);
  ck_assert_int_eq(log_parse_format("xml", &f), -1);
}
END_TEST

START_TEST(err_set_and_prefix)
{
  struct dk_err e;

  dk_err_clear(&e);
  ck_assert_int_eq(dk_err_set(&e, DK_ETIMEOUT, "GET %s: stalled", "/x"),
                   DK_ETIMEOUT);
  ck_assert_int_eq(dk_err_prefix(&e, "list pods in %s", "ns"), DK_ETIMEOUT);
  ck_assert_str_eq(e.msg, "list pods in ns: GET /x: stalled");
  ck_assert_str_eq(dk_code_name(DK_EFORBIDDEN), "forbidden");
}
END_TEST

Suite *make_err_log_suite(void)
{
  Suite *s = suite_create("err_log");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, text_line_has_time_level_component);
  tcase_add_test(tc, json_line_escapes_message);
  tcase_add_test(tc, fields_are_members_in_json_and_pairs_in_text);
  tcase_add_test(tc, below_level_is_silent);
  tcase_add_test(tc, level_and_format_names);
  tcase_add_test(tc, err_set_and_prefix);
  suite_add_tcase(s, tc);
  return s;
}
