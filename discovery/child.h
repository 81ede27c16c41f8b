/* child.h: the one dkron child an entrypoint starts and supervises.
 *
 * Both entrypoints start dkron the same way (the command line logged as
 * "starting: ...", then proc_spawn, a failed exec being the shell's
 * 127/126) and read the same signals from the signalfd while it runs:
 * SIGCHLD reaps it (and any orphan), SIGTERM and SIGINT ask for a stop, the
 * other forwarded signals go on to it. What to do about each event stays
 * with the caller: the wrapper exits with dkron, the launcher relaunches
 * it.
 */
#ifndef DK_CHILD_H
#define DK_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

struct child {
  pid_t pid;   /* the child to reap; 0 before a start and once reaped */
  pid_t last;  /* the last child started, kept after its exit (messages) */
  int status;  /* shell-style, once exited */
  bool exited; /* set when reaped, or when a start made no child at all;
                  the caller clears it once it has acted on it */
};

enum child_event {
  CHILD_NONE,      /* nothing for the caller (an orphan reaped, say) */
  CHILD_EXITED,    /* the child was reaped: status and exited are set */
  CHILD_STOP,      /* SIGTERM or SIGINT: the caller's stop */
  CHILD_FORWARDED, /* passed on to the running child */
};

/* Logs "starting: <argv>" and spawns argv (proc_spawn). On failure, logs
 * "cannot start dkron: <why> (set --dkron / DKRON_BIN)" and returns the
 * error: when a child was made, c->pid is kept so that its 127/126 exit is
 * reaped like any exit (or collected now with child_wait); when none was,
 * c->exited is set with status 127. */
enum dk_code child_start(struct child *c, char *const argv[],
                         struct dk_err *err);

/* Acts on one signal read from the signalfd: reaps on SIGCHLD (the other
 * children are reaped and discarded), forwards proc_is_forwarded signals
 * other than SIGTERM and SIGINT to a running child, and says which event
 * it was. A forwarded signal with no child running is dropped. */
enum child_event child_handle_signal(struct child *c, int sig);

/* Blocks until the child exits (a child whose exec failed, say); returns
 * its shell-style status, or c->status when there is no child to wait
 * for. */
int child_wait(struct child *c);

/* proc_stop: signo, then SIGKILL after grace_ms. Returns the status (-1
 * when there was no child to stop); the child is forgotten either way. */
int child_stop(struct child *c, int signo, long grace_ms);

#endif
