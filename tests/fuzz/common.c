/* common.c: see common.h. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const fuzz_label_keys[] = {"app", "role", "app.kubernetes.io/name",
                                       "dkron-leader", NULL};

void fuzz_fail(const char *file, int line, const char *cond, const char *what)
{
  /* Straight to fd 2: a harness may have pointed stderr elsewhere. */
  dprintf(2, "\nFUZZ CHECK FAILED at %s:%d: %s\n  (%s)\n", file, line, what,
          cond);
  abort();
}

char *fuzz_copy(const uint8_t *data, size_t size)
{
  char *copy = malloc(size + 1);

  if (!copy)
    fuzz_fail(__FILE__, __LINE__, "copy != NULL", "out of memory");
  if (size)
    memcpy(copy, data, size);
  copy[size] = '\0';
  return copy;
}

void fuzz_check_err(enum dk_code rc, const struct dk_err *err)
{
  if (rc == DK_OK)
    return;
  FUZZ_CHECK(err->code == rc, "the error carries the code returned");
  FUZZ_CHECK(err->msg[0] != '\0', "a failure has a message");
  FUZZ_CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL,
             "the message is NUL-terminated");
}

static bool asked_for(const char *key)
{
  for (size_t i = 0; fuzz_label_keys[i]; i++)
    if (strcmp(fuzz_label_keys[i], key) == 0)
      return true;
  return false;
}

void fuzz_check_pod(const struct k8s_pod *pod)
{
  size_t n_keys = 0;

  while (fuzz_label_keys[n_keys])
    n_keys++;
  FUZZ_CHECK(pod->name != NULL && pod->name[0] != '\0',
             "a parsed pod has a name");
  FUZZ_CHECK(pod->phase >= K8S_PHASE_UNKNOWN && pod->phase <= K8S_PHASE_FAILED,
             "the phase is one of the enum");
  FUZZ_CHECK(k8s_phase_name(pod->phase) != NULL, "every phase has a name");
  FUZZ_CHECK(pod->ordinal >= -1, "the ordinal is -1 or a number");
  FUZZ_CHECK(pod->n_labels <= n_keys, "only the labels asked for are kept");
  FUZZ_CHECK(pod->n_labels == 0 || pod->labels != NULL, "labels are there");
  for (size_t i = 0; i < pod->n_labels; i++) {
    const struct k8s_label *l = &pod->labels[i];

    FUZZ_CHECK(l->key != NULL && l->value != NULL, "a kept label is whole");
    FUZZ_CHECK(asked_for(l->key), "a kept label was asked for");
    FUZZ_CHECK(k8s_pod_label(pod, l->key) != NULL, "a kept label is found");
    for (size_t j = 0; j < i; j++)
      FUZZ_CHECK(strcmp(pod->labels[j].key, l->key) != 0,
                 "a label is kept once");
  }
  FUZZ_CHECK(k8s_pod_label(pod, "not-asked-for") == NULL,
             "a label not asked for is not kept");
}

void fuzz_check_pod_empty(const struct k8s_pod *pod)
{
  FUZZ_CHECK(pod->name == NULL && pod->namespace == NULL && pod->uid == NULL &&
               pod->resource_version == NULL && pod->pod_ip == NULL,
             "an empty pod owns no string");
  FUZZ_CHECK(pod->labels == NULL && pod->n_labels == 0,
             "an empty pod owns no label");
  FUZZ_CHECK(pod->phase == K8S_PHASE_UNKNOWN && !pod->ready &&
               !pod->terminating && pod->ordinal == -1,
             "an empty pod has the default facts");
}

uint64_t fuzz_hash(uint64_t h, const void *data, size_t len)
{
  const unsigned char *p = data;

  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t fuzz_hash_str(uint64_t h, const char *s)
{
  /* NULL and "" differ: a marker byte goes first. */
  unsigned char present = s != NULL;

  h = fuzz_hash(h, &present, 1);
  return s ? fuzz_hash(h, s, strlen(s) + 1) : h;
}
