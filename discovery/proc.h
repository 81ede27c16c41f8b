/* proc.h: child processes for an entrypoint that may run as PID 1.
 *
 * - Children are started from an argv (execvp), never through a shell.
 * - Signals are received synchronously through a signalfd: proc_signals_init
 *   blocks them in the calling thread (call it first in main, before any
 *   thread starts) and the child gets the original mask back before exec.
 * - Every exited child is reaped (PID 1, or a subreaper when not PID 1), and
 *   the main child's status is mapped the shell way: exit status, 128+signal,
 *   127 when the program was not found, 126 when it could not be executed.
 *
 * Running a program to completion with its output captured
 * (proc_run_capture) is declared in proc_capture.h, which this header
 * includes.
 */
#ifndef DK_PROC_H
#define DK_PROC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "proc_capture.h"

/* Blocks SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGCHLD, and
 * returns a non-blocking, close-on-exec signalfd for them (or -1 and err).
 * Also makes this process a child subreaper when it is not PID 1 (a warning
 * is logged if the kernel refuses). Calling it again returns the same fd. */
int proc_signals_init(struct dk_err *err);

/* Non-zero when a SIGTERM or SIGINT is pending (blocked by
 * proc_signals_init and not yet read from the signalfd): the question an
 * HTTP client's interrupt asks, so that a request or its retries stop
 * waiting when a stop arrives (http_client_opts.interrupt). user is unused. */
int proc_stop_pending(void *user);

/* Undoes proc_signals_init (for tests, which run several in one process):
 * closes the signalfd, restores the signal mask saved by init (a signal
 * still pending is then delivered) and drops the subreaper flag if init set
 * it. Does nothing when init was not called. */
void proc_signals_fini(void);

/* Reads one pending signal from the signalfd: returns its number, 0 if none
 * is pending, -1 on error. */
int proc_signal_read(int sigfd);

/* True for the signals an entrypoint forwards to its child:
 * SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2. */
int proc_is_forwarded(int signo);

/* Starts argv[0] with argv (PATH lookup), the original signal mask and
 * default dispositions, in its own process group. Exec failures are
 * reported through a close-on-exec pipe: DK_EEXEC with errno's text, and
 * *pid is still set so the caller can reap the 127/126 exit (1 for other
 * errors). If no child could be created at all (pipe or fork failed),
 * *pid is -1 and DK_EEXEC names the cause. */
enum dk_code proc_spawn(char *const argv[], pid_t *pid, struct dk_err *err);

/* Sends signo to the child (ESRCH is not an error: it already exited).
 * Returns 0, or -1 with errno (EINVAL for pid <= 0, which kill(2) would
 * widen to a process group or to every process).
 *
 * The signal goes to the child's pid, not to its process group: dkron
 * supervises its own job processes and stops them itself when it gets
 * SIGTERM, so signalling the group would hit every running job twice (once
 * from us, once from dkron) and cut its graceful shutdown short. */
int proc_kill(pid_t pid, int signo);

/* Reaps every exited child without blocking. If `main_pid` exited, stores
 * its shell-style status in *main_status and returns 1; otherwise 0.
 * Other children (orphaned grandchildren) are reaped and discarded. */
int proc_reap(pid_t main_pid, int *main_status);

/* Shell-style status from a waitpid status: exit code, or 128+signal. */
int proc_exit_code(int wstatus);

/* Graceful stop: SIGTERM (or `signo`), wait up to grace_ms for the child,
 * then SIGKILL. Returns the child's shell-style status. Other children are
 * reaped along the way. When proc_signals_init was called, the wait sleeps
 * on the signalfd: SIGCHLD wakes it, and forwarded signals that arrive in
 * the meantime are passed on to the child (they are consumed), except
 * SIGTERM and SIGINT, which are consumed and dropped: a second stop signal
 * would cut the child's graceful stop short. Returns -1
 * if pid is not a child of this process (never started, or reaped). */
int proc_stop(pid_t pid, int signo, long grace_ms);

/* The SIGTERM or SIGINT that a proc_stop read and dropped since the last
 * call, or 0: a caller that stops its child for another reason than its
 * own stop (a restart) learns that a stop was asked for meanwhile. */
int proc_stop_take_signal(void);

#endif
