/* step.c: see step.h. */
#include "step.h"

struct step step_go_on(void)
{
  return (struct step){.kind = STEP_GO_ON, .exit_code = 0};
}

struct step step_exit(int exit_code)
{
  return (struct step){.kind = exit_code == 0 ? STEP_STOP_CLEANLY : STEP_FAIL,
                       .exit_code = exit_code};
}

bool step_goes_on(struct step s)
{
  return s.kind == STEP_GO_ON;
}
