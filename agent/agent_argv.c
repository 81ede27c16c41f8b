/* agent_argv.c: see agent_argv.h. */
#include "agent_argv.h"

#include <stdlib.h>

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

char **agent_argv_build(const struct agent_argv_params *p, struct dk_err *err)
{
  struct argv_builder b;
  char *bind;

  if (argv_refuse_owned(p->extra, p->n_extra, owned_flags,
                        sizeof(owned_flags) / sizeof(owned_flags[0]),
                        err) != DK_OK)
    return NULL;
  bind = host_port(p->pod_ip, p->serf_port);
  if (!bind) {
    dk_err_set(err, DK_ENOMEM, "out of memory building the dkron command");
    return NULL;
  }
  argv_init(&b);
  argv_push(&b, "%s", p->dkron);
  argv_push(&b, "agent");
  argv_push(&b, "--node-name=%s", p->node_name);
  argv_push(&b, "--bind-addr=%s", bind);
  argv_push(&b, "--advertise-addr=%s", bind);
  for (size_t i = 0; i < p->n_join; i++)
    argv_push(&b, "--join=%s", p->join[(p->join_first + i) % p->n_join]);
  for (int i = 0; i < p->n_extra; i++)
    argv_push(&b, "%s", p->extra[i]);
  free(bind);
  return argv_take(&b, err);
}
