/* test_wire_codecs.c: the msgpack subset and the LZW decoder that the
 * memberlist exchange (gossip.c) is built on. The LZW streams come from
 * an encoder here that follows Go's compress/lzw writer (LSB, 8-bit
 * literals: a clear code first, the width growing at 2^width, a clear
 * when the next code would be 4095), plus one stream Go itself wrote.
 * That encoder was checked byte for byte against Go's on the 200,000-byte
 * input of the round-trip test (148,681 bytes, the same sha256). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "lzw.h"
#include "lzw_fixture.h"
#include "msgpack.h"
#include "tests.h"

START_TEST(msgpack_round_trip_of_each_kind)
{
  static const uint64_t ints[] = {
    0, 1, 127, 128, 255, 256, 65535, 65536, UINT32_MAX, 1ull << 32, UINT64_MAX};
  char long_str[70000];
  struct dynbuf b;
  struct msgpack_reader r;
  struct dk_err err;
  const unsigned char *s;
  size_t n;
  uint64_t v;
  bool t;

  memset(long_str, 'x', sizeof(long_str));
  dynbuf_init(&b, 1 << 20);
  msgpack_put_map(&b, 2);
  msgpack_put_array(&b, 20);
  msgpack_put_map(&b, 70000);
  for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
    msgpack_put_uint(&b, ints[i]);
  msgpack_put_cstr(&b, "");
  msgpack_put_cstr(&b, "Incarnation");
  msgpack_put_str(&b, long_str, 40);
  msgpack_put_str(&b, long_str, 300);
  msgpack_put_str(&b, long_str, sizeof(long_str));
  msgpack_put_bool(&b, true);
  msgpack_put_bool(&b, false);
  ck_assert_int_eq(b.failed, DK_OK);

  msgpack_reader_init(&r, b.data, b.len);
  ck_assert_int_eq(msgpack_get_map(&r, &n, &err), DK_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(msgpack_get_array(&r, &n, &err), DK_OK);
  ck_assert_uint_eq(n, 20);
  ck_assert_int_eq(msgpack_get_map(&r, &n, &err), DK_OK);
  ck_assert_uint_eq(n, 70000);
  for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
    ck_assert_int_eq(msgpack_get_uint(&r, &v, &err), DK_OK);
    ck_assert_uint_eq(v, ints[i]);
  }
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert(msgpack_key_is(s, n, "Incarnation"));
  ck_assert(!msgpack_key_is(s, n, "Incarnatio"));
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert_uint_eq(n, 40);
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert_uint_eq(n, 300);
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert_uint_eq(n, sizeof(long_str));
  ck_assert_mem_eq(s, long_str, n);
  ck_assert_int_eq(msgpack_get_bool(&r, &t, &err), DK_OK);
  ck_assert(t);
  ck_assert_int_eq(msgpack_get_bool(&r, &t, &err), DK_OK);
  ck_assert(!t);
  ck_assert_uint_eq(r.pos, r.len);
  dynbuf_free(&b);
}
END_TEST

START_TEST(msgpack_reads_what_go_writes)
{
  /* go-msgpack: a nil []byte is nil, bin8 and str8 from newer writers,
   * a small negative-capable int as int8 */
  static const unsigned char in[] = {0xc0, 0xc4, 2,    'h',  'i',  0xd9, 1,
                                     'x',  0xd0, 0x05, 0xd1, 0x01, 0x00};
  struct msgpack_reader r;
  struct dk_err err;
  const unsigned char *s;
  size_t n;
  uint64_t v;

  msgpack_reader_init(&r, in, sizeof(in));
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert(msgpack_key_is(s, n, "hi"));
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_OK);
  ck_assert(msgpack_key_is(s, n, "x"));
  ck_assert_int_eq(msgpack_get_uint(&r, &v, &err), DK_OK);
  ck_assert_uint_eq(v, 5);
  ck_assert_int_eq(msgpack_get_uint(&r, &v, &err), DK_OK);
  ck_assert_uint_eq(v, 256);
}
END_TEST

START_TEST(msgpack_refuses_bad_input_without_moving)
{
  static const unsigned char neg[] = {0xd0, 0xff};
  static const unsigned char short_str[] = {0xda, 0x01, 0x00, 'a'};
  static const unsigned char not_a_map[] = {0x93, 1, 2, 3};
  struct msgpack_reader r;
  struct dk_err err;
  const unsigned char *s;
  size_t n;
  uint64_t v;

  msgpack_reader_init(&r, neg, sizeof(neg));
  ck_assert_int_eq(msgpack_get_uint(&r, &v, &err), DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "negative"), "%s", err.msg);
  ck_assert_uint_eq(r.pos, 0);
  msgpack_reader_init(&r, short_str, sizeof(short_str));
  ck_assert_int_eq(msgpack_get_str(&r, &s, &n, &err), DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "truncated"), "%s", err.msg);
  ck_assert_uint_eq(r.pos, 0);
  msgpack_reader_init(&r, not_a_map, sizeof(not_a_map));
  ck_assert_int_eq(msgpack_get_map(&r, &n, &err), DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "expected a map"), "%s", err.msg);
  msgpack_reader_init(&r, not_a_map, 0);
  ck_assert_int_eq(msgpack_get_bool(&r, &(bool){0}, &err), DK_EPARSE);
}
END_TEST

START_TEST(msgpack_skip_passes_nested_values_and_stops_deep_ones)
{
  /* {"a": [1, {"b": "cd"}, 1.5], "e": ext} then 7 */
  static const unsigned char in[] = {
    0x82, 0xa1, 'a', 0x93, 0x01, 0x81, 0xa1, 'b',  0xa2, 'c',  'd', 0xcb, 0,
    0,    0,    0,   0,    0,    0,    0,    0xa1, 'e',  0xd4, 1,   2,    0x07};
  unsigned char deep[MSGPACK_MAX_DEPTH + 2];
  struct msgpack_reader r;
  struct dk_err err;
  uint64_t v;

  msgpack_reader_init(&r, in, sizeof(in));
  ck_assert_int_eq(msgpack_skip(&r, &err), DK_OK);
  ck_assert_int_eq(msgpack_get_uint(&r, &v, &err), DK_OK);
  ck_assert_uint_eq(v, 7);
  /* every prefix is truncated, and the cursor stays */
  for (size_t len = 0; len < sizeof(in) - 1; len++) {
    msgpack_reader_init(&r, in, len);
    ck_assert_int_eq(msgpack_skip(&r, &err), DK_EPARSE);
    ck_assert_uint_eq(r.pos, 0);
  }
  memset(deep, 0x91, sizeof(deep)); /* [[[[...]]]] */
  deep[sizeof(deep) - 1] = 0x01;
  msgpack_reader_init(&r, deep, sizeof(deep));
  ck_assert_int_eq(msgpack_skip(&r, &err), DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "nested deeper"), "%s", err.msg);
  /* a huge announced map in a few bytes is truncated, not a long loop */
  msgpack_reader_init(
    &r, (const unsigned char[]){0xdf, 0xff, 0xff, 0xff, 0xff, 0x01}, 6);
  ck_assert_int_eq(msgpack_skip(&r, &err), DK_EPARSE);
}
END_TEST

START_TEST(lzw_decodes_what_go_wrote)
{
  static const char text[] =
    "TOBEORNOTTOBEORTOBEORNOT#TOBEORNOTTOBEORTOBEORNOT";
  /* compress/lzw.NewWriter(w, lzw.LSB, 8) of text */
  static const unsigned char go[] = {
    0x00, 0xa9, 0x3c, 0x11, 0x52, 0xe4, 0x89, 0x14, 0x27, 0x4f, 0xa8,
    0x08, 0x24, 0x68, 0x70, 0x61, 0xc1, 0x83, 0x09, 0x47, 0x38, 0x34,
    0x88, 0x50, 0xe1, 0xc0, 0x87, 0x13, 0x21, 0x52, 0x09, 0x08};
  struct dynbuf out, mine;
  struct dk_err err;

  dynbuf_init(&out, 1024);
  ck_assert_int_eq(lzw_decode(go, sizeof(go), &out, &err), DK_OK);
  ck_assert_str_eq(dynbuf_str(&out), text);
  /* and the test's encoder writes the very same bytes */
  dynbuf_init(&mine, 1024);
  lzw_encode((const unsigned char *)text, strlen(text), &mine);
  ck_assert_uint_eq(mine.len, sizeof(go));
  ck_assert_mem_eq(mine.data, go, sizeof(go));
  dynbuf_free(&mine);
  dynbuf_free(&out);
}
END_TEST

START_TEST(lzw_round_trips_through_every_width_and_clear)
{
  /* repetitive text grows the table through 9..12 bits; noise fills it
   * until the encoder clears it, several times */
  size_t len = 200000;
  unsigned char *in = malloc(len);
  uint32_t x = 12345;
  struct dynbuf packed, out;
  struct dk_err err;

  ck_assert_ptr_nonnull(in);
  for (size_t i = 0; i < len; i++) {
    x = x * 1103515245u + 12345u;
    in[i] = i % 3000 < 1500 ? (unsigned char)"name\0addr:port"[i % 14]
                            : (unsigned char)(x >> 16);
  }
  for (size_t sizes = 0; sizes < 3; sizes++) {
    size_t n = sizes == 0 ? 0 : sizes == 1 ? 1 : len;
    dynbuf_init(&packed, 1 << 20);
    dynbuf_init(&out, 1 << 20);
    lzw_encode(in, n, &packed);
    ck_assert_int_eq(packed.failed, DK_OK);
    ck_assert_int_eq(
      lzw_decode((const unsigned char *)packed.data, packed.len, &out, &err),
      DK_OK);
    ck_assert_uint_eq(out.len, n);
    if (n)
      ck_assert_mem_eq(out.data, in, n);
    dynbuf_free(&packed);
    dynbuf_free(&out);
  }
  free(in);
}
END_TEST

START_TEST(lzw_refuses_bad_streams)
{
  static const char text[] = "abcabcabcabcabcabcabc";
  struct dynbuf packed, out;
  struct dk_err err;
  /* a clear, then code 300 (not yet defined), 9 bits each, LSB first */
  const unsigned char bad[] = {0x00, 0x59, 0x02};

  dynbuf_init(&packed, 1024);
  lzw_encode((const unsigned char *)text, strlen(text), &packed);
  /* cut before the end code */
  dynbuf_init(&out, 1024);
  ck_assert_int_eq(
    lzw_decode((const unsigned char *)packed.data, packed.len - 2, &out, &err),
    DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "without its end code"), "%s", err.msg);
  dynbuf_free(&out);
  /* an output cap smaller than the text */
  dynbuf_init(&out, 10);
  ck_assert_int_eq(
    lzw_decode((const unsigned char *)packed.data, packed.len, &out, &err),
    DK_ETOOBIG);
  dynbuf_free(&out);
  dynbuf_init(&out, 1024);
  ck_assert_int_eq(lzw_decode(bad, sizeof(bad), &out, &err), DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "invalid code 300"), "%s", err.msg);
  dynbuf_free(&out);
  dynbuf_free(&packed);
}
END_TEST

Suite *make_wire_codecs_suite(void)
{
  Suite *s = suite_create("wire_codecs");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, msgpack_round_trip_of_each_kind);
  tcase_add_test(tc, msgpack_reads_what_go_writes);
  tcase_add_test(tc, msgpack_refuses_bad_input_without_moving);
  tcase_add_test(tc, msgpack_skip_passes_nested_values_and_stops_deep_ones);
  tcase_add_test(tc, lzw_decodes_what_go_wrote);
  tcase_add_test(tc, lzw_round_trips_through_every_width_and_clear);
  tcase_add_test(tc, lzw_refuses_bad_streams);
  suite_add_tcase(s, tc);
  return s;
}
