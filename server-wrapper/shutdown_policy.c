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

enum removal shutdown_should_remove(const struct shutdown_facts *f,
                                    char *reason, size_t len)
{
  if (f->mode == REMOVE_ALWAYS) {
    snprintf(reason, len, "remove from Raft: --remove-on-exit=always");
    return REMOVAL_ALWAYS;
  }
  if (f->replicas >= 0 && f->ordinal >= f->replicas) {
    snprintf(reason, len,
             "remove from Raft: ordinal %ld is at or above spec.replicas=%ld "
             "(scaled down)",
             f->ordinal, f->replicas);
    return REMOVAL_SCALED_DOWN;
  }
  if (!f->leave_ok && f->leave_interrupted) {
    snprintf(reason, len,
             "no remove-peer: the graceful leave was abandoned before dkron "
             "answered, so it may have left; if it did not, the leader's "
             "dead-peer cleanup removes it once its pod should not exist");
    return REMOVAL_NONE;
  }
  if (!f->leave_ok) {
    snprintf(reason, len,
             "remove from Raft: the graceful leave failed, so the leader may "
             "never see this server leave");
    return REMOVAL_LEAVE_FAILED;
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
  return REMOVAL_NONE;
}

const char *removal_name(enum removal r)
{
  switch (r) {
    case REMOVAL_SCALED_DOWN:
      return "scaled_down";
    case REMOVAL_LEAVE_FAILED:
      return "leave_failed";
    case REMOVAL_ALWAYS:
      return "always";
    case REMOVAL_NONE:
      break;
  }
  return "none";
}

bool leave_keeps_quorum(long voters, long replicas, bool self_voter,
                        long others_working, long others_staying, char *why,
                        size_t len)
{
  long size = replicas > voters ? replicas : voters;
  long quorum = size / 2 + 1;

  if (!self_voter) {
    snprintf(why, len, "not a voter: leaving costs no quorum");
    return true;
  }
  if (size <= 2) {
    snprintf(why, len,
             "a cluster of %ld server%s: any departure costs quorum, so there "
             "is nothing to wait for",
             size, size == 1 ? "" : "s");
    return true;
  }
  if (others_staying == 0) {
    snprintf(why, len,
             "every other voter is stopping too: the cluster goes down as a "
             "whole, so there is nothing to wait for");
    return true;
  }
  if (others_working >= quorum) {
    snprintf(why, len,
             "%ld other voter%s work, quorum of %ld servers is %ld: leaving "
             "keeps it",
             others_working, others_working == 1 ? "" : "s", size, quorum);
    return true;
  }
  snprintf(why, len,
           "only %ld other voter%s work (Raft lists %ld voters, the "
           "StatefulSet %ld servers), quorum is %ld: leaving now would lose "
           "it",
           others_working, others_working == 1 ? "" : "s", voters, size,
           quorum);
  return false;
}

bool guard_counts_voter(bool working, bool terminating, long ordinal,
                        long self_ordinal)
{
  return working && !(terminating && ordinal > self_ordinal);
}
