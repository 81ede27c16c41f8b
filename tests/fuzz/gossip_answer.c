/* gossip_answer.c: gossip_parse_answer (a memberlist push/pull answer as
 * a peer's TCP stream brings it: plain, LZW-compressed or an error).
 *
 * Input: the answer's bytes. Promises checked (gossip.h): only parse,
 * refusal, size and memory errors; on failure the table is empty and err
 * says why; on success every member has a name (not empty, no NUL, at
 * most 512 bytes), an address of at most 16 bytes, at most 6 version
 * bytes and a known state, and gossip_find finds a member of each name.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gossip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct gossip_table t;
  struct dk_err err = {0};
  enum dk_code rc;

  memset(&t, 0xa5, sizeof(t));
  rc = gossip_parse_answer(data, size, &t, &err);
  fuzz_check_err(rc, &err);
  FUZZ_CHECK(rc == DK_OK || rc == DK_EPARSE || rc == DK_EEXEC ||
               rc == DK_ETOOBIG || rc == DK_ENOMEM,
             "only parse, refusal, size and memory errors");
  if (rc != DK_OK) {
    FUZZ_CHECK(t.nodes == NULL && t.n == 0, "on failure the table is empty");
    return 0;
  }
  FUZZ_CHECK(t.n == 0 || t.nodes != NULL, "the members are there");
  for (size_t i = 0; i < t.n; i++) {
    const struct gossip_node *n = &t.nodes[i];
    const struct gossip_node *found;
    size_t len = n->name ? strlen(n->name) : 0;

    FUZZ_CHECK(len > 0 && len <= 512, "a member has a name of 1-512 bytes");
    FUZZ_CHECK(n->addr_len <= GOSSIP_ADDR_MAX && n->vsn_len <= GOSSIP_VSN_LEN,
               "address and versions fit");
    FUZZ_CHECK(n->state <= GOSSIP_LEFT, "a known state");
    FUZZ_CHECK(n->meta_len == 0 || n->meta != NULL, "meta is there");
    found = gossip_find(&t, n->name);
    FUZZ_CHECK(found && strcmp(found->name, n->name) == 0,
               "a member is found by its name");
  }
  gossip_table_free(&t);
  FUZZ_CHECK(t.nodes == NULL && t.n == 0, "a freed table is empty");
  return 0;
}
