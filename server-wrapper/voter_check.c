/* voter_check.c: gathers the readiness facts (readiness.h) from dkron and
 * publishes the verdict on the status server.
 *
 *   GET /v1/leader on our dkron        the API answers; who leads
 *   raft list-peers against the leader  our row in its Raft configuration
 *   GET /v1/members on the leader      our Serf membership as it sees it
 *
 * Asked every isleader interval while not ready, every READY_RECHECK_MS
 * once ready (the list-peers run is a process start).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "dkron_cli.h"
#include "log.h"
#include "proc.h"
#include "readiness.h"
#include "status_server.h"
#include "wrapper.h"

#define READY_RECHECK_MS 5000LL
#define CHECK_CLI_MS     3000L
#define CHECK_HTTP_MS    2000L

/* Our member as the leader's /v1/members lists it. */
static void read_membership(struct wrapper *w,
                            const struct dkron_member *leader,
                            bool leader_is_us, struct readiness_facts *f,
                            struct dkron_members *members, struct dk_err *err)
{
  struct dkron_client_opts opts = {CHECK_HTTP_MS, CHECK_HTTP_MS, 1,
                                   proc_stop_pending, NULL};
  struct dkron_client *c = w->local;
  const struct dkron_member *me;
  char *hp = NULL, *url = NULL;

  if (!leader_is_us) {
    hp = host_port(leader->addr, w->cfg->http_port);
    if (hp && asprintf(&url, "http://%s", hp) < 0)
      url = NULL;
    c = url ? dkron_client_new(url, &opts, err) : NULL;
  }
  if (!c) {
    f->members_error = hp && url ? err->msg : "out of memory";
  } else if (dkron_members(c, members, err) != DK_OK) {
    f->members_error = err->msg;
  } else if ((me = dkron_members_find(members, w->cfg->pod_name))) {
    f->member_status = me->status;
    f->member_addr = me->addr;
  }
  if (c != w->local)
    dkron_client_free(c);
  free(url);
  free(hp);
}

/* Our row in the leader's Raft configuration. */
static void read_config(struct wrapper *w, const char *leader_rpc,
                        struct readiness_facts *f,
                        struct dkron_raft_peers *peers, struct dk_err *err)
{
  const struct dkron_raft_peer *me;

  if (!leader_rpc[0]) {
    f->config_error = "the leader has not published its rpc address yet";
    return;
  }
  if (dkron_list_peers(w->cfg->dkron, leader_rpc, CHECK_CLI_MS, peers, err) !=
      DK_OK) {
    f->config_error = err->msg;
    return;
  }
  me = dkron_raft_peers_find(peers, w->cfg->pod_name);
  if (me) {
    f->listed = true;
    f->listed_addr = me->address;
    f->voter = me->voter;
  }
}

void voter_check(struct wrapper *w, long long now)
{
  struct dkron_member leader;
  struct dkron_raft_peers peers = {NULL, 0};
  struct dkron_members members = {NULL, 0};
  struct readiness_facts f;
  enum dkron_leader_state state = DKRON_LEADER_ERROR;
  struct dk_err err, config_err, members_err;
  char text[sizeof(w->ready_text)];
  bool ready;

  if (!w->status || now < w->next_voter_check)
    return;
  memset(&leader, 0, sizeof(leader));
  memset(&f, 0, sizeof(f));
  dk_err_clear(&err);
  dk_err_clear(&config_err);
  dk_err_clear(&members_err);
  f.self = w->cfg->pod_name;
  f.self_ip = w->cfg->pod_ip;
  f.want_rpc = w->rpc_addr;
  f.api_answers = dkron_leader(w->local, &leader, &state, &err) == DK_OK;
  if (state == DKRON_LEADER_FOUND) {
    bool us = strcmp(leader.name, w->cfg->pod_name) == 0;
    f.leader = leader.name;
    read_config(w, us ? w->rpc_addr : leader.rpc_addr, &f, &peers, &config_err);
    if (!f.config_error)
      read_membership(w, &leader, us, &f, &members, &members_err);
  }
  ready = readiness_judge(&f, text, sizeof(text));
  if (ready != w->ready || strcmp(text, w->ready_text) != 0) {
    if (ready)
      LOG_INFOF("ready: %s", text);
    else
      LOG_INFOF("not ready: %s", text);
    snprintf(w->ready_text, sizeof(w->ready_text), "%s", text);
  }
  w->ready = ready;
  status_server_set_ready(w->status, ready, text);
  w->next_voter_check =
    now + (ready ? READY_RECHECK_MS : w->cfg->isleader_interval);
  dkron_member_clear(&leader);
  dkron_raft_peers_free(&peers);
  dkron_members_free(&members);
}
