/* argv.h: building a child's argv (never a shell command line).
 *
 * An argv_builder collects heap strings; a failed allocation is remembered
 * and reported once by argv_take(), so callers push without checking each
 * step. The result is a NULL-terminated array owned by the caller and
 * freed with argv_free().
 */
#ifndef DK_ARGV_H
#define DK_ARGV_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct argv_builder {
  char **argv;
  size_t n, cap;
  int failed;
};

void argv_init(struct argv_builder *b);
void argv_push(struct argv_builder *b, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Returns the argv (ownership passes to the caller; an empty list when
 * nothing was pushed) or NULL with err set to DK_ENOMEM; the builder is
 * empty afterwards either way. */
char **argv_take(struct argv_builder *b, struct dk_err *err);
void argv_free(char **argv);

/* "host:port", with brackets when host is an IPv6 address. Heap string or
 * NULL when out of memory. */
char *host_port(const char *host, long port);

/* A flag the program sets itself, and why the user must not pass it. */
struct owned_flag {
  const char *flag; /* "--node-name" */
  const char *why;
};

/* Refuses any passthrough argument that is, or starts with "<flag>=", an
 * owned flag: DK_EINVAL naming the flag, why, and that it must go. */
enum dk_code argv_refuse_owned(char *const *extra, int n_extra,
                               const struct owned_flag *owned, size_t n_owned,
                               struct dk_err *err);

/* The start both programs give `dkron agent`. */
struct dkron_agent_start {
  const char *dkron;
  bool server; /* adds --server */
  const char *node_name;
  const char *pod_ip;
  long serf_port;
  char *const *extra; /* the passthrough, checked against owned */
  int n_extra;
  const struct owned_flag *owned;
  size_t n_owned;
};

/* Checks the passthrough (argv_refuse_owned), then starts b with
 * `<dkron> agent [--server] --node-name=<node> --bind-addr=<ip>:<serf>
 * --advertise-addr=<ip>:<serf>`. On DK_OK b holds them (argv_take or
 * argv_free of its take); on DK_EINVAL (a refused flag) or DK_ENOMEM b is
 * empty. */
enum dk_code argv_dkron_agent_start(struct argv_builder *b,
                                    const struct dkron_agent_start *s,
                                    struct dk_err *err);

/* Joins argv with spaces for a log line (heap string, or NULL). */
char *argv_join(char *const *argv);

#endif
