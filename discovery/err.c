/* err.c: error codes and messages shared by the discovery modules. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum dk_code dk_err_set(struct dk_err *err, enum dk_code code, const char *fmt,
                        ...)
{
  va_list ap;

  if (!err)
    return code;
  err->code = code;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return code;
}

enum dk_code dk_err_prefix(struct dk_err *err, const char *fmt, ...)
{
  char prefix[DK_ERR_MSG_LEN];
  char old[DK_ERR_MSG_LEN];
  va_list ap;

  if (!err)
    return DK_OK;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof(prefix), fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof(old));
  /* Compose in a buffer large enough for both, then truncate on copy. */
  char joined[2 * DK_ERR_MSG_LEN + 2];
  snprintf(joined, sizeof(joined), "%s: %s", prefix, old);
  size_t n = strnlen(joined, sizeof(err->msg) - 1);
  memcpy(err->msg, joined, n);
  err->msg[n] = '\0';
  return err->code;
}

void dk_err_clear(struct dk_err *err)
{
  if (!err)
    return;
  err->code = DK_OK;
  err->http_status = 0;
  err->msg[0] = '\0';
}

const char *dk_code_name(enum dk_code code)
{
  switch (code) {
    case DK_OK:
      return "ok";
    case DK_EINVAL:
      return "invalid";
    case DK_ENOMEM:
      return "out of memory";
    case DK_EIO:
      return "i/o";
    case DK_ECONNECT:
      return "connect";
    case DK_ETIMEOUT:
      return "timeout";
    case DK_ETLS:
      return "tls";
    case DK_EHTTP:
      return "http";
    case DK_ETOOBIG:
      return "too big";
    case DK_EPARSE:
      return "parse";
    case DK_ENOTFOUND:
      return "not found";
    case DK_EAUTH:
      return "unauthorized";
    case DK_EFORBIDDEN:
      return "forbidden";
    case DK_EGONE:
      return "gone";
    case DK_ECANCELED:
      return "canceled";
    case DK_ENOTLEADER:
      return "not leader";
    case DK_EEXEC:
      return "exec";
  }
  return "unknown";
}
