/* common.h: what every libFuzzer harness in tests/fuzz shares.
 *
 * A broken promise of a header is reported with FUZZ_CHECK, which prints
 * the condition and aborts: libFuzzer then saves the input as a crash.
 * Leaks are left to LeakSanitizer.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "k8s_pod.h"

/* The libFuzzer entry points (declared here for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, what)                      \
  do {                                              \
    if (!(cond))                                    \
      fuzz_fail(__FILE__, __LINE__, #cond, (what)); \
  } while (0)

__attribute__((noreturn)) void fuzz_fail(const char *file, int line,
                                         const char *cond, const char *what);

/* A copy of the input followed by a NUL, as the JSON parsers require
 * (body[len] == '\0'). The caller frees it. Never NULL: aborts on OOM. */
char *fuzz_copy(const uint8_t *data, size_t size);

/* After a call returned rc: DK_OK, or err carries rc and a message. */
void fuzz_check_err(enum dk_code rc, const struct dk_err *err);

/* The label keys every pod harness asks for (NULL-terminated). */
extern const char *const fuzz_label_keys[];

/* A successfully parsed pod keeps k8s_pod.h's promises. */
void fuzz_check_pod(const struct k8s_pod *pod);

/* A pod left empty (after a failure, or freed). */
void fuzz_check_pod_empty(const struct k8s_pod *pod);

/* FNV-1a, to compare what two runs saw without keeping it all. */
uint64_t fuzz_hash(uint64_t h, const void *data, size_t len);
uint64_t fuzz_hash_str(uint64_t h, const char *s);
#define FUZZ_HASH_INIT 14695981039346656037ull

#endif
