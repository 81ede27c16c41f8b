/* test_gossip.c: memberlist's push/pull as gossip.c speaks it, and the
 * server wrapper's reclaim of its node name (reclaim.c), against a small
 * memberlist peer in a thread. The peer answers with its table the way
 * memberlist's sendLocalState does (LZW-compressed by default), then
 * merges what it was sent by the rules of memberlist's state.go that the
 * reclaim relies on: "left" is taken at an incarnation at least the one
 * held, unless the entry is already dead or left; "alive" at a higher
 * incarnation and the same address brings an entry back. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "dkron.h"
#include "dynbuf.h"
#include "gossip.h"
#include "launcher_config.h"
#include "leave_announce.h"
#include "log_capture.h"
#include "lzw_fixture.h"
#include "msgpack.h"
#include "net_fixtures.h"
#include "reclaim.h"
#include "tests.h"
#include "wrapper.h"
#include "wrapper_fixture.h"

enum answer_mode { ANSWER_COMPRESSED, ANSWER_PLAIN, ANSWER_ERROR, ANSWER_NONE };

struct ml_peer {
  int listen_fd;
  long port;
  enum answer_mode mode;
  int exchanges; /* connections to serve */
  struct gossip_node table[4];
  size_t n;
  int pushes_seen; /* entries merged, in all */
  pthread_t thread;
};

static void node_set(struct gossip_node *n, char *name, const char *ip,
                     uint32_t inc, unsigned state)
{
  memset(n, 0, sizeof(*n));
  n->name = name;
  ck_assert_int_eq(inet_pton(AF_INET, ip, n->addr), 1);
  n->addr_len = 4;
  n->port = 8946;
  n->incarnation = inc;
  n->state = state;
  n->meta = (unsigned char *)"\x84tags";
  n->meta_len = 5;
  memcpy(n->vsn, "\x01\x05\x02\x02\x05\x04", 6);
  n->vsn_len = 6;
}

static void merge(struct ml_peer *p, const struct gossip_node *in)
{
  for (size_t i = 0; i < p->n; i++) {
    struct gossip_node *h = &p->table[i];
    if (strcmp(h->name, in->name) != 0)
      continue;
    p->pushes_seen++;
    if (in->state == GOSSIP_LEFT && in->incarnation >= h->incarnation &&
        h->state != GOSSIP_DEAD && h->state != GOSSIP_LEFT) {
      h->state = GOSSIP_LEFT;
      h->incarnation = in->incarnation;
    } else if (in->state == GOSSIP_ALIVE && in->incarnation > h->incarnation &&
               in->addr_len == h->addr_len &&
               memcmp(in->addr, h->addr, h->addr_len) == 0) {
      h->state = GOSSIP_ALIVE;
      h->incarnation = in->incarnation;
    }
  }
}

static void answer(struct ml_peer *p, int fd)
{
  unsigned char *plain;
  size_t len;
  struct dynbuf z, msg;
  struct dk_err err;
  static const unsigned char compress_type = 9, error_type = 13;

  ck_assert_int_eq(gossip_encode_push_pull(p->table, p->n, &plain, &len, &err),
                   DK_OK);
  dynbuf_init(&msg, 1 << 20);
  if (p->mode == ANSWER_PLAIN) {
    dynbuf_add(&msg, plain, len);
  } else if (p->mode == ANSWER_COMPRESSED) {
    dynbuf_init(&z, 1 << 20);
    lzw_encode(plain, len, &z);
    dynbuf_add(&msg, &compress_type, 1);
    msgpack_put_map(&msg, 2);
    msgpack_put_cstr(&msg, "Algo");
    msgpack_put_uint(&msg, 0);
    msgpack_put_cstr(&msg, "Buf");
    msgpack_put_str(&msg, z.data, z.len);
    dynbuf_free(&z);
  } else if (p->mode == ANSWER_ERROR) {
    dynbuf_add(&msg, &error_type, 1);
    msgpack_put_map(&msg, 1);
    msgpack_put_cstr(&msg, "Error");
    msgpack_put_cstr(&msg, "encryption is configured but remote state is "
                           "not encrypted");
  }
  if (msg.len && write(fd, msg.data, msg.len) != (ssize_t)msg.len)
    ck_abort_msg("test peer: short write");
  dynbuf_free(&msg);
  free(plain);
}

static void *peer_main(void *arg)
{
  struct ml_peer *p = arg;

  for (int k = 0; k < p->exchanges; k++) {
    int fd = accept(p->listen_fd, NULL, NULL);
    unsigned char buf[8192];
    size_t got = 0;
    struct gossip_table req = {0};
    struct dk_err err;
    ssize_t r;

    if (fd < 0)
      return NULL;
    /* a request has the shape of a plain answer: read until it parses */
    while ((r = read(fd, buf + got, sizeof(buf) - got)) > 0) {
      got += (size_t)r;
      if (gossip_parse_answer(buf, got, &req, &err) == DK_OK)
        break;
    }
    answer(p, fd);
    for (size_t i = 0; i < req.n; i++)
      merge(p, &req.nodes[i]);
    gossip_table_free(&req);
    close(fd);
  }
  return NULL;
}

static void peer_start(struct ml_peer *p)
{
  unsigned short port;

  p->listen_fd = loopback_socket(SOCK_STREAM, 8, &port);
  p->port = port;
  ck_assert_int_eq(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

static void peer_stop(struct ml_peer *p)
{
  pthread_join(p->thread, NULL);
  close(p->listen_fd);
}

START_TEST(push_pull_reads_a_compressed_and_a_plain_table)
{
  for (int mode = ANSWER_COMPRESSED; mode <= ANSWER_PLAIN; mode++) {
    struct ml_peer p = {.mode = (enum answer_mode)mode, .exchanges = 1, .n = 2};
    struct gossip_table t;
    struct dk_err err;
    const struct gossip_node *n;
    char text[64];

    node_set(&p.table[0], "dkron-server-0", "10.0.0.5", 3, GOSSIP_ALIVE);
    node_set(&p.table[1], "dkron-server-1", "10.0.0.6", 7, GOSSIP_SUSPECT);
    peer_start(&p);
    dk_err_clear(&err);
    ck_assert_int_eq(
      gossip_push_pull("127.0.0.1", p.port, NULL, 0, 2000, &t, &err), DK_OK);
    peer_stop(&p);
    ck_assert_uint_eq(t.n, 2);
    n = gossip_find(&t, "dkron-server-1");
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->incarnation, 7);
    ck_assert_uint_eq(n->state, GOSSIP_SUSPECT);
    ck_assert_uint_eq(n->port, 8946);
    ck_assert_uint_eq(n->meta_len, 5);
    ck_assert_mem_eq(n->vsn, "\x01\x05\x02\x02\x05\x04", 6);
    gossip_addr_text(n, text, sizeof(text));
    ck_assert_str_eq(text, "10.0.0.6");
    ck_assert(gossip_addr_is(n, "10.0.0.6"));
    ck_assert(!gossip_addr_is(n, "10.0.0.60"));
    ck_assert_ptr_null(gossip_find(&t, "dkron-server-2"));
    gossip_table_free(&t);
  }
}
END_TEST

START_TEST(push_pull_failures_are_named)
{
  struct ml_peer refuses = {.mode = ANSWER_ERROR, .exchanges = 1};
  struct ml_peer silent = {.mode = ANSWER_NONE, .exchanges = 1};
  struct gossip_table t;
  struct dk_err err;

  peer_start(&refuses);
  ck_assert_int_eq(
    gossip_push_pull("127.0.0.1", refuses.port, NULL, 0, 2000, &t, &err),
    DK_EEXEC);
  ck_assert_msg(strstr(err.msg, "refused the push/pull: encryption is "
                                "configured"),
                "%s", err.msg);
  peer_stop(&refuses);
  peer_start(&silent);
  ck_assert_int_eq(
    gossip_push_pull("127.0.0.1", silent.port, NULL, 0, 2000, &t, &err),
    DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "without an answer"), "%s", err.msg);
  peer_stop(&silent);
  ck_assert_int_eq(
    gossip_push_pull("127.0.0.1", silent.port, NULL, 0, 2000, &t, &err),
    DK_ECONNECT);
  ck_assert_msg(strstr(err.msg, "memberlist"), "%s", err.msg);
}
END_TEST

START_TEST(answer_parser_refuses_lies_and_garbage)
{
  static const unsigned char encrypted[] = {10, 0, 1, 2};
  static const unsigned char http[] = "HTTP/1.1 400";
  /* a header announcing 1,000,000 members in a few bytes */
  static const unsigned char liar[] = {6,   0x81, 0xa5, 'N',  'o',  'd', 'e',
                                       's', 0xce, 0x00, 0x0f, 0x42, 0x40};
  struct gossip_table t;
  struct dk_err err;
  unsigned char *req;
  size_t len;
  struct gossip_node n;

  ck_assert_int_eq(gossip_parse_answer(encrypted, sizeof(encrypted), &t, &err),
                   DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "encrypted"), "%s", err.msg);
  ck_assert_int_eq(gossip_parse_answer(http, sizeof(http) - 1, &t, &err),
                   DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "first byte 0x48"), "%s", err.msg);
  ck_assert_int_eq(gossip_parse_answer(liar, sizeof(liar), &t, &err),
                   DK_EPARSE);
  ck_assert_msg(strstr(err.msg, "announces 1000000 members"), "%s", err.msg);
  /* every cut of a valid answer fails cleanly (no leak, no table) */
  node_set(&n, "dkron-server-0", "10.0.0.5", 3, GOSSIP_ALIVE);
  ck_assert_int_eq(gossip_encode_push_pull(&n, 1, &req, &len, &err), DK_OK);
  for (size_t cut = 1; cut < len; cut++) {
    ck_assert_int_eq(gossip_parse_answer(req, cut, &t, &err), DK_EPARSE);
    ck_assert_uint_eq(t.n, 0);
  }
  ck_assert_int_eq(gossip_parse_answer(req, len, &t, &err), DK_OK);
  ck_assert_uint_eq(t.n, 1);
  ck_assert_str_eq(t.nodes[0].name, "dkron-server-0");
  gossip_table_free(&t);
  free(req);
}
END_TEST

START_TEST(leave_plan_per_state)
{
  struct gossip_node held, push[2];
  size_t n;

  ck_assert_int_eq(gossip_plan_leave(NULL, "10.0.0.9", 1, push, &n),
                   GOSSIP_NOT_HELD);
  ck_assert_uint_eq(n, 0);
  node_set(&held, "dkron-server-1", "10.0.0.9", 4, GOSSIP_DEAD);
  ck_assert_int_eq(gossip_plan_leave(&held, "10.0.0.9", 1, push, &n),
                   GOSSIP_KEPT);
  ck_assert_uint_eq(n, 0);
  held.state = GOSSIP_LEFT;
  ck_assert_int_eq(gossip_plan_leave(&held, "10.0.0.20", 1, push, &n),
                   GOSSIP_ALREADY_GONE);
  ck_assert_uint_eq(n, 0);
  for (unsigned s = GOSSIP_ALIVE; s <= GOSSIP_SUSPECT; s++) {
    held.state = s;
    /* the server's reclaim (keep our new address) and the worker's leave
     * (its own address, nothing kept) send the same */
    for (int keep = 0; keep < 2; keep++) {
      ck_assert_int_eq(
        gossip_plan_leave(&held, keep ? "10.0.0.20" : NULL, keep, push, &n),
        GOSSIP_SEND_LEFT);
      ck_assert_uint_eq(n, 1);
      ck_assert_uint_eq(push[0].state, GOSSIP_LEFT);
      ck_assert_uint_eq(push[0].incarnation, 4);
      ck_assert(gossip_addr_is(&push[0], "10.0.0.9")); /* the old address */
    }
  }
  held.state = GOSSIP_DEAD;
  ck_assert_int_eq(gossip_plan_leave(&held, NULL, 0, push, &n),
                   GOSSIP_ALREADY_GONE);
  ck_assert_int_eq(gossip_plan_leave(&held, "10.0.0.20", 1, push, &n),
                   GOSSIP_REVIVE_LEFT);
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(push[0].state, GOSSIP_ALIVE);
  ck_assert_uint_eq(push[0].incarnation, 5);
  ck_assert_uint_eq(push[1].state, GOSSIP_LEFT);
  ck_assert_uint_eq(push[1].incarnation, 5);
  ck_assert_mem_eq(push[0].vsn, held.vsn, 6);
  held.incarnation = UINT32_MAX;
  ck_assert_int_eq(gossip_plan_leave(&held, "10.0.0.20", 1, push, &n),
                   GOSSIP_ALREADY_GONE);
}
END_TEST

/* The step: two peers, one holding our old entry alive, one dead. */
START_TEST(reclaim_frees_the_name_at_every_peer)
{
  struct ml_peer alive = {.mode = ANSWER_COMPRESSED, .exchanges = 3, .n = 2};
  struct ml_peer dead = {.mode = ANSWER_PLAIN, .exchanges = 3, .n = 2};
  struct ml_peer fresh = {.mode = ANSWER_COMPRESSED, .exchanges = 1, .n = 1};
  struct wrapper_config cfg;
  struct wrapper w;

  node_set(&alive.table[0], "dkron-server-1", "10.0.0.9", 2, GOSSIP_ALIVE);
  node_set(&alive.table[1], "dkron-server-0", "10.0.0.5", 1, GOSSIP_ALIVE);
  node_set(&dead.table[0], "dkron-server-1", "10.0.0.9", 6, GOSSIP_DEAD);
  node_set(&dead.table[1], "dkron-server-2", "10.0.0.7", 1, GOSSIP_ALIVE);
  node_set(&fresh.table[0], "dkron-server-0", "10.0.0.5", 1, GOSSIP_ALIVE);
  peer_start(&alive);
  peer_start(&dead);
  peer_start(&fresh);
  memset(&cfg, 0, sizeof(cfg));
  memset(&w, 0, sizeof(w));
  cfg.pod_name = "dkron-server-1";
  cfg.pod_ip = "10.0.0.20";
  cfg.peers[0] = "dkron-server-0.x";
  cfg.peers[1] = "dkron-server-2.x";
  cfg.n_peers = 2;
  w.cfg = &cfg;
  /* both peers on loopback: their ports differ, so the step runs once
   * per peer with the port set */
  snprintf(w.peer_ip[0], sizeof(w.peer_ip[0]), "127.0.0.1");
  cfg.serf_port = alive.port;
  cfg.n_peers = 1;
  wrapper_reclaim_name(&w);
  cfg.peers[0] = cfg.peers[1];
  cfg.serf_port = dead.port;
  wrapper_reclaim_name(&w);
  peer_stop(&alive);
  peer_stop(&dead);
  ck_assert_uint_eq(alive.table[0].state, GOSSIP_LEFT);
  ck_assert_uint_eq(alive.table[0].incarnation, 2);
  ck_assert_uint_eq(alive.table[1].state, GOSSIP_ALIVE); /* untouched */
  ck_assert_uint_eq(dead.table[0].state, GOSSIP_LEFT);
  ck_assert_uint_eq(dead.table[0].incarnation, 7);
  ck_assert_uint_eq(dead.table[1].state, GOSSIP_ALIVE);
  /* a peer that never knew the name gets one read and nothing pushed */
  cfg.serf_port = fresh.port;
  wrapper_reclaim_name(&w);
  peer_stop(&fresh);
  ck_assert_int_eq(fresh.pushes_seen, 0);
}
END_TEST

START_TEST(reclaim_leaves_encrypted_gossip_alone)
{
  struct wrapper_config cfg;
  struct wrapper w;
  char *args[] = {"--encrypt=c2VjcmV0c2VjcmV0c2VjcmV0", NULL};
  static struct log_capture lc;

  memset(&cfg, 0, sizeof(cfg));
  memset(&w, 0, sizeof(w));
  cfg.pod_name = "dkron-server-1";
  cfg.pod_ip = "10.0.0.20";
  cfg.peers[0] = "dkron-server-0.x";
  cfg.n_peers = 1;
  cfg.serf_port = 1; /* nothing listens: asking would log a failure */
  cfg.dkron_args = args;
  cfg.n_dkron_args = 1;
  w.cfg = &cfg;
  snprintf(w.peer_ip[0], sizeof(w.peer_ip[0]), "127.0.0.1");
  log_capture_begin(&lc);
  wrapper_reclaim_name(&w);
  log_capture_end(&lc);
  ck_assert_int_eq(log_capture_count(&lc, "gossip is encrypted"), 1);
  ck_assert_int_eq(log_capture_count(&lc, "could not ask"), 0);
}
END_TEST

/* The Raft seat, given up through the leader (the fake server answers
 * /v1/leader); a seat that is not there is no failure. */
static const char seat_cli[] =
  "case \"$1 $2\" in\n"
  "'raft remove-peer') [ -e \"$(dirname \"$0\")/no-seat\" ] || exit 0\n"
  "  echo 'Error: id \"dkron-server-2\" was not found in the Raft "
  "configuration' >&2; exit 1;;\n"
  "esac\n"
  "exit 0";

START_TEST(a_seat_at_the_old_address_is_given_up_through_the_leader)
{
  static const struct fake_response leader = {
    .status = 200, .body = WF_MEMBER("dkron-server-1", "127.0.0.1", WF_ALIVE)};
  const struct fake_route routes[] = {{"GET", "/v1/leader", &leader, 1}};
  struct wrapper_fixture f;
  static struct log_capture lc;
  char runs[2048], path[128];
  FILE *fp;

  wf_start(&f, 2, routes, 1, seat_cli);
  log_capture_begin(&lc);
  wrapper_give_up_stale_seat(&f.w);
  log_capture_end(&lc);
  wf_cli_runs(&f, runs, sizeof(runs));
  ck_assert_msg(strstr(runs, "raft remove-peer --peer-id=dkron-server-2 "
                             "--rpc-addr=127.0.0.1:6868\n"),
                "%s", runs);
  ck_assert_int_eq(log_capture_count(&lc, "gave up our Raft seat"), 1);
  ck_assert(wf_event_posted(&f, "RaftSeatReclaimed"));
  /* no seat (never a voter, or removed already): said, not warned */
  snprintf(path, sizeof(path), "%s/no-seat", f.dir);
  fp = fopen(path, "w");
  ck_assert_ptr_nonnull(fp);
  fclose(fp);
  log_capture_begin(&lc);
  wrapper_give_up_stale_seat(&f.w);
  log_capture_end(&lc);
  ck_assert_int_eq(log_capture_count(&lc, "no Raft seat of ours"), 1);
  ck_assert_int_eq(log_capture_count(&lc, "could not give up"), 0);
  unlink(path);
  wf_stop(&f);
}
END_TEST

/* A running server the servers hold dead: refuted for it, alive one
 * incarnation on; one held alive, or at another address, is left alone. */
START_TEST(a_running_server_held_dead_is_refuted_for)
{
  struct ml_peer dead = {.mode = ANSWER_COMPRESSED, .exchanges = 3, .n = 1};
  struct ml_peer elsewhere = {.mode = ANSWER_PLAIN, .exchanges = 1, .n = 1};
  struct wrapper_config cfg;
  struct wrapper w;
  struct dkron_member m = {.name = "dkron-server-0",
                           .addr = "127.0.0.1",
                           .status = DKRON_ALIVE,
                           .server = true};
  struct dkron_members members = {.items = &m, .n = 1};

  node_set(&dead.table[0], "dkron-server-1", "10.0.0.20", 5, GOSSIP_DEAD);
  node_set(&elsewhere.table[0], "dkron-server-1", "10.0.0.9", 5, GOSSIP_DEAD);
  memset(&cfg, 0, sizeof(cfg));
  memset(&w, 0, sizeof(w));
  cfg.pod_name = "dkron-server-1";
  cfg.pod_ip = "10.0.0.20";
  w.cfg = &cfg;
  peer_start(&dead);
  m.port = (int)dead.port;
  ck_assert(wrapper_refute_for_dkron(&w, &members));
  peer_stop(&dead);
  ck_assert_uint_eq(dead.table[0].state, GOSSIP_ALIVE);
  ck_assert_uint_eq(dead.table[0].incarnation, 6);
  peer_start(&elsewhere);
  m.port = (int)elsewhere.port;
  ck_assert(!wrapper_refute_for_dkron(&w, &members));
  peer_stop(&elsewhere);
  ck_assert_int_eq(elsewhere.pushes_seen, 0);
  ck_assert_uint_eq(elsewhere.table[0].state, GOSSIP_DEAD);
  /* the server itself is not asked: it is no peer of its own */
  m.name = "dkron-server-1";
  ck_assert(!wrapper_refute_for_dkron(&w, &members));
}
END_TEST

/* The worker's side: dkron has exited, the server still holds it alive. */
START_TEST(leave_announce_tells_the_servers)
{
  struct ml_peer alive = {.mode = ANSWER_COMPRESSED, .exchanges = 3, .n = 2};
  struct ml_peer gone = {.mode = ANSWER_COMPRESSED, .exchanges = 1, .n = 1};
  struct launcher_config cfg;
  char *ips[] = {"127.0.0.1", NULL};
  struct live_snapshot snap = {.ips = ips, .n = 1};
  static struct log_capture lc;

  node_set(&alive.table[0], "dkron-agent-abc", "10.0.0.30", 3, GOSSIP_ALIVE);
  node_set(&alive.table[1], "dkron-server-0", "10.0.0.5", 1, GOSSIP_ALIVE);
  node_set(&gone.table[0], "dkron-agent-abc", "10.0.0.30", 3, GOSSIP_LEFT);
  memset(&cfg, 0, sizeof(cfg));
  cfg.pod_name = "dkron-agent-abc";
  peer_start(&alive);
  cfg.serf_port = alive.port;
  log_capture_begin(&lc);
  leave_announce(&cfg, &snap);
  log_capture_end(&lc);
  peer_stop(&alive);
  ck_assert_uint_eq(alive.table[0].state, GOSSIP_LEFT);
  ck_assert_uint_eq(alive.table[0].incarnation, 3);
  ck_assert_uint_eq(alive.table[1].state, GOSSIP_ALIVE);
  ck_assert_int_eq(log_capture_count(&lc, "told 1 of 1 servers"), 1);
  /* a leave that went out leaves nothing to send */
  peer_start(&gone);
  cfg.serf_port = gone.port;
  log_capture_begin(&lc);
  leave_announce(&cfg, &snap);
  log_capture_end(&lc);
  peer_stop(&gone);
  ck_assert_int_eq(gone.pushes_seen, 0);
  ck_assert_int_eq(log_capture_count(&lc, "already know"), 1);
}
END_TEST

Suite *make_gossip_suite(void)
{
  Suite *s = suite_create("gossip");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, push_pull_reads_a_compressed_and_a_plain_table);
  tcase_add_test(tc, push_pull_failures_are_named);
  tcase_add_test(tc, answer_parser_refuses_lies_and_garbage);
  tcase_add_test(tc, leave_plan_per_state);
  suite_add_tcase(s, tc);
  return s;
}

/* After the pushes, dkron starts only once one Serf event batch (3 s)
 * and a margin have passed, so that the peers' server lookup has dropped
 * the old address; a SIGTERM in that wait ends the start cleanly. */
START_TEST(dkron_starts_one_event_batch_after_the_pushes)
{
  struct wrapper_fixture f;
  static struct log_capture lc;
  long long t0;
  struct step s;

  wf_start(&f, 2, NULL, 0, "exit 0");
  f.w.name_freed_at = clock_ms() - 1000;
  t0 = clock_ms();
  log_capture_begin(&lc);
  s = wrapper_let_peers_drop_old_address(&f.w);
  log_capture_end(&lc);
  ck_assert(step_goes_on(s));
  ck_assert_int_ge(clock_ms() - t0, 2300); /* 3.3 s from the pushes */
  ck_assert_int_eq(log_capture_count(&lc, "starting dkron in"), 1);
  /* the batch has passed already: no wait, nothing said */
  log_capture_begin(&lc);
  s = wrapper_let_peers_drop_old_address(&f.w);
  log_capture_end(&lc);
  ck_assert(step_goes_on(s));
  ck_assert_int_eq(log_capture_count(&lc, "starting dkron in"), 0);
  f.w.name_freed_at = clock_ms();
  kill(getpid(), SIGTERM);
  t0 = clock_ms();
  s = wrapper_let_peers_drop_old_address(&f.w);
  ck_assert_int_eq(s.kind, STEP_STOP_CLEANLY);
  ck_assert_int_eq(s.exit_code, 0);
  ck_assert_int_lt(clock_ms() - t0, test_ms(3000)); /* no batch waited */
  wf_stop(&f);
}
END_TEST

Suite *make_reclaim_suite(void)
{
  Suite *s = suite_create("reclaim");
  TCase *tc = tcase_create("core");

  tcase_add_test(tc, reclaim_frees_the_name_at_every_peer);
  tcase_add_test(tc, reclaim_leaves_encrypted_gossip_alone);
  tcase_add_test(tc, leave_announce_tells_the_servers);
  tcase_add_test(tc, a_running_server_held_dead_is_refuted_for);
  tcase_add_test(tc, a_seat_at_the_old_address_is_given_up_through_the_leader);
  tcase_add_test(tc, dkron_starts_one_event_batch_after_the_pushes);
  suite_add_tcase(s, tc);
  return s;
}
