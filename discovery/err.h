/* err.h: the error code and message every discovery call fills in.
 *
 * Functions return an enum dk_code (DK_OK == 0) and, on failure, leave a
 * readable message in a caller-owned struct dk_err: what failed, why, and
 * where possible what to do about it. No secret ever goes into a message.
 */
#ifndef DK_ERR_H
#define DK_ERR_H

#include <stddef.h>

enum dk_code {
  DK_OK = 0,
  DK_EINVAL,     /* bad argument or configuration */
  DK_ENOMEM,     /* allocation failed */
  DK_EIO,        /* local I/O (files, pipes) */
  DK_ECONNECT,   /* connection refused / unreachable / DNS of the URL */
  DK_ETIMEOUT,   /* connect or total timeout, stalled transfer */
  DK_ETLS,       /* TLS handshake or certificate verification */
  DK_EHTTP,      /* unexpected HTTP status (see dk_err.http_status) */
  DK_ETOOBIG,    /* response body over the configured cap */
  DK_EPARSE,     /* malformed or truncated body, unexpected JSON shape */
  DK_ENOTFOUND,  /* HTTP 404, NXDOMAIN, missing object */
  DK_EAUTH,      /* HTTP 401: credentials rejected */
  DK_EFORBIDDEN, /* HTTP 403: RBAC denies the request */
  DK_EGONE,      /* HTTP 410: resourceVersion too old, relist */
  DK_ECANCELED,  /* stopped by the caller (signal, shutdown) */
  DK_ENOTLEADER, /* dkron: the target server is not the Raft leader */
  DK_EEXEC       /* a child process failed to run or exited non-zero */
};

#define DK_ERR_MSG_LEN 512

struct dk_err {
  enum dk_code code;
  long http_status; /* 0 when no HTTP status was received */
  char msg[DK_ERR_MSG_LEN];
};

/* Sets code and message (printf-style) and returns code, so callers can
 * write `return dk_err_set(err, DK_EINVAL, "...")`. err may be NULL. */
enum dk_code dk_err_set(struct dk_err *err, enum dk_code code, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the existing message, keeping the code. */
enum dk_code dk_err_prefix(struct dk_err *err, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

void dk_err_clear(struct dk_err *err);

/* A short stable name for a code, e.g. "timeout". */
const char *dk_code_name(enum dk_code code);

#endif
