/* dkron_leader.c: dkron_parse_leader (a GET /v1/leader body).
 *
 * Input: the body. Promises checked (dkron_parse.h): a blank body or "null" is
 * "no leader" (found false, DK_OK); a leader found has every string set, a
 * Name and a published rpc_addr (a member without one means "no leader
 * known"); when no leader is found the member is cleared; on failure found
 * is false and err says why.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dkron_parse.h"

static bool blank(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!isspace((unsigned char)s[i]))
      return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const struct dkron_member zero;
  char *body = fuzz_copy(data, size);
  struct dkron_member leader;
  struct dk_err err = {0};
  bool found = true;
  enum dk_code rc;

  memset(&leader, 0xa5, sizeof(leader));
  rc = dkron_parse_leader(body, size, &leader, &found, &err);
  fuzz_check_err(rc, &err);
  if (blank(body, size) || (size == 4 && memcmp(body, "null", 4) == 0))
    FUZZ_CHECK(rc == DK_OK && !found, "blank or null: no leader, no error");
  if (rc != DK_OK)
    FUZZ_CHECK(!found, "on failure no leader is found");
  if (found) {
    FUZZ_CHECK(leader.name && leader.addr && leader.rpc_addr && leader.role,
               "no string of the leader is NULL");
    FUZZ_CHECK(leader.name[0] != '\0', "the leader has a name");
    FUZZ_CHECK(leader.rpc_addr[0] != '\0', "the leader has an rpc_addr");
    FUZZ_CHECK(leader.port >= 0 && leader.port <= 65535, "the port is a port");
  } else {
    FUZZ_CHECK(memcmp(&leader, &zero, sizeof(leader)) == 0,
               "no leader: the member is cleared");
  }
  dkron_member_clear(&leader);
  FUZZ_CHECK(memcmp(&leader, &zero, sizeof(leader)) == 0,
             "a cleared member is empty");
  free(body);
  return 0;
}
