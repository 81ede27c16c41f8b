/* proc_capture.h: running a program to completion with a deadline and its
 * output captured (proc.h includes it). */
#ifndef DK_PROC_CAPTURE_H
#define DK_PROC_CAPTURE_H

#include <stddef.h>

#include "err.h"

/* Runs argv to completion with a deadline, capturing stdout and stderr
 * (each capped at cap bytes; the rest is read and dropped). On timeout the
 * child is killed (SIGTERM, then SIGKILL after 1 s) and DK_ETIMEOUT is
 * returned. On DK_OK, res->exit_code holds its shell-style status (a
 * non-zero exit is still DK_OK); DK_EEXEC means it could not be run.
 * timeout_ms must be positive. stdin is /dev/null. Whatever the result,
 * res holds what was captured and must be released with proc_output_free.
 * The child is collected with waitpid(pid): do not run proc_reap in
 * another thread at the same time, or it may take the status (DK_EIO). */
struct proc_output {
  char *out; /* NUL-terminated, owned */
  size_t out_len;
  char *err; /* NUL-terminated, owned */
  size_t err_len;
  int exit_code;
};
enum dk_code proc_run_capture(char *const argv[], long timeout_ms, size_t cap,
                              struct proc_output *res, struct dk_err *err);
void proc_output_free(struct proc_output *res);

#endif
