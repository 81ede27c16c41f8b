/* proc_fixtures.h: what the suites of the proc module share
 * (proc_fixtures.c): the test binary as its own helper program, the
 * children a test starts tracked and killed in the teardown, and a test
 * case with that fixture. */
#ifndef PROC_FIXTURES_H
#define PROC_FIXTURES_H

#include <limits.h>
#include <sys/types.h>
#include <time.h>

#include "tests.h"

#define HELPER_ENV           "UNIT_HELPER"
#define HELPER_FD_ENV        "UNIT_HELPER_FD"
#define HELPER_LIFETIME_S    30
#define HELPER_SIG_EXIT_BASE 100  /* sigecho exits 100 + signal number */
#define WAIT_MS              3000 /* deadline for anything a test waits on */
#define MAX_TRACKED          8

/* The test binary, which a test starts again as a helper (setup fills
 * it). */
extern char self_exe[PATH_MAX];

static inline long long mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Children killed by pid in the teardown while they are still unreaped. */
void track(pid_t pid);
void untrack(pid_t pid);

/* True when this process has no child left, running or zombie. */
int no_children_left(void);

/* A test case with the fixture (checked) and a 10 s timeout. */
TCase *new_case(const char *name);

#endif
