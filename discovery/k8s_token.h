/* k8s_token.h: the service-account token of the Kubernetes client; not
 * part of the discovery API (k8s.c and its parts use it).
 *
 * The token is re-read whenever its file changes (kubelet rotates projected
 * tokens: a cheap stat per request notices it) and when forced, after a
 * 401. It never appears in logs or messages, and its memory is wiped when
 * it is released.
 */
#ifndef DK_K8S_TOKEN_H
#define DK_K8S_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"

#define TOKEN_MAX 16384 /* projected tokens are ~1 KiB */

struct k8s_token {
  char *value; /* NUL-terminated, TOKEN_MAX + 1 bytes, wiped on release */
  size_t len;
  /* Identity of the file it was read from, to notice rotation. */
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
};

struct k8s_client;

/* Wipes and frees the token; t is zeroed. */
void k8s_token_release(struct k8s_token *t);

/* Re-reads the token when forced (after a 401) or when its file changed
 * (a cheap stat per request); the old token is wiped. */
enum dk_code k8s_token_refresh(struct k8s_client *c, bool force,
                               struct dk_err *err);

#endif
