/* dkron_cli.c: `dkron raft list-peers` / `remove-peer` wrappers and their
 * output parsing (see dkron_cli.h). */
#include "dkron_cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "clock.h"
#include "dkron.h"
#include "proc.h"

#define CLI_OUTPUT_CAP (64u * 1024u)
#define LINE_SHOWN     160 /* how much of a bad line goes into a message */
/* remove-peer: the pause between attempts doubles up to this. */
#define REMOVE_BACKOFF_MAX_MS 5000L

#define MAX_TOKENS 6 /* five columns, plus one to notice extra columns */

struct token {
  const char *p;
  size_t len;
};

/* ---------------------------------------------------------------------- */
/* list-peers                                                             */

/* Splits [line, line+len) on whitespace; returns the number of tokens
 * (at most MAX_TOKENS, which then means "too many"). */
static size_t tokenize(const char *line, size_t len, struct token *tok)
{
  size_t n = 0;
  size_t i = 0;

  while (i < len && n < MAX_TOKENS) {
    while (i < len && isspace((unsigned char)line[i]))
      i++;
    if (i == len)
      break;
    size_t start = i;
    while (i < len && !isspace((unsigned char)line[i]))
      i++;
    tok[n].p = line + start;
    tok[n].len = i - start;
    n++;
  }
  return n;
}

static bool token_is(const struct token *t, const char *word)
{
  return t->len == strlen(word) && memcmp(t->p, word, t->len) == 0;
}

static bool is_header(const struct token *tok, size_t n)
{
  return n == 5 && token_is(&tok[0], "Node") && token_is(&tok[1], "ID") &&
         token_is(&tok[2], "Address") && token_is(&tok[3], "State") &&
         token_is(&tok[4], "Voter");
}

void dkron_raft_peers_free(struct dkron_raft_peers *peers)
{
  if (!peers)
    return;
  for (size_t i = 0; i < peers->n; i++) {
    free(peers->items[i].node);
    free(peers->items[i].id);
    free(peers->items[i].address);
  }
  free(peers->items);
  peers->items = NULL;
  peers->n = 0;
}

const struct dkron_raft_peer *
dkron_raft_peers_find(const struct dkron_raft_peers *peers, const char *id)
{
  if (!peers || !id)
    return NULL;
  for (size_t i = 0; i < peers->n; i++) {
    if (strcmp(peers->items[i].id, id) == 0)
      return &peers->items[i];
  }
  return NULL;
}

/* Appends one row from its five tokens; the caller has checked the count. */
static enum dk_code add_row(struct dkron_raft_peers *out, size_t *cap,
                            const struct token *tok, struct dk_err *err)
{
  if (out->n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 8;
    struct dkron_raft_peer *items =
      realloc(out->items, ncap * sizeof(*out->items));
    if (!items)
      return dk_err_set(err, DK_ENOMEM, "list-peers: out of memory");
    out->items = items;
    *cap = ncap;
  }
  struct dkron_raft_peer *p = &out->items[out->n];
  p->node = strndup(tok[0].p, tok[0].len);
  p->id = strndup(tok[1].p, tok[1].len);
  p->address = strndup(tok[2].p, tok[2].len);
  p->leader = token_is(&tok[3], "leader");
  p->voter = token_is(&tok[4], "true");
  out->n++; /* owned from here on, freed with the rest on error */
  if (!p->node || !p->id || !p->address)
    return dk_err_set(err, DK_ENOMEM, "list-peers: out of memory");
  return DK_OK;
}

/* Checks that a table line is a proper row: five columns, Voter a bool. */
static bool is_row(const struct token *tok, size_t n)
{
  return n == 5 && (token_is(&tok[4], "true") || token_is(&tok[4], "false"));
}

enum dk_code dkron_parse_list_peers(const char *text,
                                    struct dkron_raft_peers *out,
                                    struct dk_err *err)
{
  struct token tok[MAX_TOKENS];
  bool in_table = false;
  size_t cap = 0;
  enum dk_code rc = DK_OK;

  out->items = NULL;
  out->n = 0;
  for (const char *line = text ? text : ""; *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    size_t n = tokenize(line, len, tok);

    if (!in_table) {
      in_table = is_header(tok, n);
    } else if (n > 0 && !is_row(tok, n)) {
      int shown = len > LINE_SHOWN ? LINE_SHOWN : (int)len;
      rc = dk_err_set(err, DK_EPARSE,
                      "list-peers: expected \"<node> <id> <address> <state> "
                      "<true|false>\", got \"%.*s\"",
                      shown, line);
      goto out;
    } else if (n > 0) {
      rc = add_row(out, &cap, tok, err);
      if (rc != DK_OK)
        goto out;
    }
    line += len + (nl ? 1 : 0);
  }
  if (!in_table)
    rc = dk_err_set(err, DK_EPARSE,
                    "list-peers: no \"Node ID Address State Voter\" header in "
                    "the output; is --rpc-addr a dkron server of the same "
                    "major version?");
out:
  if (rc != DK_OK)
    dkron_raft_peers_free(out);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* remove-peer classification                                             */

/* Copies the last line of text that starts with prefix (any line when
 * prefix is ""), trimmed, into buf. Returns false if there is none. */
static bool last_line(const char *text, const char *prefix, char *buf,
                      size_t buflen)
{
  const char *found = NULL;
  size_t found_len = 0;
  size_t plen = strlen(prefix);

  for (const char *line = text ? text : ""; *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    size_t start = 0;
    while (start < len && isspace((unsigned char)line[start]))
      start++;
    size_t end = len;
    while (end > start && isspace((unsigned char)line[end - 1]))
      end--;
    if (end > start && end - start >= plen &&
        strncmp(line + start, prefix, plen) == 0) {
      found = line + start;
      found_len = end - start;
    }
    line += len + (nl ? 1 : 0);
  }
  if (!found)
    return false;
  snprintf(buf, buflen, "%.*s",
           (int)(found_len > buflen - 1 ? buflen - 1 : found_len), found);
  return true;
}

static bool contains(const char *text, const char *needle)
{
  return text && strstr(text, needle) != NULL;
}

/* The line that best explains a failure: cobra's "Error: ..." line, else
 * the last line dkron printed (stdout repeats the error last). */
static void error_line(const char *out_text, const char *err_text, char *buf,
                       size_t buflen)
{
  if (last_line(err_text, "Error:", buf, buflen) ||
      last_line(out_text, "Error:", buf, buflen) ||
      last_line(out_text, "", buf, buflen) ||
      last_line(err_text, "", buf, buflen))
    return;
  snprintf(buf, buflen, "(no output)");
}

enum dk_code dkron_classify_remove_peer(int exit_code, const char *out_text,
                                        const char *err_text,
                                        enum dkron_remove_outcome *outcome,
                                        struct dk_err *err)
{
  char line[320];

  *outcome = DKRON_PEER_NOT_REMOVED;
  if (exit_code == 0) {
    *outcome = DKRON_PEER_REMOVED;
    return DK_OK;
  }
  if (contains(out_text, "was not found in the Raft configuration") ||
      contains(err_text, "was not found in the Raft configuration")) {
    *outcome = DKRON_PEER_ALREADY_GONE;
    return DK_OK;
  }
  error_line(out_text, err_text, line, sizeof(line));
  if (contains(out_text, "node is not the leader") ||
      contains(err_text, "node is not the leader") ||
      contains(out_text, "leadership lost while committing log") ||
      contains(err_text, "leadership lost while committing log"))
    return dk_err_set(err, DK_ENOTLEADER,
                      "remove-peer: the target is not (or no longer) the "
                      "leader: %s",
                      line);
  if (exit_code == 127 || exit_code == 126)
    return dk_err_set(err, DK_EEXEC,
                      "remove-peer: the dkron binary could not be run (exit "
                      "%d): %s; check the dkron path",
                      exit_code, line);
  return dk_err_set(err, DK_EEXEC, "remove-peer exited %d: %s", exit_code,
                    line);
}

/* ---------------------------------------------------------------------- */
/* Running dkron                                                          */

/* "--name=value" on the heap, or NULL. */
static char *flag_arg(const char *name, const char *value)
{
  size_t n = strlen(name) + strlen(value) + 4;
  char *s = malloc(n);

  if (s)
    snprintf(s, n, "--%s=%s", name, value);
  return s;
}

static bool blank_arg(const char *s)
{
  return !s || !*s;
}

enum dk_code dkron_list_peers(const char *dkron_bin, const char *rpc_addr,
                              long timeout_ms, struct dkron_raft_peers *out,
                              struct dk_err *err)
{
  struct proc_output res = {0};
  char *addr_arg = NULL;
  enum dk_code rc;

  out->items = NULL;
  out->n = 0;
  if (blank_arg(dkron_bin) || blank_arg(rpc_addr) || timeout_ms <= 0)
    return dk_err_set(err, DK_EINVAL,
                      "list-peers: need the dkron binary, an rpc address "
                      "(<server ip>:6868) and a positive timeout");
  addr_arg = flag_arg("rpc-addr", rpc_addr);
  if (!addr_arg)
    return dk_err_set(err, DK_ENOMEM, "list-peers: out of memory");
  char *argv[] = {(char *)dkron_bin, "raft", "list-peers", addr_arg, NULL};
  rc = proc_run_capture(argv, timeout_ms, CLI_OUTPUT_CAP, &res, err);
  if (rc != DK_OK) {
    dk_err_prefix(err, "%s raft list-peers %s", dkron_bin, addr_arg);
    goto out;
  }
  if (res.exit_code != 0) {
    char line[320];
    error_line(res.out, res.err, line, sizeof(line));
    rc = dk_err_set(err, DK_EEXEC, "%s raft list-peers %s exited %d: %s",
                    dkron_bin, addr_arg, res.exit_code, line);
    goto out;
  }
  rc = dkron_parse_list_peers(res.out, out, err);
  if (rc != DK_OK)
    dk_err_prefix(err, "%s raft list-peers %s", dkron_bin, addr_arg);
out:
  proc_output_free(&res);
  free(addr_arg);
  return rc;
}

enum dk_code dkron_remove_peer(const char *dkron_bin, const char *rpc_addr,
                               const char *peer_id, long timeout_ms,
                               enum dkron_remove_outcome *outcome,
                               struct dk_err *err)
{
  struct proc_output res = {0};
  char *id_arg = NULL;
  char *addr_arg = NULL;
  enum dk_code rc;

  *outcome = DKRON_PEER_NOT_REMOVED;
  if (blank_arg(dkron_bin) || blank_arg(rpc_addr) || blank_arg(peer_id) ||
      timeout_ms <= 0)
    return dk_err_set(err, DK_EINVAL,
                      "remove-peer: need the dkron binary, the leader's rpc "
                      "address, a peer id and a positive timeout");
  id_arg = flag_arg("peer-id", peer_id);
  addr_arg = flag_arg("rpc-addr", rpc_addr);
  if (!id_arg || !addr_arg) {
    rc = dk_err_set(err, DK_ENOMEM, "remove-peer: out of memory");
    goto out;
  }
  char *argv[] = {(char *)dkron_bin, "raft", "remove-peer", id_arg,
                  addr_arg,          NULL};
  rc = proc_run_capture(argv, timeout_ms, CLI_OUTPUT_CAP, &res, err);
  if (rc == DK_OK)
    rc =
      dkron_classify_remove_peer(res.exit_code, res.out, res.err, outcome, err);
  if (rc != DK_OK)
    dk_err_prefix(err, "%s raft remove-peer %s %s", dkron_bin, id_arg,
                  addr_arg);
out:
  proc_output_free(&res);
  free(id_arg);
  free(addr_arg);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* remove-peer through whoever leads                                      */

/* One line describing what every peer said, for the "no leader" error. */
static void describe_peers(const struct dkron_peer_leader *peers, size_t n,
                           char *buf, size_t buflen)
{
  size_t used = 0;

  buf[0] = '\0';
  for (size_t i = 0; i < n && used < buflen; i++) {
    int w = snprintf(buf + used, buflen - used, "%s%s: %s", i ? "; " : "",
                     peers[i].url, dkron_leader_state_name(peers[i].state));
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

/* One attempt: find the leader, run remove-peer against it. */
static enum dk_code remove_once(const struct dkron_remove_opts *o,
                                long http_timeout_ms, long cli_timeout_ms,
                                enum dkron_remove_outcome *outcome,
                                struct dk_err *err)
{
  struct dkron_peer_leader *peers = calloc(o->n_peer_urls, sizeof(*peers));
  enum dk_code rc;

  if (!peers)
    return dk_err_set(err, DK_ENOMEM, "remove-peer: out of memory");
  rc = dkron_find_leader(o->peer_urls, o->n_peer_urls, http_timeout_ms, peers,
                         err);
  if (rc != DK_OK)
    goto out;
  const struct dkron_peer_leader *found =
    dkron_peer_leaders_first(peers, o->n_peer_urls);
  if (!found) {
    char what[DK_ERR_MSG_LEN / 2];
    describe_peers(peers, o->n_peer_urls, what, sizeof(what));
    rc =
      dk_err_set(err, DK_ENOTLEADER, "no server reports a leader (%s)", what);
    goto out;
  }
  rc = dkron_remove_peer(o->dkron_bin, found->leader.rpc_addr, o->peer_id,
                         cli_timeout_ms, outcome, err);
out:
  dkron_peer_leaders_clear(peers, o->n_peer_urls);
  free(peers);
  return rc;
}

/* Retries while the failure may be transient: no leader yet, leadership
 * moved, the leader's gRPC timing out, dkron exiting with an error. */
enum dk_code dkron_remove_peer_via_leader(const struct dkron_remove_opts *opts,
                                          enum dkron_remove_outcome *outcome,
                                          struct dk_err *err)
{
  struct dkron_remove_opts o = *opts;
  enum dk_code rc = DK_ETIMEOUT;
  int attempt = 0;

  *outcome = DKRON_PEER_NOT_REMOVED;
  if (blank_arg(o.dkron_bin) || blank_arg(o.peer_id) || !o.peer_urls ||
      o.n_peer_urls == 0 || o.attempts < 0 || o.deadline_ms < 0)
    return dk_err_set(err, DK_EINVAL,
                      "remove-peer: need the dkron binary, a peer id and at "
                      "least one server URL to find the leader");
  o.attempts = o.attempts ? o.attempts : 5;
  o.deadline_ms = o.deadline_ms ? o.deadline_ms : 60000;
  o.http_timeout_ms = o.http_timeout_ms > 0 ? o.http_timeout_ms : 2000;
  o.cli_timeout_ms = o.cli_timeout_ms > 0 ? o.cli_timeout_ms : 20000;
  o.backoff_ms = o.backoff_ms > 0 ? o.backoff_ms : 500;
  long long deadline = clock_ms() + o.deadline_ms;
  struct backoff pauses;
  backoff_init(&pauses, o.backoff_ms, REMOVE_BACKOFF_MAX_MS);
  dk_err_set(err, DK_ETIMEOUT, "no time left to try");
  while (attempt < o.attempts) {
    long http_ms = (long)clock_left_ms(deadline, o.http_timeout_ms);
    long cli_ms = (long)clock_left_ms(deadline, o.cli_timeout_ms);
    if (http_ms <= 0 || cli_ms <= 0)
      break;
    attempt++;
    rc = remove_once(&o, http_ms, cli_ms, outcome, err);
    if (rc == DK_OK || rc == DK_EINVAL || rc == DK_ENOMEM)
      return rc;
    long pause =
      (long)clock_left_ms(deadline, backoff_next_jitter_ms(&pauses, 0.0));
    if (attempt < o.attempts && pause > 0)
      clock_sleep_ms(pause);
  }
  dk_err_prefix(err, "remove-peer %s: gave up after %d attempt(s)", o.peer_id,
                attempt);
  return rc;
}
