/* child.c: see child.h. */
#include "child.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "argv.h"
#include "log.h"
#include "proc.h"

/* What a shell answers when the program cannot be started at all. */
#define CHILD_NOT_STARTED 127

enum dk_code child_start(struct child *c, char *const argv[],
                         struct dk_err *err)
{
  char *line = argv_join(argv);
  enum dk_code rc;

  LOG_INFOF("starting: %s", line ? line : argv[0]);
  free(line);
  c->exited = false;
  rc = proc_spawn(argv, &c->pid, err);
  if (rc == DK_OK) {
    c->last = c->pid;
    return DK_OK;
  }
  LOG_ERRORF("cannot start dkron: %s (set --dkron / DKRON_BIN)", err->msg);
  if (c->pid > 0) {
    c->last = c->pid; /* it exits by itself with 127/126 */
  } else {
    c->pid = 0;
    c->exited = true;
    c->status = CHILD_NOT_STARTED;
  }
  return rc;
}

enum child_event child_handle_signal(struct child *c, int sig)
{
  if (sig == SIGCHLD) {
    if (c->pid > 0 && proc_reap(c->pid, &c->status)) {
      c->pid = 0;
      c->exited = true;
      return CHILD_EXITED;
    }
    if (c->pid <= 0)
      proc_reap(0, NULL);
    return CHILD_NONE;
  }
  if (sig == SIGTERM || sig == SIGINT)
    return CHILD_STOP;
  if (proc_is_forwarded(sig) && c->pid > 0) {
    proc_kill(c->pid, sig);
    return CHILD_FORWARDED;
  }
  return CHILD_NONE;
}

int child_wait(struct child *c)
{
  int wstatus;
  pid_t r;

  if (c->pid <= 0)
    return c->status;
  while ((r = waitpid(c->pid, &wstatus, 0)) < 0 && errno == EINTR)
    ;
  c->status = r == c->pid ? proc_exit_code(wstatus) : CHILD_NOT_STARTED;
  c->pid = 0;
  c->exited = true;
  return c->status;
}

int child_stop(struct child *c, int signo, long grace_ms)
{
  int status = proc_stop(c->pid, signo, grace_ms);

  c->pid = 0;
  if (status >= 0) {
    c->status = status;
    c->exited = true;
  }
  return status;
}
