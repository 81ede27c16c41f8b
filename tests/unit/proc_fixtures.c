/* proc_fixtures.c: the fixtures of the proc module's suites (see
 * proc_fixtures.h), which test it against real child processes.
 *
 * Helper programs without extra binaries: the test binary doubles as its
 * own helper. A test puts UNIT_HELPER=<mode> (and UNIT_HELPER_FD=<fd>, the
 * pipe it reports on) in the environment and spawns the binary again via
 * the path /proc/self/exe points to. In that child, helper_dispatch() runs
 * as a constructor, before Check's main(): it sees UNIT_HELPER, plays the
 * part and exits, so the test runner itself never starts there. Under
 * valgrind the readlink of /proc/self/exe gives the test binary, which then
 * runs natively (valgrind does not trace exec'd children).
 *
 * Every helper dies with the test process (PR_SET_PDEATHSIG) and after
 * HELPER_LIFETIME_S at the latest (alarm), so a failed test never leaves
 * one behind. Children a test starts are also tracked and killed by pid in
 * the teardown while they are still unreaped (so the pid cannot have been
 * reused).
 */
#include "proc_fixtures.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

/* ---- helper side (runs in the re-executed child) ---- */

static void helper_say(int fd, const char *text)
{
  size_t len = strlen(text);

  while (len > 0) {
    ssize_t n = write(fd, text, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      _exit(3);
    text += n;
    len -= (size_t)n;
  }
}

static _Noreturn void helper_idle(void)
{
  for (;;)
    pause();
}

/* Prints "ready", then the name of the first forwarded-type signal it gets,
 * and exits 100 + its number. The signals are blocked first so none sent
 * after "ready" can be missed. */
static _Noreturn void helper_sigecho(int fd)
{
  sigset_t set;
  int signo = 0;

  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, NULL);
  helper_say(fd, "ready\n");
  while (sigwait(&set, &signo) != 0)
    continue;
  helper_say(fd, sigabbrev_np(signo));
  helper_say(fd, "\n");
  _exit(HELPER_SIG_EXIT_BASE + signo);
}

/* Leaves behind a grandchild that outlives it, prints its pid, exits 0. */
static _Noreturn void helper_orphan(int fd)
{
  char line[32];
  pid_t child = fork();

  if (child == 0) {
    /* fork cleared the parent-death signal and the alarm: it outlives
     * its parent, for HELPER_LIFETIME_S at most. */
    close(fd);
    alarm(HELPER_LIFETIME_S);
    helper_idle();
  }
  if (child < 0)
    _exit(2);
  snprintf(line, sizeof(line), "%ld\n", (long)child);
  helper_say(fd, line);
  _exit(0);
}

/* The constructor that turns this binary into a helper; see the top. */
__attribute__((constructor)) static void helper_dispatch(void)
{
  const char *mode = getenv(HELPER_ENV);
  const char *fd_text = getenv(HELPER_FD_ENV);
  char *end = NULL;
  long fd;

  if (!mode)
    return;
  errno = 0;
  fd = fd_text ? strtol(fd_text, &end, 10) : -1;
  if (errno != 0 || !end || *end != '\0' || fd < 0 || fd > INT_MAX)
    _exit(2);
  prctl(PR_SET_PDEATHSIG, (long)SIGKILL, 0L, 0L, 0L);
  alarm(HELPER_LIFETIME_S);
  if (strcmp(mode, "sigecho") == 0)
    helper_sigecho((int)fd);
  if (strcmp(mode, "orphan") == 0)
    helper_orphan((int)fd);
  if (strcmp(mode, "ignoreterm") == 0)
    signal(SIGTERM, SIG_IGN);
  else if (strcmp(mode, "wait") != 0)
    _exit(2);
  helper_say((int)fd, "ready\n");
  helper_idle();
}

/* ---- test side ---- */

char self_exe[PATH_MAX];
static pid_t tracked[MAX_TRACKED];

void track(pid_t pid)
{
  for (int i = 0; i < MAX_TRACKED; i++) {
    if (tracked[i] == 0) {
      tracked[i] = pid;
      return;
    }
  }
  ck_abort_msg("too many children tracked");
}

void untrack(pid_t pid)
{
  for (int i = 0; i < MAX_TRACKED; i++) {
    if (tracked[i] == pid)
      tracked[i] = 0;
  }
}

static void setup(void)
{
  ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

  ck_assert_int_gt(n, 0);
  self_exe[n] = '\0';
  memset(tracked, 0, sizeof(tracked));
}

/* Kills (by pid) and reaps whatever a failed test left running, and undoes
 * the process-wide changes a test may have made (valgrind runs all tests
 * in one process). */
static void teardown(void)
{
  for (int i = 0; i < MAX_TRACKED; i++) {
    if (tracked[i] > 0) {
      kill(tracked[i], SIGKILL);
      waitpid(tracked[i], NULL, 0);
      tracked[i] = 0;
    }
  }
  proc_signals_fini();
  signal(SIGUSR2, SIG_DFL);
  unsetenv(HELPER_ENV);
  unsetenv(HELPER_FD_ENV);
}

/* True when this process has no child left, running or zombie. */
int no_children_left(void)
{
  return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

TCase *new_case(const char *name)
{
  TCase *tc = tcase_create(name);

  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 10);
  return tc;
}
