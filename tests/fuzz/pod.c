/* pod.c: k8s_pod_parse (one Pod, GET .../pods/NAME) and k8s_status_parse on
 * the same body.
 *
 * Input: the response body. Promises checked (k8s_pod.h): a parsed pod has
 * a name, the phase of the enum, only the labels asked for; on failure the
 * pod is left empty and err says why; a body that is not a Status leaves
 * the Status zeroed; k8s_pod_free leaves the pod empty.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "k8s_pod.h"

static void check_status(const char *body, size_t len)
{
  static const struct k8s_status zero;
  struct k8s_status st;

  memset(&st, 0xa5, sizeof(st));
  if (k8s_status_parse(body, len, &st) != 0) {
    FUZZ_CHECK(memcmp(&st, &zero, sizeof(st)) == 0,
               "not a Status: st is zeroed");
    return;
  }
  FUZZ_CHECK(st.code >= 0 && st.code < 1000, "the code is an HTTP status");
  FUZZ_CHECK(memchr(st.reason, '\0', sizeof(st.reason)) != NULL,
             "the reason is NUL-terminated");
  FUZZ_CHECK(memchr(st.message, '\0', sizeof(st.message)) != NULL,
             "the message is NUL-terminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *body = fuzz_copy(data, size);
  struct dk_err err = {0};
  struct k8s_pod pod;
  enum dk_code rc;

  memset(&pod, 0xa5, sizeof(pod));
  rc = k8s_pod_parse(body, size, fuzz_label_keys, &pod, &err);
  fuzz_check_err(rc, &err);
  if (rc == DK_OK)
    fuzz_check_pod(&pod);
  else
    fuzz_check_pod_empty(&pod);
  k8s_pod_free(&pod);
  fuzz_check_pod_empty(&pod);

  /* Without labels asked for, none is kept. */
  rc = k8s_pod_parse(body, size, NULL, &pod, &err);
  fuzz_check_err(rc, &err);
  FUZZ_CHECK(pod.n_labels == 0 && pod.labels == NULL,
             "no label kept when none is asked for");
  k8s_pod_free(&pod);

  check_status(body, size);
  free(body);
  return 0;
}
