/* agent_argv.c: see agent_argv.h. */
#include "agent_argv.h"

static const struct owned_flag owned_flags[] = {
  {"--retry-max", "it makes dkron hang forever when retries run out; the "
                  "launcher re-joins by itself"},
  {"--server", "the launcher runs workers; servers use dkron-server-wrapper"},
  {"--node-name", "the node name is the pod name (--pod-name)"},
  {"--bind-addr", "the bind address is the pod IP (--pod-ip, --serf-port)"},
  {"--advertise-addr", "the advertise address is the pod IP (--pod-ip)"},
  {"--join", "the launcher joins the live servers it finds"},
  {"--retry-join", "the launcher joins the live servers it finds, and "
                   "re-joins when they change"},
};

enum dk_code agent_argv_check_extra(char *const *extra, int n_extra,
                                    struct dk_err *err)
{
  return argv_refuse_owned(extra, n_extra, owned_flags,
                           sizeof(owned_flags) / sizeof(owned_flags[0]), err);
}

char **agent_argv_build(const struct agent_argv_params *p, struct dk_err *err)
{
  struct argv_builder b;
  const struct dkron_agent_start start = {.dkron = p->dkron,
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
  for (size_t i = 0; i < p->n_join; i++)
    argv_push(&b, "--join=%s", p->join[(p->join_first + i) % p->n_join]);
  for (int i = 0; i < p->n_extra; i++)
    argv_push(&b, "%s", p->extra[i]);
  return argv_take(&b, err);
}
