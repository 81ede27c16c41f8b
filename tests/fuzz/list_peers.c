/* list_peers.c: dkron_parse_list_peers (`dkron raft list-peers` stdout).
 *
 * Input: the output text (it ends at the first NUL, as the captured
 * output does). Promises checked (dkron_cli.h): a parsed peer's strings are
 * never NULL nor empty and hold no white space (they are columns);
 * dkron_raft_peers_find finds every peer by its ID; on failure out is empty
 * and err says why; no header means DK_EPARSE.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dkron_cli.h"

static bool is_column(const char *s)
{
  if (!s || !*s)
    return false;
  for (; *s; s++)
    if (isspace((unsigned char)*s))
      return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = fuzz_copy(data, size);
  struct dkron_raft_peers peers;
  struct dk_err err = {0};
  enum dk_code rc;

  memset(&peers, 0xa5, sizeof(peers));
  rc = dkron_parse_list_peers(text, &peers, &err);
  fuzz_check_err(rc, &err);
  FUZZ_CHECK(rc == DK_OK || rc == DK_EPARSE, "only parse errors");
  if (!strstr(text, "Voter"))
    FUZZ_CHECK(rc == DK_EPARSE, "no header: DK_EPARSE");
  if (rc != DK_OK) {
    FUZZ_CHECK(peers.items == NULL && peers.n == 0, "on failure out is empty");
  } else {
    FUZZ_CHECK(peers.n == 0 || peers.items != NULL, "the peers are there");
    for (size_t i = 0; i < peers.n; i++) {
      const struct dkron_raft_peer *p = &peers.items[i];
      const struct dkron_raft_peer *found;

      FUZZ_CHECK(is_column(p->node) && is_column(p->id) &&
                   is_column(p->address),
                 "a peer's strings are whole columns");
      found = dkron_raft_peers_find(&peers, p->id);
      FUZZ_CHECK(found && strcmp(found->id, p->id) == 0,
                 "a peer is found by its ID");
    }
  }
  dkron_raft_peers_free(&peers);
  FUZZ_CHECK(peers.items == NULL && peers.n == 0, "freed peers are empty");
  free(text);
  return 0;
}
