/* cluster_view.c: see cluster_view.h. */
#include "cluster_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "clock.h"
#include "wrapper.h"

#define VIEW_CLI_MS  3000L
#define VIEW_HTTP_MS 2000L

/* A client for the leader's HTTP API (NULL with err set). */
static struct dkron_client *
leader_client(struct wrapper *w, const char *leader_addr, struct dk_err *err)
{
  const struct dkron_client_opts opts = {.connect_timeout_ms = VIEW_HTTP_MS,
                                         .timeout_ms = VIEW_HTTP_MS,
                                         .max_attempts = 1, /* no retry */
                                         .interrupt = wrapper_call_should_stop,
                                         .interrupt_user = w};
  struct dkron_client *c = NULL;
  char *hp = host_port(leader_addr, w->cfg->http_port), *url = NULL;

  if (hp && asprintf(&url, "http://%s", hp) >= 0)
    c = dkron_client_new(url, &opts, err);
  else
    dk_err_set(err, DK_ENOMEM, "out of memory");
  free(url);
  free(hp);
  return c;
}

void cluster_view_read(struct wrapper *w, struct cluster_view *v)
{
  enum dkron_leader_state state = DKRON_LEADER_ERROR;
  struct dkron_client *c;
  struct dk_err err;
  const char *rpc;
  long cli_ms;

  memset(v, 0, sizeof(*v));
  dk_err_clear(&err);
  v->api_answers = dkron_leader(w->local, &v->leader, &state, &err) == DK_OK;
  v->leader_known = state == DKRON_LEADER_FOUND;
  if (!v->leader_known)
    return;
  v->leader_is_us = strcmp(v->leader.name, w->cfg->pod_name) == 0;
  rpc = v->leader_is_us ? w->rpc_addr : v->leader.rpc_addr;
  if (!rpc[0]) {
    dk_err_set(&v->config_err, DK_EINVAL,
               "the leader has not published its rpc address yet");
    return;
  }
  cli_ms = VIEW_CLI_MS;
  if (w->call_deadline)
    cli_ms = (long)clock_left_ms(w->call_deadline, VIEW_CLI_MS);
  if (cli_ms <= 0) {
    dk_err_set(&v->config_err, DK_ETIMEOUT,
               "no time left to read the leader's Raft configuration");
    return;
  }
  v->config_read = dkron_list_peers(w->cfg->dkron, rpc, cli_ms, &v->peers,
                                    &v->config_err) == DK_OK;
  if (!v->config_read)
    return;
  c = v->leader_is_us ? w->local
                      : leader_client(w, v->leader.addr, &v->members_err);
  v->members_read =
    c && dkron_members(c, &v->members, &v->members_err) == DK_OK;
  if (c != w->local)
    dkron_client_free(c);
}

void cluster_view_free(struct cluster_view *v)
{
  dkron_member_clear(&v->leader);
  dkron_raft_peers_free(&v->peers);
  dkron_members_free(&v->members);
}

bool cluster_view_working(const struct cluster_view *v,
                          const struct dkron_raft_peer *p, long rpc_port)
{
  const struct dkron_member *m = dkron_members_find(&v->members, p->id);
  char *current;
  bool ok;

  if (!p->voter || !m || m->status != DKRON_ALIVE)
    return false;
  current = host_port(m->addr, rpc_port);
  ok = current && strcmp(current, p->address) == 0;
  free(current);
  return ok;
}
