/* remove_peer.c: dkron_classify_remove_peer (how a `dkron raft remove-peer`
 * run ended).
 *
 * Input: byte 0 flags (bit 0: stdout is NULL, bit 1: stderr is NULL), byte
 * 1 the exit code as a signed byte, then stdout, a NUL, stderr. The
 * header's table is checked as written (dkron_cli.h): exit 0 is REMOVED;
 * "was not found in the Raft configuration" is ALREADY_GONE; "node is not
 * the leader" or "leadership lost while committing log" is DK_ENOTLEADER;
 * anything else DK_EEXEC with a message; the outcome is NOT_REMOVED on
 * every failure.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dkron_cli.h"

static bool has(const char *out, const char *err, const char *needle)
{
  return (out && strstr(out, needle)) || (err && strstr(err, needle));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *copy;
  const char *out, *errt;
  int exit_code;
  unsigned flags;
  enum dkron_remove_outcome outcome;
  struct dk_err err = {0};
  enum dk_code rc;

  if (size < 2)
    return 0;
  flags = data[0];
  exit_code = (int)(signed char)data[1];
  copy = fuzz_copy(data + 2, size - 2);
  out = flags & 1u ? NULL : copy;
  errt = copy + strlen(copy);
  if (errt < copy + (size - 2))
    errt++; /* after the NUL */
  if (flags & 2u)
    errt = NULL;

  outcome = (enum dkron_remove_outcome)0x5a;
  rc = dkron_classify_remove_peer(exit_code, out, errt, &outcome, &err);
  fuzz_check_err(rc, &err);
  if (exit_code == 0) {
    FUZZ_CHECK(rc == DK_OK && outcome == DKRON_PEER_REMOVED, "exit 0: removed");
  } else if (has(out, errt, "was not found in the Raft configuration")) {
    FUZZ_CHECK(rc == DK_OK && outcome == DKRON_PEER_ALREADY_GONE,
               "not found: already gone");
  } else if (has(out, errt, "node is not the leader") ||
             has(out, errt, "leadership lost while committing log")) {
    FUZZ_CHECK(rc == DK_ENOTLEADER, "not the leader: DK_ENOTLEADER");
  } else {
    FUZZ_CHECK(rc == DK_EEXEC, "anything else: DK_EEXEC");
  }
  if (rc != DK_OK)
    FUZZ_CHECK(outcome == DKRON_PEER_NOT_REMOVED, "every failure: NOT_REMOVED");
  free(copy);
  return 0;
}
