/* readiness.c: see readiness.h. */
#include "readiness.h"

#include <stdio.h>
#include <string.h>

#include "dkron.h"

bool readiness_judge(const struct readiness_facts *f, char *text, size_t len)
{
  if (!f->api_answers) {
    snprintf(text, len, "dkron's HTTP API does not answer yet");
    return false;
  }
  if (!f->leader) {
    snprintf(text, len, "no leader known yet");
    return false;
  }
  if (f->config_error) {
    snprintf(text, len,
             "cannot read the Raft configuration of the leader %s: %s",
             f->leader, f->config_error);
    return false;
  }
  if (!f->listed) {
    snprintf(text, len, "not in the Raft configuration of the leader %s yet",
             f->leader);
    return false;
  }
  if (strcmp(f->listed_addr, f->want_rpc) != 0) {
    snprintf(text, len,
             "the leader %s lists this server in Raft at %s, not at its "
             "current address %s yet",
             f->leader, f->listed_addr, f->want_rpc);
    return false;
  }
  if (!f->voter) {
    snprintf(text, len,
             "a non-voter in the Raft configuration of the leader %s",
             f->leader);
    return false;
  }
  if (f->members_error) {
    snprintf(text, len, "cannot read the Serf members of the leader %s: %s",
             f->leader, f->members_error);
    return false;
  }
  if (f->member_status == DKRON_NONE) {
    snprintf(text, len,
             "the leader %s does not list this server as a Serf "
             "member",
             f->leader);
    return false;
  }
  if (f->member_status != DKRON_ALIVE) {
    snprintf(text, len, "the leader %s sees this server's Serf member as %s",
             f->leader, dkron_status_name(f->member_status));
    return false;
  }
  if (strcmp(f->member_addr, f->self_ip) != 0) {
    snprintf(text, len,
             "the leader %s sees this server's Serf member at %s, not at %s",
             f->leader, f->member_addr, f->self_ip);
    return false;
  }
  snprintf(text, len, "a voter at %s (leader %s)", f->want_rpc, f->leader);
  return true;
}
