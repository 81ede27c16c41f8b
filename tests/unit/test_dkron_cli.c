/* test_dkron_cli.c: the raft CLI wrappers (dkron_cli.c): the list-peers
 * output parser, the remove-peer outcome classification, and both commands
 * end to end with a fake `dkron` program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dkron_cli.h"
#include "dkron_fixtures.h"
#include "fake_http.h"
#include "tests.h"

/* ---------------------------------------------------------------------- */
/* raft list-peers parsing                                                */

static const char list_peers_v4[] =
  "Node            ID              Address            State     Voter\n"
  "dkron-server-0  dkron-server-0  10.244.0.12:6868   leader    true\n"
  "dkron-server-1  dkron-server-1  10.244.1.7:6868    follower  true\n"
  "dkron-server-2  dkron-server-2  10.244.2.9:6868    follower  false\n";

START_TEST(list_peers_v4_table)
{
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_list_peers(list_peers_v4, &p, &err), DK_OK);
  ck_assert_uint_eq(p.n, 3);
  ck_assert_str_eq(p.items[0].node, "dkron-server-0");
  ck_assert_str_eq(p.items[0].id, "dkron-server-0");
  ck_assert_str_eq(p.items[0].address, "10.244.0.12:6868");
  ck_assert(p.items[0].leader);
  ck_assert(p.items[0].voter);
  ck_assert(!p.items[1].leader);
  ck_assert(!p.items[2].voter);
  ck_assert_ptr_eq(dkron_raft_peers_find(&p, "dkron-server-1"), &p.items[1]);
  ck_assert_ptr_null(dkron_raft_peers_find(&p, "dkron-server-3"));
  dkron_raft_peers_free(&p);
}
END_TEST

START_TEST(list_peers_v3_stray_line_and_unknown_node)
{
  const char *text =
    "No valid config found: Applying default values.\n"
    "time=\"2026-11-22T07:00:00Z\" level=info msg=\"connected\"\n"
    "Node            ID              Address           State     Voter\r\n"
    "dkron-server-0  dkron-server-0  10.244.0.12:6868  follower  true\r\n"
    "(unknown)       dkron-server-2  10.244.9.99:6868  follower  true\r\n"
    "\n";
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_list_peers(text, &p, &err), DK_OK);
  ck_assert_uint_eq(p.n, 2);
  ck_assert_str_eq(p.items[1].node, "(unknown)");
  ck_assert_str_eq(p.items[1].id, "dkron-server-2");
  ck_assert_str_eq(p.items[1].address, "10.244.9.99:6868");
  ck_assert(!p.items[0].leader && !p.items[1].leader);
  ck_assert(p.items[1].voter);
  dkron_raft_peers_free(&p);

  ck_assert_int_eq(
    dkron_parse_list_peers("Node  ID  Address  State  Voter\n", &p, &err),
    DK_OK);
  ck_assert_uint_eq(p.n, 0);
}
END_TEST

static const char *const bad_list_peers[] = {
  "",
  "Error: rpc error: code = Unavailable desc = connection refused\n",
  "No valid config found: Applying default values.\n",
  "Node  ID  Address  State\n",
  "Node  ID  Address  State  Voter\nonly three columns\n",
  "Node  ID  Address  State  Voter\na  a  10.0.0.1:6868  leader  true  x\n",
  "Node  ID  Address  State  Voter\na  a  10.0.0.1:6868  leader  yes\n",
};

START_TEST(list_peers_rejects_bad_output)
{
  struct dkron_raft_peers p = {(void *)1, 7};
  struct dk_err err = {0};

  ck_assert_int_eq(dkron_parse_list_peers(bad_list_peers[_i], &p, &err),
                   DK_EPARSE);
  ck_assert_ptr_null(p.items);
  ck_assert_uint_eq(p.n, 0);
  ck_assert(err.msg[0] != '\0');
}
END_TEST

/* ---------------------------------------------------------------------- */
/* remove-peer classification                                             */

static const char usage_tail[] =
  "Usage:\n  dkron raft remove-peer [flags]\n\nFlags:\n"
  "  -h, --help             help for remove-peer\n"
  "      --peer-id string   Remove a Dkron server with the given ID from the "
  "Raft configuration.\n\nGlobal Flags:\n"
  "      --rpc-addr string   gRPC address of the agent. (default \"{{ "
  "GetPrivateIP }}:6868\")\n\n";

struct classify_case {
  int exit_code;
  const char *out;
  const char *err_prefix; /* usage_tail is appended after it */
  enum dk_code want;
  enum dkron_remove_outcome outcome;
  const char *msg_has;
};

static const struct classify_case classify_cases[] = {
  {0, "", "time=\"2026-11-22T07:10:00Z\" level=info msg=\"Peer removed\"\n",
   DK_OK, DKRON_PEER_REMOVED, NULL},
  {1, "id \"dkron-server-3\" was not found in the Raft configuration\n",
   "Error: id \"dkron-server-3\" was not found in the Raft configuration\n",
   DK_OK, DKRON_PEER_ALREADY_GONE, NULL},
  {1, "rpc error: code = Unknown desc = node is not the leader\n",
   "Error: rpc error: code = Unknown desc = node is not the leader\n",
   DK_ENOTLEADER, DKRON_PEER_NOT_REMOVED, "node is not the leader"},
  {1, "rpc error: code = Unknown desc = leadership lost while committing log\n",
   "Error: rpc error: code = Unknown desc = leadership lost while committing "
   "log\n",
   DK_ENOTLEADER, DKRON_PEER_NOT_REMOVED, "leadership lost"},
  {1, "context deadline exceeded\n", "Error: context deadline exceeded\n",
   DK_EEXEC, DKRON_PEER_NOT_REMOVED, "Error: context deadline exceeded"},
  {2, "", NULL, DK_EEXEC, DKRON_PEER_NOT_REMOVED, "exited 2: (no output)"},
  {127, NULL, NULL, DK_EEXEC, DKRON_PEER_NOT_REMOVED, "could not be run"},
};

START_TEST(classify_remove_peer_table)
{
  const struct classify_case *tc = &classify_cases[_i];
  char errtext[2048];
  enum dkron_remove_outcome outcome = DKRON_PEER_REMOVED;
  struct dk_err err = {0};

  const char *e = tc->err_prefix; /* success prints no usage */
  if (tc->err_prefix && tc->exit_code != 0) {
    snprintf(errtext, sizeof(errtext), "%s%s", tc->err_prefix, usage_tail);
    e = errtext;
  }
  enum dk_code rc =
    dkron_classify_remove_peer(tc->exit_code, tc->out, e, &outcome, &err);
  ck_assert_int_eq(rc, tc->want);
  ck_assert_int_eq(outcome, tc->outcome);
  if (tc->msg_has)
    ck_assert_msg(strstr(err.msg, tc->msg_has) != NULL, "case %d: \"%s\"", _i,
                  err.msg);
  /* The usage text is never what the error says. */
  ck_assert_ptr_null(strstr(err.msg, "Usage"));
  ck_assert_ptr_null(strstr(err.msg, "GetPrivateIP"));
}
END_TEST

/* ---------------------------------------------------------------------- */
/* CLI wrappers with a fake dkron program                                 */

struct fake_cli {
  char dir[64];
  char bin[128];
  char args[128];
  char count[128];
};

/* Writes an executable sh script that records its arguments (one line per
 * run) and then runs body. */
static void fake_cli_make(struct fake_cli *f, const char *body)
{
  snprintf(f->dir, sizeof(f->dir), "/tmp/dkron-test-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(f->dir));
  snprintf(f->bin, sizeof(f->bin), "%s/dkron", f->dir);
  snprintf(f->args, sizeof(f->args), "%s/args", f->dir);
  snprintf(f->count, sizeof(f->count), "%s/count", f->dir);
  FILE *fp = fopen(f->bin, "w");
  ck_assert_ptr_nonnull(fp);
  fprintf(fp, "#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\n%s\n", f->args, body);
  ck_assert_int_eq(fclose(fp), 0);
  ck_assert_int_eq(chmod(f->bin, 0700), 0);
}

static void fake_cli_cleanup(struct fake_cli *f)
{
  unlink(f->args);
  unlink(f->count);
  unlink(f->bin);
  ck_assert_int_eq(rmdir(f->dir), 0);
}

/* The recorded argument lines, "" if the program never ran. */
static void fake_cli_args(const struct fake_cli *f, char *buf, size_t len)
{
  FILE *fp = fopen(f->args, "r");
  size_t n = 0;

  if (fp) {
    n = fread(buf, 1, len - 1, fp);
    fclose(fp);
  }
  buf[n] = '\0';
}

START_TEST(list_peers_runs_dkron)
{
  struct fake_cli f;
  char body[1024];
  char args[256];
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  snprintf(body, sizeof(body), "printf '%%s' '%s'\nexit 0", list_peers_v4);
  fake_cli_make(&f, body);
  ck_assert_int_eq(dkron_list_peers(f.bin, "10.244.0.12:6868", 5000, &p, &err),
                   DK_OK);
  ck_assert_uint_eq(p.n, 3);
  ck_assert(p.items[0].leader);
  dkron_raft_peers_free(&p);
  fake_cli_args(&f, args, sizeof(args));
  ck_assert_str_eq(args, "raft list-peers --rpc-addr=10.244.0.12:6868\n");
  fake_cli_cleanup(&f);
}
END_TEST

START_TEST(list_peers_failure_is_exec_error)
{
  struct fake_cli f;
  struct dkron_raft_peers p;
  struct dk_err err = {0};

  fake_cli_make(&f, "echo 'Error: context deadline exceeded' >&2\n"
                    "echo 'context deadline exceeded'\nexit 1");
  ck_assert_int_eq(dkron_list_peers(f.bin, "127.0.0.1:6868", 5000, &p, &err),
                   DK_EEXEC);
  ck_assert_ptr_nonnull(strstr(err.msg, "context deadline exceeded"));
  ck_assert_uint_eq(p.n, 0);
  fake_cli_cleanup(&f);
}
END_TEST

struct remove_case {
  const char *body;
  enum dk_code want;
  enum dkron_remove_outcome outcome;
};

static const struct remove_case remove_cases[] = {
  {"echo 'time=\"2026-11-22T07:10:00Z\" level=info msg=\"Peer removed\"' >&2\n"
   "exit 0",
   DK_OK, DKRON_PEER_REMOVED},
  {"echo 'Error: id \"dkron-server-3\" was not found in the Raft "
   "configuration' >&2\necho 'Usage:' >&2\n"
   "echo 'id \"dkron-server-3\" was not found in the Raft configuration'\n"
   "exit 1",
   DK_OK, DKRON_PEER_ALREADY_GONE},
  {"echo 'Error: rpc error: code = Unknown desc = node is not the leader' "
   ">&2\necho 'rpc error: code = Unknown desc = node is not the leader'\n"
   "exit 1",
   DK_ENOTLEADER, DKRON_PEER_NOT_REMOVED},
  {"echo 'Error: rpc error: code = Unavailable desc = connection refused' "
   ">&2\nexit 1",
   DK_EEXEC, DKRON_PEER_NOT_REMOVED},
  {"exec sleep 30", DK_ETIMEOUT, DKRON_PEER_NOT_REMOVED},
};

START_TEST(remove_peer_runs_dkron)
{
  const struct remove_case *tc = &remove_cases[_i];
  struct fake_cli f;
  char args[256];
  enum dkron_remove_outcome outcome = DKRON_PEER_REMOVED;
  struct dk_err err = {0};

  fake_cli_make(&f, tc->body);
  long start = now_ms();
  enum dk_code rc = dkron_remove_peer(f.bin, "10.244.0.12:6868",
                                      "dkron-server-3", 1500, &outcome, &err);
  ck_assert_msg(rc == tc->want, "case %d: %s (%s)", _i, dk_code_name(rc),
                err.msg);
  ck_assert_int_eq(outcome, tc->outcome);
  if (tc->want == DK_ETIMEOUT)
    ck_assert_int_lt(now_ms() - start, test_ms(10000));
  fake_cli_args(&f, args, sizeof(args));
  ck_assert_str_eq(
    args,
    "raft remove-peer --peer-id=dkron-server-3 --rpc-addr=10.244.0.12:6868\n");
  fake_cli_cleanup(&f);
}
END_TEST

/* The first run hits a server that lost leadership; the second succeeds. */
static const char flaky_remove[] =
  "n=$(cat \"$(dirname \"$0\")/count\" 2>/dev/null || echo 0)\n"
  "echo $((n + 1)) > \"$(dirname \"$0\")/count\"\n"
  "if [ \"$n\" -eq 0 ]; then\n"
  "  echo 'Error: rpc error: code = Unknown desc = node is not the leader' "
  ">&2\n"
  "  exit 1\n"
  "fi\n"
  "exit 0";

START_TEST(remove_via_leader_retries_not_leader)
{
  struct fake_response found = reply(200, leader_json);
  struct fake_server *fs = serve("GET", "/v1/leader", &found, 1);
  char refused[64];
  refused_url(refused, sizeof(refused));
  const char *urls[] = {refused, fake_server_url(fs)};
  struct fake_cli f;
  char args[512];
  enum dkron_remove_outcome outcome;
  struct dk_err err = {0};

  fake_cli_make(&f, flaky_remove);
  struct dkron_remove_opts o = {
    .dkron_bin = f.bin,
    .peer_urls = urls,
    .n_peer_urls = 2,
    .peer_id = "dkron-server-3",
    .attempts = 4,
    .deadline_ms = 20000,
    .http_timeout_ms = 1000,
    .cli_timeout_ms = 5000,
    .backoff_ms = 20,
  };
  ck_assert_int_eq(dkron_remove_peer_via_leader(&o, &outcome, &err), DK_OK);
  ck_assert_int_eq(outcome, DKRON_PEER_REMOVED);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/leader"), 2);
  fake_cli_args(&f, args, sizeof(args));
  /* Both runs went to the leader's rpc_addr from /v1/leader. */
  ck_assert_str_eq(args, "raft remove-peer --peer-id=dkron-server-3 "
                         "--rpc-addr=10.244.0.12:6868\n"
                         "raft remove-peer --peer-id=dkron-server-3 "
                         "--rpc-addr=10.244.0.12:6868\n");
  fake_cli_cleanup(&f);
  fake_server_stop(fs);
}
END_TEST

START_TEST(remove_via_leader_gives_up_without_leader)
{
  struct fake_response none = reply(500, "null");
  struct fake_server *fs = serve("GET", "/v1/leader", &none, 1);
  const char *urls[] = {fake_server_url(fs)};
  struct fake_cli f;
  char args[256];
  enum dkron_remove_outcome outcome = DKRON_PEER_REMOVED;
  struct dk_err err = {0};

  fake_cli_make(&f, "exit 0");
  struct dkron_remove_opts o = {
    .dkron_bin = f.bin,
    .peer_urls = urls,
    .n_peer_urls = 1,
    .peer_id = "dkron-server-3",
    .attempts = 3,
    .backoff_ms = 10,
  };
  ck_assert_int_eq(dkron_remove_peer_via_leader(&o, &outcome, &err),
                   DK_ENOTLEADER);
  ck_assert_int_eq(outcome, DKRON_PEER_NOT_REMOVED);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", "/v1/leader"), 3);
  ck_assert_ptr_nonnull(strstr(err.msg, "3 attempt"));
  ck_assert_ptr_nonnull(strstr(err.msg, "no leader"));
  fake_cli_args(&f, args, sizeof(args));
  ck_assert_str_eq(args, ""); /* never ran without a leader */
  fake_cli_cleanup(&f);
  fake_server_stop(fs);
}
END_TEST

Suite *make_dkron_cli_suite(void)
{
  Suite *s = suite_create("dkron_cli");
  TCase *parse = tcase_create("parse");
  TCase *cli = tcase_create("cli");

  tcase_add_test(parse, list_peers_v4_table);
  tcase_add_test(parse, list_peers_v3_stray_line_and_unknown_node);
  tcase_add_loop_test(
    parse, list_peers_rejects_bad_output, 0,
    (int)(sizeof(bad_list_peers) / sizeof(bad_list_peers[0])));
  tcase_add_loop_test(
    parse, classify_remove_peer_table, 0,
    (int)(sizeof(classify_cases) / sizeof(classify_cases[0])));
  suite_add_tcase(s, parse);

  tcase_set_timeout(cli, 30);
  tcase_add_test(cli, list_peers_runs_dkron);
  tcase_add_test(cli, list_peers_failure_is_exec_error);
  tcase_add_loop_test(cli, remove_peer_runs_dkron, 0,
                      (int)(sizeof(remove_cases) / sizeof(remove_cases[0])));
  tcase_add_test(cli, remove_via_leader_retries_not_leader);
  tcase_add_test(cli, remove_via_leader_gives_up_without_leader);
  suite_add_tcase(s, cli);
  return s;
}
