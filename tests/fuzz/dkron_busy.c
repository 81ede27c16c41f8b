/* dkron_busy.c: dkron_parse_busy (a GET /v1/busy body).
 *
 * Input: the body. Promises checked (dkron_parse.h): strings of a parsed
 * execution are never NULL and it runs on a named node; on failure out is
 * empty and err says why; dkron_executions_on_node counts every execution
 * once; dkron_executions_free leaves out empty.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dkron_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *body = fuzz_copy(data, size);
  struct dkron_executions ex;
  struct dk_err err = {0};
  enum dk_code rc;

  memset(&ex, 0xa5, sizeof(ex));
  rc = dkron_parse_busy(body, size, &ex, &err);
  fuzz_check_err(rc, &err);
  if (rc != DK_OK) {
    FUZZ_CHECK(ex.items == NULL && ex.n == 0, "on failure out is empty");
  } else {
    size_t counted = 0;

    FUZZ_CHECK(ex.n == 0 || ex.items != NULL, "the executions are there");
    for (size_t i = 0; i < ex.n; i++) {
      const struct dkron_execution *e = &ex.items[i];
      bool first = true;

      FUZZ_CHECK(e->job_name && e->node_name && e->started_at,
                 "no string of an execution is NULL");
      FUZZ_CHECK(e->node_name[0] != '\0', "an execution runs on a node");
      for (size_t j = 0; j < i; j++)
        if (strcmp(ex.items[j].node_name, e->node_name) == 0)
          first = false;
      if (first)
        counted += dkron_executions_on_node(&ex, e->node_name);
    }
    FUZZ_CHECK(counted == ex.n, "every execution is on one node");
  }
  dkron_executions_free(&ex);
  FUZZ_CHECK(ex.items == NULL && ex.n == 0, "freed executions are empty");
  free(body);
  return 0;
}
