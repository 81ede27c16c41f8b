/* server_argv.c: see server_argv.h. */
#include "server_argv.h"

#include <string.h>

static const struct owned_flag owned_flags[] = {
  {"--retry-max", "it makes dkron hang forever when retries run out; the "
                  "wrapper supervises the join instead"},
  {"--server", "the wrapper always runs a server"},
  {"--node-name", "the node name is the pod name (--pod-name)"},
  {"--bind-addr", "the bind address is the pod IP (--pod-ip, --serf-port)"},
  {"--advertise-addr", "the advertise address is the pod IP (--pod-ip)"},
  {"--data-dir", "use the wrapper's --data-dir"},
  {"--bootstrap-expect",
   "the wrapper decides bootstrap (--initial-cluster-size)"},
  {"--retry-join", "the wrapper joins the StatefulSet peers"},
  {"--join", "the wrapper joins the StatefulSet peers"},
  {"--rpc-port", "use the wrapper's --rpc-port"},
  {"--http-addr", "use the wrapper's --http-port"},
  {"--config", "the wrapper passes dkron its own config file (for the "
               "reconcile interval, which has no flag); give dkron's "
               "settings as flags after -- or as DKRON_* variables"},
};

enum dk_code server_argv_check(char *const *extra, int n_extra,
                               struct dk_err *err)
{
  return argv_refuse_owned(extra, n_extra, owned_flags,
                           sizeof(owned_flags) / sizeof(owned_flags[0]), err);
}

/* True when peer names ourselves (FQDN, pod name or pod IP). */
static int is_self(const struct server_argv_params *p, const char *peer)
{
  return (p->self_fqdn && strcmp(peer, p->self_fqdn) == 0) ||
         strcmp(peer, p->pod_ip) == 0 || strcmp(peer, p->node_name) == 0;
}

char **server_argv_build(const struct server_argv_params *p, struct dk_err *err)
{
  struct argv_builder b;
  const struct dkron_agent_start start = {.dkron = p->dkron,
                                          .server = true,
                                          .node_name = p->node_name,
                                          .pod_ip = p->pod_ip,
                                          .serf_port = p->serf_port,
                                          .extra = p->extra,
                                          .n_extra = p->n_extra,
                                          .owned = owned_flags,
                                          .n_owned = sizeof(owned_flags) /
                                                     sizeof(owned_flags[0])};

  if (argv_dkron_agent_start(&b, &start, err) != DK_OK)
    return NULL;
  argv_push(&b, "--http-addr=:%ld", p->http_port);
  argv_push(&b, "--rpc-port=%ld", p->rpc_port);
  argv_push(&b, "--data-dir=%s", p->data_dir);
  if (p->config_file)
    argv_push(&b, "--config=%s", p->config_file);
  for (size_t i = 0; i < p->n_peers; i++) {
    if (!is_self(p, p->peers[i]))
      argv_push(&b, "--retry-join=%s:%ld", p->peers[i], p->serf_port);
  }
  if (p->retry_interval)
    argv_push(&b, "--retry-interval=%s", p->retry_interval);
  if (p->bootstrap_expect > 0)
    argv_push(&b, "--bootstrap-expect=%ld", p->bootstrap_expect);
  for (int i = 0; i < p->n_extra; i++)
    argv_push(&b, "%s", p->extra[i]);
  return argv_take(&b, err);
}
