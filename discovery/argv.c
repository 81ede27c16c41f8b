/* argv.c: see argv.h. */
#include "argv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void argv_init(struct argv_builder *b)
{
  b->argv = NULL;
  b->n = 0;
  b->cap = 0;
  b->failed = 0;
}

/* Makes room for one more entry plus the NULL terminator. */
static int reserve(struct argv_builder *b)
{
  size_t cap;
  char **grown;

  if (b->n + 2 <= b->cap)
    return 0;
  cap = b->cap ? b->cap * 2 : 32;
  grown = realloc(b->argv, cap * sizeof(*grown));
  if (!grown)
    return -1;
  b->argv = grown;
  b->cap = cap;
  return 0;
}

void argv_push(struct argv_builder *b, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  int n;

  if (b->failed)
    return;
  if (reserve(b) != 0) {
    b->failed = 1;
    return;
  }
  va_start(ap, fmt);
  n = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  b->argv[b->n++] = s;
  b->argv[b->n] = NULL;
}

void argv_free(char **argv)
{
  if (!argv)
    return;
  for (char **a = argv; *a; a++)
    free(*a);
  free(argv);
}

char **argv_take(struct argv_builder *b, struct dk_err *err)
{
  char **out = b->argv;

  if (!b->failed && !out)
    out = calloc(1, sizeof(*out)); /* nothing pushed: an empty list */
  if (b->failed || !out) {
    argv_free(out);
    out = NULL;
    dk_err_set(err, DK_ENOMEM, "out of memory building a command line");
  }
  argv_init(b);
  return out;
}

char *host_port(const char *host, long port)
{
  char *out = NULL;
  int n = strchr(host, ':') ? asprintf(&out, "[%s]:%ld", host, port)
                            : asprintf(&out, "%s:%ld", host, port);
  return n < 0 ? NULL : out;
}

enum dk_code argv_refuse_owned(char *const *extra, int n_extra,
                               const struct owned_flag *owned, size_t n_owned,
                               struct dk_err *err)
{
  for (int i = 0; i < n_extra; i++) {
    for (size_t j = 0; j < n_owned; j++) {
      size_t len = strlen(owned[j].flag);
      if (strncmp(extra[i], owned[j].flag, len) == 0 &&
          (extra[i][len] == '\0' || extra[i][len] == '='))
        return dk_err_set(err, DK_EINVAL,
                          "%s after -- is not allowed: %s; remove it",
                          owned[j].flag, owned[j].why);
    }
  }
  return DK_OK;
}

char *argv_join(char *const *argv)
{
  size_t len = 1;
  char *out;
  size_t pos = 0;

  for (char *const *a = argv; *a; a++)
    len += strlen(*a) + 1;
  out = malloc(len);
  if (!out)
    return NULL;
  for (char *const *a = argv; *a; a++) {
    size_t n = strlen(*a);
    if (a != argv)
      out[pos++] = ' ';
    memcpy(out + pos, *a, n);
    pos += n;
  }
  out[pos] = '\0';
  return out;
}

enum dk_code argv_dkron_agent_start(struct argv_builder *b,
                                    const struct dkron_agent_start *s,
                                    struct dk_err *err)
{
  char *bind;

  argv_init(b);
  if (argv_refuse_owned(s->extra, s->n_extra, s->owned, s->n_owned, err) !=
      DK_OK)
    return DK_EINVAL;
  bind = host_port(s->pod_ip, s->serf_port);
  if (!bind) {
    dk_err_set(err, DK_ENOMEM, "out of memory building the dkron command");
    return DK_ENOMEM;
  }
  argv_push(b, "%s", s->dkron);
  argv_push(b, "agent");
  if (s->server)
    argv_push(b, "--server");
  argv_push(b, "--node-name=%s", s->node_name);
  argv_push(b, "--bind-addr=%s", bind);
  argv_push(b, "--advertise-addr=%s", bind);
  free(bind);
  return DK_OK;
}
