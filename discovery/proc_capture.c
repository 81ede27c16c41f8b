/* proc_capture.c: running a program to completion with a deadline, its
 * stdout and stderr captured (see proc_capture.h), on proc.c's spawn. */
#include "proc_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "dynbuf.h"
#include "proc.h"
#include "proc_internal.h"

/* proc_run_capture: time between SIGTERM and SIGKILL on timeout. */
#define CAPTURE_KILL_GRACE_MS 1000
#define READ_CHUNK            4096

/* One captured stream of proc_run_capture. */
struct sink {
  int fd;
  struct dynbuf buf; /* capped: what passes the cap is dropped */
};

/* One read from a ready stream; closes it at EOF. */
static enum dk_code sink_read(struct sink *s)
{
  char chunk[READ_CHUNK];
  ssize_t n = read(s->fd, chunk, sizeof(chunk));

  if (n < 0)
    return errno == EINTR || errno == EAGAIN ? DK_OK : DK_EIO;
  if (n == 0) {
    proc_close_fd(&s->fd);
    return DK_OK;
  }
  return dynbuf_add_trunc(&s->buf, chunk, (size_t)n);
}

/* Reads both streams until EOF on both, or the deadline. */
static enum dk_code drain_sinks(struct sink sinks[2], long long deadline)
{
  while (sinks[0].fd >= 0 || sinks[1].fd >= 0) {
    struct pollfd pfd[2] = {{.fd = sinks[0].fd, .events = POLLIN},
                            {.fd = sinks[1].fd, .events = POLLIN}};
    int n;

    if (clock_ms() >= deadline)
      return DK_ETIMEOUT;
    n = poll(pfd, 2, proc_ms_until(deadline, INT_MAX));
    if (n < 0 && errno != EINTR)
      return DK_EIO;
    for (int i = 0; i < 2 && n > 0; i++) {
      if (pfd[i].revents == 0)
        continue;
      enum dk_code rc = sink_read(&sinks[i]);
      if (rc != DK_OK)
        return rc;
    }
  }
  return DK_OK;
}

/* Blocking waitpid for this one child; -1 if it is not ours (any more). */
static int wait_exact(pid_t pid, int options)
{
  int wstatus;
  pid_t r;

  do {
    r = waitpid(pid, &wstatus, options);
  } while (r < 0 && errno == EINTR);
  if (r == pid)
    return proc_exit_code(wstatus);
  return r == 0 ? -2 : -1; /* -2: still running (WNOHANG) */
}

/* SIGTERM, up to CAPTURE_KILL_GRACE_MS, SIGKILL; returns its status. */
static int terminate_child(pid_t pid)
{
  long long deadline = clock_ms() + CAPTURE_KILL_GRACE_MS;
  int status;

  proc_kill(pid, SIGTERM);
  while ((status = wait_exact(pid, WNOHANG)) == -2) {
    if (clock_ms() >= deadline) {
      proc_kill(pid, SIGKILL);
      return wait_exact(pid, 0);
    }
    clock_sleep_ms(PROC_NAP_MS);
  }
  return status;
}

/* Collects the child of a run whose output is drained (rc DK_OK) or that
 * failed (rc): within the deadline, else after killing it. Returns the
 * run's final code and leaves the status in *exit_code. */
static enum dk_code finish_run(pid_t pid, enum dk_code rc, long long deadline,
                               const char *prog, long timeout_ms,
                               int *exit_code, struct dk_err *err)
{
  int read_errno = errno; /* for DK_EIO from drain_sinks */

  if (rc == DK_EEXEC) {
    *exit_code = wait_exact(pid, 0); /* exits at once: 127, 126 or 1 */
    return rc;
  }
  if (rc == DK_OK) {
    /* EOF does not mean exit: it may have closed its output and go on. */
    while ((*exit_code = wait_exact(pid, WNOHANG)) == -2 &&
           clock_ms() < deadline)
      clock_sleep_ms(PROC_NAP_MS);
    if (*exit_code == -1)
      return dk_err_set(err, DK_EIO,
                        "run %s: its exit status was collected elsewhere "
                        "(another thread reaping children?)",
                        prog);
    if (*exit_code >= 0)
      return DK_OK;
    rc = DK_ETIMEOUT;
  }
  *exit_code = terminate_child(pid);
  if (rc == DK_ETIMEOUT)
    return dk_err_set(err, rc,
                      "%s did not finish within %ld ms and was stopped (raise "
                      "the timeout, or find out why it hangs)",
                      prog, timeout_ms);
  if (rc == DK_ENOMEM)
    return dk_err_set(err, rc, "run %s: out of memory capturing its output",
                      prog);
  return dk_err_set(err, rc, "run %s: cannot read its output: %s", prog,
                    strerror(read_errno));
}

enum dk_code proc_run_capture(char *const argv[], long timeout_ms, size_t cap,
                              struct proc_output *res, struct dk_err *err)
{
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  struct sink sinks[2];
  struct child_fds fds;
  long long deadline = clock_ms() + timeout_ms;
  pid_t pid = -1;
  enum dk_code rc;

  for (int i = 0; i < 2; i++) {
    sinks[i].fd = -1;
    dynbuf_init(&sinks[i].buf, cap);
  }
  if (!res)
    return dk_err_set(err, DK_EINVAL, "run: no result to fill");
  memset(res, 0, sizeof(*res));
  res->exit_code = -1;
  if (timeout_ms <= 0)
    return dk_err_set(err, DK_EINVAL, "run: timeout must be positive, got %ld",
                      timeout_ms);
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    rc = dk_err_set(err, DK_EIO, "run: pipe: %s", strerror(errno));
    goto out;
  }
  fds.in = open("/dev/null", O_RDONLY | O_CLOEXEC); /* -1: keep our stdin */
  fds.out = out_pipe[1];
  fds.err = err_pipe[1];
  rc = proc_spawn_child(argv, &fds, &pid, err);
  proc_close_fd(&fds.in);
  proc_close_fd(&out_pipe[1]);
  proc_close_fd(&err_pipe[1]);
  if (pid < 0)
    goto out;
  sinks[0].fd = out_pipe[0];
  sinks[1].fd = err_pipe[0];
  out_pipe[0] = err_pipe[0] = -1;
  if (rc == DK_OK)
    rc = drain_sinks(sinks, deadline);
  rc = finish_run(pid, rc, deadline, argv[0], timeout_ms, &res->exit_code, err);
out:
  proc_close_fd(&out_pipe[0]);
  proc_close_fd(&out_pipe[1]);
  proc_close_fd(&err_pipe[0]);
  proc_close_fd(&err_pipe[1]);
  proc_close_fd(&sinks[0].fd);
  proc_close_fd(&sinks[1].fd);
  /* An empty capture is an owned empty string; NULL: no memory. */
  res->out = dynbuf_take(&sinks[0].buf, &res->out_len);
  res->err = dynbuf_take(&sinks[1].buf, &res->err_len);
  if ((!res->out || !res->err) && rc == DK_OK)
    rc = dk_err_set(err, DK_ENOMEM, "run %s: out of memory", argv[0]);
  return rc;
}

void proc_output_free(struct proc_output *res)
{
  if (!res)
    return;
  free(res->out);
  free(res->err);
  res->out = res->err = NULL;
  res->out_len = res->err_len = 0;
}
