/* proc_internal.h: what proc.c and proc_capture.c share; not part of the
 * discovery API. */
#ifndef DK_PROC_INTERNAL_H
#define DK_PROC_INTERNAL_H

#include <sys/types.h>

#include "err.h"

/* Sleep between waitpid polls when there is no signalfd to sleep on. */
#define PROC_NAP_MS 5

/* Where the child's stdin/stdout/stderr come from; -1 keeps ours. */
struct child_fds {
  int in;
  int out;
  int err;
};

/* Milliseconds until deadline, clamped to [0, cap] for poll(2). */
int proc_ms_until(long long deadline, int cap);

/* Closes *fd unless it is -1, and sets it to -1. */
void proc_close_fd(int *fd);

/* fork + exec with a clean signal state; see proc_spawn. */
enum dk_code proc_spawn_child(char *const argv[], const struct child_fds *fds,
                              pid_t *pid, struct dk_err *err);

#endif
