/* test_raft_wire.c: Raft's TimeoutNow as hashicorp/raft's network transport
 * frames it, against a small TCP peer in a thread that records what it got
 * and answers as raft would (accept, refuse, hang up, or say nothing). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "net_fixtures.h"
#include "raft_wire.h"
#include "tests.h"

/* The request raft's Go side decodes: rpcTimeoutNow (3), then the msgpack
 * map {"ProtocolVersion": 3}. */
static const unsigned char expected_request[] = {
  3,   0x81, 0xaf, 'P', 'r', 'o', 't', 'o', 'c', 'o',
  'l', 'V',  'e',  'r', 's', 'i', 'o', 'n', 3};

struct peer {
  int listen_fd;
  long port;
  const unsigned char *answer; /* NULL: close without a word */
  size_t answer_len;
  bool silent; /* hold the connection, answer nothing */
  unsigned char got[64];
  size_t got_len;
  pthread_t thread;
};

static void *peer_main(void *arg)
{
  struct peer *p = arg;
  int fd = accept(p->listen_fd, NULL, NULL);
  ssize_t n;

  if (fd < 0)
    return NULL;
  while (p->got_len < sizeof(expected_request) &&
         (n = read(fd, p->got + p->got_len, sizeof(p->got) - p->got_len)) > 0)
    p->got_len += (size_t)n;
  if (p->silent)
    usleep(1500 * 1000);
  else if (p->answer && write(fd, p->answer, p->answer_len) < 0)
    perror("test peer: write");
  close(fd);
  return NULL;
}

static void peer_start(struct peer *p)
{
  unsigned short port;

  p->listen_fd = loopback_socket(SOCK_STREAM, 4, &port);
  p->port = port;
  ck_assert_int_eq(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

static void peer_stop(struct peer *p)
{
  pthread_join(p->thread, NULL);
  close(p->listen_fd);
}

START_TEST(timeout_now_accepted)
{
  /* "" (no error), then an empty TimeoutNowResponse map */
  static const unsigned char ok[] = {0xa0, 0x80};
  struct peer p = {.answer = ok, .answer_len = sizeof(ok)};
  struct dk_err err;

  peer_start(&p);
  dk_err_clear(&err);
  ck_assert_int_eq(raft_timeout_now("127.0.0.1", p.port, 2000, &err), DK_OK);
  peer_stop(&p);
  ck_assert_uint_eq(p.got_len, sizeof(expected_request));
  ck_assert_mem_eq(p.got, expected_request, sizeof(expected_request));
}
END_TEST

START_TEST(timeout_now_refused_with_reason)
{
  /* raft's checkRPCHeader: an error string, then nil */
  static const unsigned char no[] = {
    0xb8, 'u', 'n', 's', 'u', 'p', 'p', 'o', 'r', 't', 'e', 'd', ' ',
    'p',  'r', 'o', 't', 'o', 'c', 'o', 'l', ' ', 'v', 'e', 'r', 0xc0};
  struct peer p = {.answer = no, .answer_len = sizeof(no)};
  struct dk_err err;

  peer_start(&p);
  dk_err_clear(&err);
  ck_assert_int_eq(raft_timeout_now("127.0.0.1", p.port, 2000, &err), DK_EEXEC);
  ck_assert_msg(strstr(err.msg, "unsupported protocol ver"), "%s", err.msg);
  peer_stop(&p);
}
END_TEST

START_TEST(timeout_now_failures_are_named)
{
  struct peer hangup = {.answer = NULL};
  struct peer silent = {.silent = true};
  static const unsigned char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
  struct peer tls = {.answer = http, .answer_len = sizeof(http) - 1};
  struct dk_err err;
  long long t0;

  peer_start(&hangup);
  ck_assert_int_eq(raft_timeout_now("127.0.0.1", hangup.port, 2000, &err),
                   DK_ECONNECT);
  ck_assert_msg(strstr(err.msg, "closed the connection"), "%s", err.msg);
  peer_stop(&hangup);

  peer_start(&silent);
  t0 = clock_ms();
  ck_assert_int_eq(raft_timeout_now("127.0.0.1", silent.port, 300, &err),
                   DK_ETIMEOUT);
  ck_assert_int_lt(clock_ms() - t0, test_ms(1000));
  peer_stop(&silent);

  peer_start(&tls);
  ck_assert_int_eq(raft_timeout_now("127.0.0.1", tls.port, 2000, &err),
                   DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "not a Raft answer"), "%s", err.msg);
  peer_stop(&tls);

  /* nobody listens (the port of a closed socket) */
  ck_assert_int_eq(raft_timeout_now("127.0.0.1", tls.port, 2000, &err),
                   DK_ECONNECT);
  ck_assert_int_eq(raft_timeout_now("not-an-ip", 6868, 2000, &err), DK_EINVAL);
}
END_TEST

START_TEST(response_parser_waits_for_the_whole_string)
{
  static const unsigned char str8[] = {0xd9, 5, 'b', 'u', 's', 'y', '!'};
  struct dk_err err;
  int done;

  ck_assert_int_eq(raft_parse_response(str8, 0, &done, &err), DK_OK);
  ck_assert_int_eq(done, 0);
  ck_assert_int_eq(raft_parse_response(str8, 4, &done, &err), DK_OK);
  ck_assert_int_eq(done, 0);
  ck_assert_int_eq(raft_parse_response(str8, sizeof(str8), &done, &err),
                   DK_EEXEC);
  ck_assert_int_eq(done, 1);
  ck_assert_msg(strstr(err.msg, "busy!"), "%s", err.msg);
}
END_TEST

Suite *make_raft_wire_suite(void)
{
  Suite *s = suite_create("raft_wire");
  TCase *tc = tcase_create("timeout_now");

  tcase_add_test(tc, timeout_now_accepted);
  tcase_add_test(tc, timeout_now_refused_with_reason);
  tcase_add_test(tc, timeout_now_failures_are_named);
  tcase_add_test(tc, response_parser_waits_for_the_whole_string);
  suite_add_tcase(s, tc);
  return s;
}
