/* test_receiver.c: the webhook receiver, its store and its HTTP handlers
 * on a real socket: the exact JSON of GET /logs, the caps and their
 * statuses, bad tokens, wrong methods and paths, and threads calling one
 * token at once (every call counted). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"

#include "http.h"
#include "receiver.h"
#include "store.h"
#include "tests.h"

#define STAMP_A "2021-03-27T18:59:30.072822641+01:00"
#define STAMP_B "2021-03-27T18:59:31.000000001+01:00"

START_TEST(store_renders_the_seed_shape_in_arrival_order)
{
  struct store_limits lim = {
    .max_tokens = 10, .max_stamps = 10, .max_total = 100};
  struct store *s = store_new(&lim);
  struct dynbuf b;

  ck_assert_int_eq(store_add(s, "zeta", STAMP_A), STORE_OK);
  ck_assert_int_eq(store_add(s, "alpha.1_x-y", STAMP_A), STORE_OK);
  ck_assert_int_eq(store_add(s, "zeta", STAMP_B), STORE_OK);
  dynbuf_init(&b, 4096);
  ck_assert_int_eq(store_render(s, &b), DK_OK);
  ck_assert_str_eq(dynbuf_str(&b),
                   "{\"zeta\":[\"" STAMP_A "\",\"" STAMP_B "\"],"
                   "\"alpha.1_x-y\":[\"" STAMP_A "\"]}");
  dynbuf_free(&b);
  ck_assert_uint_eq(store_tokens(s), 2);
  ck_assert_uint_eq(store_stamps(s), 3);
  store_clear(s);
  dynbuf_init(&b, 4096);
  store_render(s, &b);
  ck_assert_str_eq(dynbuf_str(&b), "{}");
  dynbuf_free(&b);
  store_free(s);
}
END_TEST

START_TEST(store_bounds_and_bad_tokens)
{
  struct store_limits lim = {.max_tokens = 3, .max_stamps = 2, .max_total = 5};
  struct store *s = store_new(&lim);
  char long_token[STORE_TOKEN_MAX + 2];

  memset(long_token, 'a', sizeof(long_token) - 1);
  long_token[sizeof(long_token) - 1] = '\0';
  ck_assert_int_eq(store_add(s, "", STAMP_A), STORE_BAD_TOKEN);
  ck_assert_int_eq(store_add(s, "a/b", STAMP_A), STORE_BAD_TOKEN);
  ck_assert_int_eq(store_add(s, "a b", STAMP_A), STORE_BAD_TOKEN);
  ck_assert_int_eq(store_add(s, "\"x", STAMP_A), STORE_BAD_TOKEN);
  ck_assert_int_eq(store_add(s, long_token, STAMP_A), STORE_BAD_TOKEN);
  long_token[STORE_TOKEN_MAX] = '\0'; /* exactly the longest */
  ck_assert_int_eq(store_add(s, long_token, STAMP_A), STORE_OK);
  ck_assert_int_eq(store_add(s, "t", STAMP_A), STORE_OK);
  ck_assert_int_eq(store_add(s, "t", STAMP_A), STORE_OK);
  ck_assert_int_eq(store_add(s, "t", STAMP_A), STORE_TOKEN_FULL);
  ck_assert_int_eq(store_add(s, "u", STAMP_A), STORE_OK);
  ck_assert_int_eq(store_add(s, "v", STAMP_A), STORE_TOO_MANY_TOKENS);
  ck_assert_int_eq(store_add(s, "u", STAMP_A), STORE_OK); /* 5 in all */
  ck_assert_int_eq(store_add(s, long_token, STAMP_A), STORE_FULL);
  ck_assert_uint_eq(store_stamps(s), 5);
  store_free(s);
}
END_TEST

START_TEST(store_many_tokens_are_all_found)
{
  struct store_limits lim = {
    .max_tokens = 5000, .max_stamps = 10, .max_total = 100000};
  struct store *s = store_new(&lim);
  char t[32];

  for (int round = 0; round < 2; round++)
    for (int i = 0; i < 5000; i++) {
      snprintf(t, sizeof(t), "tok-%d", i);
      ck_assert_int_eq(store_add(s, t, STAMP_A), STORE_OK);
    }
  ck_assert_uint_eq(store_tokens(s), 5000);
  ck_assert_uint_eq(store_stamps(s), 10000);
  store_free(s);
}
END_TEST

START_TEST(stamp_is_rfc3339_with_nanoseconds_and_offset)
{
  char stamp[STORE_STAMP_LEN + 1];

  store_stamp_now(stamp, sizeof(stamp));
  ck_assert_uint_eq(strlen(stamp), STORE_STAMP_LEN);
  ck_assert_int_eq(stamp[10], 'T');
  ck_assert_int_eq(stamp[19], '.');
  ck_assert(stamp[29] == '+' || stamp[29] == '-');
  ck_assert_int_eq(stamp[32], ':');
}
END_TEST

/* ---- over HTTP ---- */

struct server {
  struct receiver *r;
  struct http_client *c;
  char base[64];
};

static void serve_for(struct server *sv, size_t max_tokens, size_t max_stamps,
                      long request_timeout_ms)
{
  struct receiver_opts o = {.bind = "127.0.0.1",
                            .limits = {.max_tokens = max_tokens,
                                       .max_stamps = max_stamps,
                                       .max_total = 1000000},
                            .max_render = 1 << 24,
                            .request_timeout_ms = request_timeout_ms};
  struct http_client_opts ho = {.max_attempts = 1};
  struct dk_err err = {0};

  sv->r = receiver_start(&o, &err);
  ck_assert_msg(sv->r != NULL, "%s", err.msg);
  snprintf(sv->base, sizeof(sv->base), "http://127.0.0.1:%ld",
           receiver_port(sv->r));
  sv->c = http_client_new(&ho, &err);
  ck_assert_ptr_nonnull(sv->c);
}

static void serve(struct server *sv, size_t max_tokens, size_t max_stamps)
{
  serve_for(sv, max_tokens, max_stamps, 0);
}

static long call(struct server *sv, const char *method, const char *path,
                 char *body, size_t len)
{
  char url[512];
  struct http_request req = {.method = method, .url = url};
  struct http_response resp;
  struct dk_err err = {0};
  long status;

  snprintf(url, sizeof(url), "%s%s", sv->base, path);
  ck_assert_int_eq(http_do(sv->c, &req, &resp, &err), DK_OK);
  status = resp.status;
  if (body)
    snprintf(body, len, "%s", resp.body ? resp.body : "");
  http_response_free(&resp);
  return status;
}

static void unserve(struct server *sv)
{
  http_client_free(sv->c);
  receiver_stop(sv->r);
}

START_TEST(http_api_statuses_and_shapes)
{
  struct server sv;
  char body[4096];

  serve(&sv, 2, 2);
  ck_assert_int_eq(call(&sv, "PUT", "/log/a", body, sizeof(body)), 200);
  ck_assert_uint_eq(strlen(body), STORE_STAMP_LEN);
  ck_assert_int_eq(call(&sv, "PUT", "/log/a", NULL, 0), 200);
  ck_assert_int_eq(call(&sv, "PUT", "/log/a", body, sizeof(body)), 413);
  ck_assert_ptr_nonnull(strstr(body, "--max-stamps"));
  ck_assert_int_eq(call(&sv, "PUT", "/log/b", NULL, 0), 200);
  ck_assert_int_eq(call(&sv, "PUT", "/log/c", body, sizeof(body)), 429);
  ck_assert_ptr_nonnull(strstr(body, "--max-tokens"));
  ck_assert_int_eq(call(&sv, "PUT", "/log/bad%20token", body, sizeof(body)),
                   400);
  ck_assert_int_eq(call(&sv, "GET", "/log/a", body, sizeof(body)), 405);
  ck_assert_ptr_nonnull(strstr(body, "PUT /log/<token>"));
  ck_assert_int_eq(call(&sv, "GET", "/nothing", body, sizeof(body)), 404);
  ck_assert_ptr_nonnull(strstr(body, "GET /logs"));
  ck_assert_int_eq(call(&sv, "POST", "/logs", NULL, 0), 405);
  ck_assert_int_eq(call(&sv, "GET", "/healthz", body, sizeof(body)), 200);
  ck_assert_str_eq(body, "ok\n");
  ck_assert_int_eq(call(&sv, "GET", "/logs", body, sizeof(body)), 200);
  ck_assert_msg(strncmp(body, "{\"a\":[\"", 7) == 0 &&
                  strstr(body, "\"],\"b\":[\"") &&
                  body[strlen(body) - 1] == '}',
                "%s", body);
  ck_assert_int_eq(call(&sv, "GET", "/metrics", body, sizeof(body)), 200);
  ck_assert_ptr_nonnull(strstr(body, "dkron_k8s_receiver_calls_total 3\n"));
  ck_assert_ptr_nonnull(strstr(body, "dkron_k8s_receiver_tokens 2\n"));
  ck_assert_ptr_nonnull(strstr(
    body, "dkron_k8s_receiver_refused_total{reason=\"token_full\"} 1\n"));
  ck_assert_int_eq(call(&sv, "DELETE", "/logs", body, sizeof(body)), 200);
  ck_assert_int_eq(call(&sv, "GET", "/logs", body, sizeof(body)), 200);
  ck_assert_str_eq(body, "{}");
  ck_assert_int_eq(call(&sv, "PUT", "/log/c", NULL, 0), 200); /* room again */
  unserve(&sv);
}
END_TEST

/* A token is decoded from the path: a decoded NUL must not cut it short
 * ("ab%00cd" stored as "ab"), and every byte outside the token alphabet is
 * refused, the answer naming the byte. */
START_TEST(decoded_bytes_outside_the_alphabet_are_refused)
{
  struct server sv;
  char body[4096];

  serve(&sv, 10, 10);
  ck_assert_int_eq(call(&sv, "PUT", "/log/ab%00cd", body, sizeof(body)), 400);
  ck_assert_msg(strstr(body, "NUL"), "%s", body);
  ck_assert_int_eq(call(&sv, "PUT", "/log/ab%0acd", body, sizeof(body)), 400);
  ck_assert_msg(strstr(body, "0x0a"), "%s", body);
  ck_assert_int_eq(call(&sv, "PUT", "/log/ab%2fcd", body, sizeof(body)), 400);
  ck_assert_msg(strstr(body, "'/'"), "%s", body);
  ck_assert_int_eq(call(&sv, "PUT", "/log/ab%25cd", body, sizeof(body)), 400);
  /* an encoded byte of the alphabet is the byte */
  ck_assert_int_eq(call(&sv, "PUT", "/log/ab%2Dcd", NULL, 0), 200);
  ck_assert_int_eq(call(&sv, "GET", "/logs", body, sizeof(body)), 200);
  ck_assert_msg(strncmp(body, "{\"ab-cd\":[", 10) == 0, "%s", body);
  ck_assert_msg(!strstr(body, "\"ab\""), "%s", body);
  unserve(&sv);
}
END_TEST

/* A client that connects to the receiver from source address from (any
 * of 127/8 is this machine) and sends the start of a request it never
 * finishes. */
static int slow_client(const struct server *sv, const char *from)
{
  struct sockaddr_in src = {.sin_family = AF_INET}, dst = src;
  static const char head[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  ck_assert_int_ge(fd, 0);
  inet_pton(AF_INET, from, &src.sin_addr);
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  dst.sin_port = htons((uint16_t)receiver_port(sv->r));
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
  if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 ||
      send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL) < 0) {
    close(fd);
    return -1; /* refused at once: that is fine too */
  }
  return fd;
}

/* True once the server has closed fd (EOF or reset), waiting up to ms. */
static bool closed_within(int fd, long ms)
{
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  char buf[256];

  if (poll(&pfd, 1, (int)ms) <= 0)
    return false;
  return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0;
}

/* 260 slow clients from one address (a slowloris) take at most that
 * address's share of the connections: /healthz still answers another
 * address (the kubelet probes from the node's) at once. */
#define SLOW_CLIENTS 260

START_TEST(slow_clients_of_one_address_leave_room_for_others)
{
  struct http_client_opts ho = {
    .max_attempts = 1, .connect_timeout_ms = 2000, .timeout_ms = 3000};
  int fds[SLOW_CLIENTS];
  struct server sv;
  struct dk_err err = {0};
  char body[256];
  long long t0;

  serve(&sv, 10, 10);
  http_client_free(sv.c);
  sv.c = http_client_new(&ho, &err);
  ck_assert_ptr_nonnull(sv.c);
  for (int i = 0; i < SLOW_CLIENTS; i++)
    fds[i] = slow_client(&sv, "127.0.0.2");
  t0 = clock_ms();
  ck_assert_int_eq(call(&sv, "GET", "/healthz", body, sizeof(body)), 200);
  ck_assert_msg(clock_ms() - t0 < test_ms(3000), "took %lld ms",
                clock_ms() - t0);
  for (int i = 0; i < SLOW_CLIENTS; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  unserve(&sv);
}
END_TEST

/* A client that trickles its request's head, a header line every 200 ms,
 * resets the idle timeout with each; the whole-request deadline (here
 * 1 s) closes it anyway. */
START_TEST(a_request_that_trickles_in_is_closed_at_the_deadline)
{
  static const char line[] = "X-Slow: 1\r\n";
  struct server sv;
  bool closed = false;
  long long t0;
  int fd;

  serve_for(&sv, 10, 10, 1000);
  fd = slow_client(&sv, "127.0.0.1");
  ck_assert_int_ge(fd, 0);
  t0 = clock_ms();
  while (!closed && clock_ms() - t0 < test_ms(6000)) {
    closed = closed_within(fd, 200) ||
             send(fd, line, sizeof(line) - 1, MSG_NOSIGNAL) < 0;
  }
  ck_assert_msg(closed, "still open after %lld ms", clock_ms() - t0);
  ck_assert_msg(clock_ms() - t0 < test_ms(5000), "closed after %lld ms",
                clock_ms() - t0);
  close(fd);
  /* a request that comes in whole is answered as before */
  ck_assert_int_eq(call(&sv, "GET", "/healthz", NULL, 0), 200);
  unserve(&sv);
}
END_TEST

#define HAMMER_THREADS 8
#define HAMMER_CALLS   200

static void *hammer(void *arg)
{
  struct server *shared = arg, mine = *shared;
  struct http_client_opts ho = {.max_attempts = 1};
  struct dk_err err = {0};

  mine.c = http_client_new(&ho, &err); /* a client per thread */
  for (int i = 0; i < HAMMER_CALLS; i++)
    if (call(&mine, "PUT", "/log/shared", NULL, 0) != 200)
      break;
  http_client_free(mine.c);
  return NULL;
}

START_TEST(concurrent_calls_are_all_counted)
{
  struct server sv;
  pthread_t t[HAMMER_THREADS];
  char *body = malloc(1 << 20);
  size_t stamps = 0;

  serve(&sv, 10, 100000);
  for (int i = 0; i < HAMMER_THREADS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &sv), 0);
  for (int i = 0; i < HAMMER_THREADS; i++)
    pthread_join(t[i], NULL);
  ck_assert_int_eq(call(&sv, "GET", "/logs", body, 1 << 20), 200);
  for (const char *p = body; (p = strstr(p, "\"20")); p++)
    stamps++;
  ck_assert_uint_eq(stamps, HAMMER_THREADS * HAMMER_CALLS);
  free(body);
  unserve(&sv);
}
END_TEST

Suite *make_receiver_suite(void)
{
  Suite *s = suite_create("receiver");
  TCase *store = tcase_create("store");
  TCase *api = tcase_create("http");

  tcase_add_test(store, store_renders_the_seed_shape_in_arrival_order);
  tcase_add_test(store, store_bounds_and_bad_tokens);
  tcase_add_test(store, store_many_tokens_are_all_found);
  tcase_add_test(store, stamp_is_rfc3339_with_nanoseconds_and_offset);
  tcase_add_test(api, http_api_statuses_and_shapes);
  tcase_add_test(api, concurrent_calls_are_all_counted);
  tcase_add_test(api, decoded_bytes_outside_the_alphabet_are_refused);
  tcase_add_test(api, slow_clients_of_one_address_leave_room_for_others);
  tcase_add_test(api, a_request_that_trickles_in_is_closed_at_the_deadline);
  tcase_set_timeout(api, 60);
  suite_add_tcase(s, store);
  suite_add_tcase(s, api);
  return s;
}
