/* dkron_members.c: dkron_parse_members (a GET /v1/members body).
 *
 * Input: the body. Promises checked (dkron_parse.h): after a successful parse
 * no string of a member is NULL and its Name is not empty; on failure out is
 * empty and err says why; dkron_members_find finds every member by name;
 * dkron_members_free leaves out empty.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dkron_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *body = fuzz_copy(data, size);
  struct dkron_members ms;
  struct dk_err err = {0};
  enum dk_code rc;

  memset(&ms, 0xa5, sizeof(ms));
  rc = dkron_parse_members(body, size, &ms, &err);
  fuzz_check_err(rc, &err);
  if (rc != DK_OK) {
    FUZZ_CHECK(ms.items == NULL && ms.n == 0, "on failure out is empty");
  } else {
    FUZZ_CHECK(ms.n == 0 || ms.items != NULL, "the members are there");
    for (size_t i = 0; i < ms.n; i++) {
      const struct dkron_member *m = &ms.items[i];
      const struct dkron_member *found;

      FUZZ_CHECK(m->name && m->addr && m->rpc_addr && m->role,
                 "no string of a parsed member is NULL");
      FUZZ_CHECK(m->name[0] != '\0', "a member has a name");
      FUZZ_CHECK(m->port >= 0 && m->port <= 65535, "the port is a port");
      FUZZ_CHECK(m->status >= 0 && m->status <= 255, "the status is small");
      FUZZ_CHECK(dkron_status_name(m->status) != NULL, "a status has a name");
      found = dkron_members_find(&ms, m->name);
      FUZZ_CHECK(found && strcmp(found->name, m->name) == 0,
                 "a member is found by its name");
    }
  }
  dkron_members_free(&ms);
  FUZZ_CHECK(ms.items == NULL && ms.n == 0, "freed members are empty");
  free(body);
  return 0;
}
