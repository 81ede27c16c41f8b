/* shutdown_policy.c: see shutdown_policy.h. */
#include "shutdown_policy.h"

#include <stdio.h>
#include <string.h>

int remove_mode_parse(const char *text, enum remove_mode *out)
{
  if (strcmp(text, "auto") == 0)
    *out = REMOVE_AUTO;
  else if (strcmp(text, "always") == 0)
    *out = REMOVE_ALWAYS;
  else
    return -1;
  return 0;
}

bool shutdown_should_remove(const struct shutdown_facts *f, char *reason,
                            size_t len)
{
  if (f->mode == REMOVE_ALWAYS) {
    snprintf(reason, len, "remove from Raft: --remove-on-exit=always");
    return true;
  }
  if (f->replicas >= 0 && f->ordinal >= f->replicas) {
    snprintf(reason, len,
             "remove from Raft: ordinal %ld is at or above spec.replicas=%ld "
             "(scaled down)",
             f->ordinal, f->replicas);
    return true;
  }
  if (!f->leave_ok) {
    snprintf(reason, len,
             "remove from Raft: the graceful leave failed, so the leader may "
             "never see this server leave");
    return true;
  }
  if (f->replicas < 0)
    snprintf(reason, len,
             "a restart (spec.replicas could not be read, the leave "
             "succeeded): no remove-peer; the leader drops this server "
             "after its leave and adds it back at its new address when it "
             "returns");
  else
    snprintf(reason, len,
             "a restart (ordinal %ld < spec.replicas=%ld): no remove-peer; "
             "the leader drops this server after its leave and adds it back "
             "at its new address when it returns",
             f->ordinal, f->replicas);
  return false;
}
