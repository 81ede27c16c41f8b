/* step.h: what each step of a program tells its main().
 *
 * A step goes on, stops the program cleanly (exit 0: --help, a stop signal
 * before the work began, dkron exiting 0), or fails it with an exit code
 * (2 for a bad configuration, 1 for a start-up that failed, dkron's own
 * status). main() runs the steps while they go on and exits with the last
 * one's code.
 */
#ifndef DK_STEP_H
#define DK_STEP_H

#include <stdbool.h>

enum step_kind { STEP_GO_ON = 0, STEP_STOP_CLEANLY, STEP_FAIL };

struct step {
  enum step_kind kind;
  int exit_code; /* 0 unless kind is STEP_FAIL */
};

/* The exit code for a program that failed to start. */
#define STEP_START_FAILED 1

struct step step_go_on(void);
/* The program ends with exit_code: 0 stops it cleanly, anything else fails
 * it. */
struct step step_exit(int exit_code);
bool step_goes_on(struct step s);

#endif
