/* server_argv.c: see server_argv.h. */
#include "server_argv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Flags the wrapper sets itself, and why a user must not pass them. */
static const struct {
  const char *flag;
  const char *why;
} owned_flags[] = {
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
};

char *host_port(const char *host, long port)
{
  char *out = NULL;
  int n = strchr(host, ':') ? asprintf(&out, "[%s]:%ld", host, port)
                            : asprintf(&out, "%s:%ld", host, port);
  return n < 0 ? NULL : out;
}

void server_argv_free(char **argv)
{
  if (!argv)
    return;
  for (char **a = argv; *a; a++)
    free(*a);
  free(argv);
}

/* Checks one passthrough argument against the flags the wrapper owns. */
static enum dk_code check_extra(const char *arg, struct dk_err *err)
{
  for (size_t i = 0; i < sizeof(owned_flags) / sizeof(owned_flags[0]); i++) {
    size_t len = strlen(owned_flags[i].flag);
    if (strncmp(arg, owned_flags[i].flag, len) == 0 &&
        (arg[len] == '\0' || arg[len] == '=')) {
      return dk_err_set(err, DK_EINVAL,
                        "%s after -- is not allowed: %s; remove it",
                        owned_flags[i].flag, owned_flags[i].why);
    }
  }
  return DK_OK;
}

struct argv_builder {
  char **argv;
  size_t n, cap;
  int failed;
};

static void push(struct argv_builder *b, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static void push(struct argv_builder *b, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;

  if (b->failed)
    return;
  if (b->n + 2 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 32;
    char **grown = realloc(b->argv, cap * sizeof(*grown));
    if (!grown) {
      b->failed = 1;
      return;
    }
    b->argv = grown;
    b->cap = cap;
  }
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0) {
    b->failed = 1;
    s = NULL;
  }
  va_end(ap);
  if (!s)
    return;
  b->argv[b->n++] = s;
  b->argv[b->n] = NULL;
}

char **server_argv_build(const struct server_argv_params *p, struct dk_err *err)
{
  struct argv_builder b = {NULL, 0, 0, 0};
  char *bind = host_port(p->pod_ip, p->serf_port);

  for (int i = 0; i < p->n_extra; i++) {
    if (check_extra(p->extra[i], err) != DK_OK) {
      free(bind);
      return NULL;
    }
  }
  if (!bind) {
    dk_err_set(err, DK_ENOMEM, "out of memory building the dkron command");
    return NULL;
  }
  push(&b, "%s", p->dkron);
  push(&b, "agent");
  push(&b, "--server");
  push(&b, "--node-name=%s", p->node_name);
  push(&b, "--bind-addr=%s", bind);
  push(&b, "--advertise-addr=%s", bind);
  push(&b, "--http-addr=:%ld", p->http_port);
  push(&b, "--rpc-port=%ld", p->rpc_port);
  push(&b, "--data-dir=%s", p->data_dir);
  for (size_t i = 0; i < p->n_peers; i++) {
    const char *peer = p->peers[i];
    if ((p->self_fqdn && strcmp(peer, p->self_fqdn) == 0) ||
        strcmp(peer, p->pod_ip) == 0 || strcmp(peer, p->node_name) == 0)
      continue;
    push(&b, "--retry-join=%s:%ld", peer, p->serf_port);
  }
  if (p->retry_interval)
    push(&b, "--retry-interval=%s", p->retry_interval);
  if (p->bootstrap_expect > 0)
    push(&b, "--bootstrap-expect=%ld", p->bootstrap_expect);
  for (int i = 0; i < p->n_extra; i++)
    push(&b, "%s", p->extra[i]);
  free(bind);
  if (b.failed) {
    server_argv_free(b.argv);
    dk_err_set(err, DK_ENOMEM, "out of memory building the dkron command");
    return NULL;
  }
  return b.argv;
}
