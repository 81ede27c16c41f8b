/* pod_list.c: k8s_pod_list_parse_page over several pages into one list, as
 * a paginated LIST (limit/continue) is merged.
 *
 * Input: the pages' bodies separated by NUL bytes. Promises checked
 * (k8s_pod.h): a page APPENDS its items and leaves the earlier ones alone;
 * on failure the list keeps only the items it had before and no continue
 * token is handed out; every kept pod keeps the pod promises; a continue
 * token is never ""; k8s_pod_list_free leaves the list empty.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "k8s_pod.h"

#define MAX_PAGES 16

/* What the first n items are, to see that a page did not touch them. */
static uint64_t items_hash(const struct k8s_pod_list *list, size_t n)
{
  uint64_t h = FUZZ_HASH_INIT;

  for (size_t i = 0; i < n; i++) {
    const struct k8s_pod *pod = &list->items[i];

    h = fuzz_hash_str(h, pod->name);
    h = fuzz_hash_str(h, pod->namespace);
    h = fuzz_hash_str(h, pod->uid);
    h = fuzz_hash_str(h, pod->resource_version);
    h = fuzz_hash_str(h, pod->pod_ip);
    h = fuzz_hash(h, &pod->phase, sizeof(pod->phase));
    h = fuzz_hash(h, &pod->ordinal, sizeof(pod->ordinal));
    h = fuzz_hash(h, &pod->n_labels, sizeof(pod->n_labels));
  }
  return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *all = fuzz_copy(data, size);
  struct k8s_pod_list list = {0};
  const char *page = all;
  const char *end = all + size;
  static char unset;

  for (int i = 0; i < MAX_PAGES && page <= end; i++) {
    /* Each page is NUL-terminated in place: by the separator or the end. */
    size_t len = strlen(page);
    size_t before = list.n;
    uint64_t kept = items_hash(&list, before);
    char *cont = &unset; /* must be overwritten */
    struct dk_err err = {0};
    enum dk_code rc;

    rc =
      k8s_pod_list_parse_page(page, len, fuzz_label_keys, &list, &cont, &err);
    fuzz_check_err(rc, &err);
    FUZZ_CHECK(items_hash(&list, before) == kept,
               "a page leaves the earlier items alone");
    if (rc != DK_OK) {
      FUZZ_CHECK(list.n == before, "a failed page adds no item");
      FUZZ_CHECK(cont == NULL, "a failed page hands out no continue token");
    } else {
      FUZZ_CHECK(list.n >= before, "a page appends");
      FUZZ_CHECK(cont == NULL || cont[0] != '\0', "a continue token is set");
      for (size_t j = before; j < list.n; j++)
        fuzz_check_pod(&list.items[j]);
    }
    FUZZ_CHECK(cont != &unset, "the continue token is always set");
    FUZZ_CHECK(list.n == 0 || list.items != NULL, "the items are there");
    free(cont);
    page += len + 1;
  }
  k8s_pod_list_free(&list);
  FUZZ_CHECK(list.items == NULL && list.n == 0 && list.resource_version == NULL,
             "a freed list is empty");
  free(all);
  return 0;
}
