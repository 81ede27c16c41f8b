/* test_k8s_watch.c: the watch-stream parser (k8s_watch.c) on events as the
 * API server writes them, whatever the chunking. */
#include <stdlib.h>
#include <string.h>

#include "k8s_fixtures.h"
#include "tests.h"

/* ---- pure parsing ------------------------------------------------------ */
/* Feeds watch_stream cut in two at many points, then byte by byte: the
 * same events come out, in order, whatever the chunking. */
START_TEST(watch_parser_any_chunking)
{
  char *stream = watch_stream();
  size_t len = strlen(stream);
  struct dk_err err = {0};

  for (size_t cut = 0; cut <= len; cut += 97) {
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(k8s_watch_parser_feed(p, stream, cut, &err), DK_OK);
    ck_assert_int_eq(k8s_watch_parser_feed(p, stream + cut, len - cut, &err),
                     DK_OK);
    ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
    assert_stream_events(&rec);
    ck_assert_uint_eq(k8s_watch_parser_events(p), 4);
    ck_assert_str_eq(k8s_watch_parser_resource_version(p), "48360");
    k8s_watch_parser_free(p);
  }
  {
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    for (size_t i = 0; i < len; i++)
      ck_assert_int_eq(k8s_watch_parser_feed(p, stream + i, 1, &err), DK_OK);
    ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
    assert_stream_events(&rec);
    k8s_watch_parser_free(p);
  }
  free(stream);
}
END_TEST

START_TEST(watch_parser_bookmark_moves_rv_only)
{
  static const char text[] = EV_ADDED "\r\n" EV_BOOKMARK "\n";
  struct recorder rec = {0};
  struct dk_err err = {0};
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, &rec);

  ck_assert_ptr_null(k8s_watch_parser_resource_version(p));
  ck_assert_int_eq(k8s_watch_parser_feed(p, text, strlen(text), &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(rec.ev[0].rv, "48300");
  ck_assert_str_eq(k8s_watch_parser_resource_version(p), "48350");
  k8s_watch_parser_free(p);
}
END_TEST

/* ERROR 410 is DK_EGONE; the failure sticks and later events are ignored;
 * the resourceVersion stays at the last good event. */
START_TEST(watch_parser_error_events)
{
  char *gone =
    join(EV_ADDED,
         EV_ERROR(410, "Expired", "too old resource version: 48213 (48500)"),
         EV_MODIFIED, NULL);
  static const char internal[] =
    EV_ERROR(500, "InternalError", "etcdserver: request timed out");
  struct recorder rec = {0};
  struct dk_err err = {0};
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, &rec);

  ck_assert_int_eq(k8s_watch_parser_feed(p, gone, strlen(gone), &err),
                   DK_EGONE);
  ck_assert_int_eq(err.http_status, 410);
  ck_assert_ptr_nonnull(strstr(err.msg, "too old resource version"));
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(k8s_watch_parser_resource_version(p), "48300");
  dk_err_clear(&err);
  ck_assert_int_eq(k8s_watch_parser_feed(p, EV_MODIFIED, 10, &err), DK_EGONE);
  ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_EGONE);
  ck_assert_uint_eq(rec.n, 1);
  k8s_watch_parser_free(p);

  p = k8s_watch_parser_new(label_keys, 0, record_event, &rec);
  ck_assert_int_eq(k8s_watch_parser_feed(p, internal, strlen(internal), &err),
                   DK_EHTTP);
  ck_assert_int_eq(err.http_status, 500);
  ck_assert_ptr_nonnull(strstr(err.msg, "etcdserver: request timed out"));
  k8s_watch_parser_free(p);
  free(gone);
}
END_TEST

START_TEST(watch_parser_rejects_bad_lines)
{
  static const char *const bad[] = {
    "<html><body>502 Bad Gateway</body></html>\n",
    "{\"type\":\"ADDED\"}\n",
    "{\"type\":\"RESYNC\",\"object\":{}}\n",
    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}\n",
    "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{}}}\n",
    "{\"type\":\"ERROR\",\"object\":{\"metadata\":{}}}\n",
  };
  struct dk_err err = {0};

  for (size_t i = 0; i < N_OF(bad); i++) {
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    ck_assert_msg(k8s_watch_parser_feed(p, bad[i], strlen(bad[i]), &err) ==
                    DK_EPARSE,
                  "case %zu: %s", i, err.msg);
    ck_assert_uint_eq(rec.n, 0);
    k8s_watch_parser_free(p);
  }
}
END_TEST

/* A line over the cap fails whether it comes whole or in pieces; an event
 * cut off by the end of the stream is an error, blank lines are not. */
START_TEST(watch_parser_limits_and_unfinished_events)
{
  static const char added[] = EV_ADDED;
  struct recorder rec = {0};
  struct dk_err err = {0};
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 1024, record_event, &rec);

  ck_assert_uint_gt(strlen(added), 1200);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added, strlen(added), &err),
                   DK_ETOOBIG);
  k8s_watch_parser_free(p);
  p = k8s_watch_parser_new(label_keys, 1024, record_event, &rec);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added, 600, &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added + 600, 600, &err),
                   DK_ETOOBIG);
  ck_assert_uint_eq(rec.n, 0);
  k8s_watch_parser_free(p);

  p = k8s_watch_parser_new(label_keys, 0, record_event, &rec);
  ck_assert_int_eq(k8s_watch_parser_feed(p, "\n \r\n", 4, &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added, 100, &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_EPARSE);
  ck_assert_ptr_nonnull(strstr(err.msg, "middle of an event"));
  k8s_watch_parser_free(p);
}
END_TEST

START_TEST(watch_parser_callback_can_stop)
{
  struct recorder rec = {.stop_after = 1};
  struct dk_err err = {0};
  char *stream = watch_stream();
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, &rec);

  ck_assert_int_eq(k8s_watch_parser_feed(p, stream, strlen(stream), &err),
                   DK_ECANCELED);
  ck_assert_uint_eq(rec.n, 1);
  k8s_watch_parser_free(p);
  free(stream);
}
END_TEST

/* A line of exactly len bytes (newline excluded): `head` then padding in
 * a string, then `tail`. */
static char *padded_line(const char *head, const char *tail, size_t len)
{
  size_t h = strlen(head), t = strlen(tail);
  char *line = malloc(len + 2);

  ck_assert_ptr_nonnull(line);
  ck_assert_uint_gt(len, h + t);
  memcpy(line, head, h);
  memset(line + h, 'x', len - h - t);
  memcpy(line + len - t, tail, t);
  line[len] = '\n';
  line[len + 1] = '\0';
  return line;
}

/* A line carried across chunks that fills the parser's line buffer to the
 * last byte (4 KiB first, doubled as it grows) must still be handed to
 * cJSON with a NUL after it: cJSON before 1.7.18 reads one byte past
 * `{"":"",` (CVE-2023-53154), which ASan and valgrind report here. A whole
 * event that fills the buffer still parses. */
START_TEST(watch_parser_carried_line_filling_its_buffer)
{
  static const size_t lens[] = {4095, 4096, 4097, 8191, 8192, 8193};
  struct dk_err err = {0};

  for (size_t i = 0; i < N_OF(lens); i++) {
    char *cut_short =
      padded_line("{\"type\":\"ADDED\",\"pad\":\"", "\",", lens[i]);
    char *whole =
      padded_line("{\"type\":\"ADDED\",\"object\":" POD_SERVER_1_PENDING(
                    "48300") ",\"pad\":\"",
                  "\"}", lens[i]);
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    ck_assert_int_eq(k8s_watch_parser_feed(p, cut_short, 1000, &err), DK_OK);
    ck_assert_int_eq(
      k8s_watch_parser_feed(p, cut_short + 1000, lens[i] + 1 - 1000, &err),
      DK_EPARSE);
    ck_assert_msg(strstr(err.msg, "invalid JSON"), "len %zu: %s", lens[i],
                  err.msg);
    k8s_watch_parser_free(p);

    p = k8s_watch_parser_new(label_keys, 0, record_event, &rec);
    ck_assert_int_eq(k8s_watch_parser_feed(p, whole, 1000, &err), DK_OK);
    ck_assert_msg(
      k8s_watch_parser_feed(p, whole + 1000, lens[i] + 1 - 1000, &err) == DK_OK,
      "len %zu: %s", lens[i], err.msg);
    ck_assert_uint_eq(rec.n, 1);
    ck_assert_str_eq(rec.ev[0].rv, "48300");
    ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
    k8s_watch_parser_free(p);
    free(cut_short);
    free(whole);
  }
}
END_TEST

Suite *make_k8s_watch_suite(void)
{
  Suite *s = suite_create("k8s_watch");
  TCase *parse = tcase_create("parse");

  tcase_add_test(parse, watch_parser_any_chunking);
  tcase_add_test(parse, watch_parser_bookmark_moves_rv_only);
  tcase_add_test(parse, watch_parser_error_events);
  tcase_add_test(parse, watch_parser_rejects_bad_lines);
  tcase_add_test(parse, watch_parser_limits_and_unfinished_events);
  tcase_add_test(parse, watch_parser_callback_can_stop);
  tcase_add_test(parse, watch_parser_carried_line_filling_its_buffer);
  suite_add_tcase(s, parse);
  return s;
}
