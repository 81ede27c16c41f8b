/* proc.c: starting, signalling, reaping and stopping child processes.
 *
 * The shape follows the small container init programs: signals are blocked
 * up front and read synchronously (here from a signalfd, so they fit in a
 * poll loop); the child gets a clean signal state and its own process group
 * before exec; an exec failure comes back through a close-on-exec pipe;
 * every exited child is reaped and the main child's status is mapped the
 * way a shell does it. Running a program to completion with its output
 * captured is proc_capture.c.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "proc_internal.h"

/* Exit codes of a child whose exec failed, as a shell reports them. */
#define EXIT_NOT_FOUND      127
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_OTHER_FAILURE  1

/* Longest sleep on the signalfd: a SIGCHLD taken by another thread must
 * not make a wait miss the child's exit for long. */
#define SIGFD_POLL_MAX_MS 100

/* State of proc_signals_init, undone by proc_signals_fini. */
static struct {
  int fd;
  sigset_t orig_mask;
  int subreaper_set;
  int stop_seen; /* a SIGTERM/SIGINT read during proc_stop, or 0 */
} g_sig = {.fd = -1};

/* Milliseconds until deadline, clamped to [0, cap] for poll(2). */
int proc_ms_until(long long deadline, int cap)
{
  return (int)clock_left_ms(deadline, cap);
}

void proc_close_fd(int *fd)
{
  if (*fd >= 0) {
    close(*fd);
    *fd = -1;
  }
}

static void forwarded_set(sigset_t *set)
{
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGHUP);
  sigaddset(set, SIGQUIT);
  sigaddset(set, SIGUSR1);
  sigaddset(set, SIGUSR2);
}

/* Outside PID 1, orphaned grandchildren would go to the real init and we
 * could not reap them; as a subreaper they come to us instead. */
static void become_subreaper(void)
{
  if (getpid() == 1)
    return;
  if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) != 0) {
    LOG_WARNF("cannot become a child subreaper (%s): orphaned processes will "
              "be reaped by the real init, not by us",
              strerror(errno));
    return;
  }
  g_sig.subreaper_set = 1;
}

int proc_stop_pending(void *user)
{
  sigset_t pending;

  (void)user;
  if (sigpending(&pending) != 0)
    return 0;
  return sigismember(&pending, SIGTERM) == 1 ||
         sigismember(&pending, SIGINT) == 1;
}

int proc_stop_take_signal(void)
{
  int signo = g_sig.stop_seen;

  g_sig.stop_seen = 0;
  return signo;
}

int proc_signals_init(struct dk_err *err)
{
  sigset_t set;
  int rc;

  if (g_sig.fd >= 0)
    return g_sig.fd;
  forwarded_set(&set);
  sigaddset(&set, SIGCHLD);
  rc = pthread_sigmask(SIG_BLOCK, &set, &g_sig.orig_mask);
  if (rc != 0) {
    dk_err_set(err, DK_EIO, "cannot block signals: %s", strerror(rc));
    return -1;
  }
  g_sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (g_sig.fd < 0) {
    int e = errno;

    pthread_sigmask(SIG_SETMASK, &g_sig.orig_mask, NULL);
    dk_err_set(err, DK_EIO, "cannot create a signalfd: %s", strerror(e));
    return -1;
  }
  become_subreaper();
  return g_sig.fd;
}

void proc_signals_fini(void)
{
  if (g_sig.fd < 0)
    return;
  proc_close_fd(&g_sig.fd);
  pthread_sigmask(SIG_SETMASK, &g_sig.orig_mask, NULL);
  if (g_sig.subreaper_set)
    (void)prctl(PR_SET_CHILD_SUBREAPER, 0L, 0L, 0L, 0L);
  g_sig.subreaper_set = 0;
}

int proc_signal_read(int sigfd)
{
  struct signalfd_siginfo info;
  ssize_t n;

  do {
    n = read(sigfd, &info, sizeof(info));
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return 0;
  if (n != (ssize_t)sizeof(info))
    return -1;
  return (int)info.ssi_signo;
}

int proc_is_forwarded(int signo)
{
  sigset_t set;

  if (signo <= 0 || signo >= NSIG)
    return 0;
  forwarded_set(&set);
  return sigismember(&set, signo) == 1;
}

static int exit_code_for_errno(int e)
{
  switch (e) {
    case ENOENT:
      return EXIT_NOT_FOUND;
    case EACCES:
    case ENOEXEC:
    case EISDIR:
      return EXIT_NOT_EXECUTABLE;
    default:
      return EXIT_OTHER_FAILURE;
  }
}

/* In the child: hand errno to the parent through the pipe and exit. */
static _Noreturn void child_fail(int errpipe, int e)
{
  ssize_t n;

  do {
    n = write(errpipe, &e, sizeof(e));
  } while (n < 0 && errno == EINTR);
  _exit(exit_code_for_errno(e));
}

/* In the child: put fd on target. dup2 drops close-on-exec on the copy;
 * when fd is already target, it has to be cleared by hand. */
static int child_redirect(int fd, int target)
{
  if (fd < 0)
    return 0;
  if (fd == target)
    return fcntl(fd, F_SETFD, 0);
  return dup2(fd, target) < 0 ? -1 : 0;
}

/* Runs in the forked child, so only async-signal-safe calls until exec
 * (glibc's execvp searches PATH in stack buffers, as posix_spawnp does).
 * Every signal is blocked on entry; handlers are reset before the mask is
 * lowered so none of the parent's can run here. */
static _Noreturn void exec_child(char *const argv[],
                                 const struct child_fds *fds,
                                 const sigset_t *mask, int errpipe)
{
  struct sigaction dfl;

  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP)
      (void)sigaction(sig, &dfl, NULL); /* EINVAL for reserved ones: fine */
  }
  (void)setpgid(0, 0);
  if (child_redirect(fds->in, STDIN_FILENO) != 0 ||
      child_redirect(fds->out, STDOUT_FILENO) != 0 ||
      child_redirect(fds->err, STDERR_FILENO) != 0)
    child_fail(errpipe, errno);
  if (sigprocmask(SIG_SETMASK, mask, NULL) != 0)
    child_fail(errpipe, errno);
  execvp(argv[0], argv);
  child_fail(errpipe, errno);
}

static enum dk_code exec_error(struct dk_err *err, const char *prog, int e)
{
  const char *hint = "";

  if (e == ENOENT)
    hint = " (check the program name and PATH)";
  else if (e == EACCES)
    hint = " (check that the file is executable: chmod +x)";
  else if (e == ENOEXEC)
    hint = " (not a program or script for this machine)";
  return dk_err_set(err, DK_EEXEC, "cannot run %s: %s%s", prog, strerror(e),
                    hint);
}

/* Waits for the exec verdict: EOF means exec succeeded (the pipe closed on
 * exec), an int means it failed with that errno. */
static enum dk_code read_exec_result(int fd, const char *prog,
                                     struct dk_err *err)
{
  int child_errno = 0;
  ssize_t n;

  do {
    n = read(fd, &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  if (n == 0)
    return DK_OK;
  if (n != (ssize_t)sizeof(child_errno))
    child_errno = n < 0 ? errno : EIO;
  return exec_error(err, prog, child_errno);
}

/* fork + exec with a clean signal state; see proc_spawn. */
enum dk_code proc_spawn_child(char *const argv[], const struct child_fds *fds,
                              pid_t *pid, struct dk_err *err)
{
  int errpipe[2];
  sigset_t all, saved;
  enum dk_code rc;
  int e;

  *pid = -1;
  if (!argv || !argv[0] || !argv[0][0])
    return dk_err_set(err, DK_EINVAL,
                      "no program to run (give the command to start)");
  if (pipe2(errpipe, O_CLOEXEC) != 0)
    return dk_err_set(err, DK_EEXEC, "cannot start %s: pipe: %s", argv[0],
                      strerror(errno));
  /* Blocked across fork so no signal handler runs in the child before
   * exec_child has reset the dispositions. */
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  *pid = fork();
  if (*pid == 0) {
    close(errpipe[0]);
    exec_child(argv, fds, g_sig.fd >= 0 ? &g_sig.orig_mask : &saved,
               errpipe[1]);
  }
  e = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  close(errpipe[1]);
  if (*pid < 0)
    rc = dk_err_set(err, DK_EEXEC, "cannot start %s: fork: %s", argv[0],
                    strerror(e));
  else
    rc = read_exec_result(errpipe[0], argv[0], err);
  close(errpipe[0]);
  return rc;
}

enum dk_code proc_spawn(char *const argv[], pid_t *pid, struct dk_err *err)
{
  const struct child_fds inherit = {.in = -1, .out = -1, .err = -1};
  enum dk_code rc;

  rc = proc_spawn_child(argv, &inherit, pid, err);
  if (rc == DK_OK)
    LOG_DEBUGF("started %s as pid %ld", argv[0], (long)*pid);
  return rc;
}

int proc_kill(pid_t pid, int signo)
{
  if (pid <= 0) {
    errno = EINVAL;
    return -1;
  }
  if (kill(pid, signo) == 0 || errno == ESRCH)
    return 0;
  return -1;
}

int proc_exit_code(int wstatus)
{
  if (WIFEXITED(wstatus))
    return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus))
    return 128 + WTERMSIG(wstatus);
  return 1; /* stopped/continued: not requested from waitpid, not final */
}

int proc_reap(pid_t main_pid, int *main_status)
{
  int found = 0;

  for (;;) {
    int wstatus;
    pid_t pid = waitpid(-1, &wstatus, WNOHANG);

    if (pid < 0 && errno == EINTR)
      continue;
    if (pid <= 0)
      break; /* 0: the rest still run; ECHILD: none left */
    if (main_pid > 0 && pid == main_pid) {
      if (main_status)
        *main_status = proc_exit_code(wstatus);
      found = 1;
    } else {
      LOG_DEBUGF("reaped pid %ld (status %d)", (long)pid,
                 proc_exit_code(wstatus));
    }
  }
  return found;
}

/* Non-blocking: 1 and *status once pid is collected, 0 while it runs, -1
 * when it is not our child. Reaps the other children too. */
static int collect_child(pid_t pid, int *status)
{
  int wstatus;
  pid_t r;

  if (proc_reap(pid, status))
    return 1;
  do {
    r = waitpid(pid, &wstatus, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid) {
    *status = proc_exit_code(wstatus);
    return 1;
  }
  return r == 0 ? 0 : -1;
}

/* Sleeps until a signal arrives or up to timeout_ms. Forwarded signals
 * read meanwhile go to the child, except another SIGTERM or SIGINT: the
 * child is already stopping, and a second stop signal makes programs such
 * as dkron give up their graceful stop (dkron exits at once, its running
 * jobs unfinished); only the grace period ends it. SIGCHLD only ends the
 * sleep. */
static void sleep_on_signals(pid_t pid, int timeout_ms)
{
  struct pollfd pfd = {.fd = g_sig.fd, .events = POLLIN};
  int signo;

  if (g_sig.fd < 0) {
    clock_sleep_ms(timeout_ms < PROC_NAP_MS ? timeout_ms : PROC_NAP_MS);
    return;
  }
  if (poll(&pfd, 1, timeout_ms) <= 0)
    return;
  while ((signo = proc_signal_read(g_sig.fd)) > 0) {
    if (signo == SIGTERM || signo == SIGINT) {
      LOG_INFOF("pid %ld is already stopping: not passing it signal %d",
                (long)pid, signo);
      g_sig.stop_seen = signo;
    } else if (proc_is_forwarded(signo)) {
      LOG_INFOF("forwarding signal %d to pid %ld while it stops", signo,
                (long)pid);
      proc_kill(pid, signo);
    }
  }
}

/* Waits for pid until deadline (-1: no deadline). Same results as
 * collect_child, with 0 meaning the deadline passed. */
static int wait_child_until(pid_t pid, long long deadline, int *status)
{
  for (;;) {
    int r = collect_child(pid, status);
    int wait_ms = SIGFD_POLL_MAX_MS;

    if (r != 0)
      return r;
    if (deadline >= 0) {
      if (clock_ms() >= deadline)
        return 0;
      wait_ms = proc_ms_until(deadline, SIGFD_POLL_MAX_MS);
    }
    sleep_on_signals(pid, wait_ms);
  }
}

int proc_stop(pid_t pid, int signo, long grace_ms)
{
  int status = -1;
  int r;

  if (pid <= 0)
    return -1;
  if (signo <= 0)
    signo = SIGTERM;
  if (grace_ms < 0)
    grace_ms = 0;
  if (proc_kill(pid, signo) != 0)
    LOG_WARNF("cannot signal pid %ld: %s", (long)pid, strerror(errno));
  r = wait_child_until(pid, clock_ms() + grace_ms, &status);
  if (r != 0)
    return r > 0 ? status : -1;
  LOG_WARNF("pid %ld still running %ld ms after signal %d; sending SIGKILL",
            (long)pid, grace_ms, signo);
  proc_kill(pid, SIGKILL);
  r = wait_child_until(pid, -1, &status);
  return r > 0 ? status : -1;
}
