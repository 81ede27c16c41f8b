/* watch.c: the watch stream parser (k8s_watch.h), fed the whole stream at
 * once and again in chunks.
 *
 * Input: the stream bytes. The last (up to) 8 bytes also seed the chunking
 * (1-byte chunks, small, medium or any sizes, empty feeds included), the
 * line cap and after how many pod events the callback stops the stream, so
 * the fuzzer steers the split points. Both runs must see the same events
 * in the same order and end with the same code, message, resourceVersion
 * and event count.
 *
 * Also checked (k8s_watch.h): after the first failure every feed returns
 * the same code and message; each callback has a parsed pod and the
 * stream's latest resourceVersion; a callback may take the pod (copy it
 * and zero *pod) and the parser then frees nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "k8s_watch.h"

struct seen {
  uint64_t hash;    /* of every event, in order */
  size_t callbacks; /* pod events handed to the callback */
  size_t stop_at;   /* return non-zero on this callback (0: never) */
};

struct outcome {
  enum dk_code code;
  struct dk_err err;
  uint64_t hash;
  uint64_t rv_hash; /* the parser's resourceVersion at the end */
  size_t callbacks;
  size_t events;
};

static int on_event(const struct k8s_watch_event *ev, void *user)
{
  struct seen *s = user;
  const struct k8s_pod *pod = ev->pod;
  uint64_t h = s->hash;

  FUZZ_CHECK(ev->type == K8S_EVENT_ADDED || ev->type == K8S_EVENT_MODIFIED ||
               ev->type == K8S_EVENT_DELETED,
             "a pod event is ADDED, MODIFIED or DELETED");
  FUZZ_CHECK(pod != NULL, "a pod event has a pod");
  fuzz_check_pod(pod);
  if (pod->resource_version && pod->resource_version[0])
    FUZZ_CHECK(ev->resource_version &&
                 strcmp(ev->resource_version, pod->resource_version) == 0,
               "the event's resourceVersion is the pod's");
  h = fuzz_hash(h, &ev->type, sizeof(ev->type));
  h = fuzz_hash_str(h, pod->name);
  h = fuzz_hash_str(h, pod->namespace);
  h = fuzz_hash_str(h, pod->uid);
  h = fuzz_hash_str(h, pod->resource_version);
  h = fuzz_hash_str(h, pod->pod_ip);
  h = fuzz_hash(h, &pod->phase, sizeof(pod->phase));
  h = fuzz_hash(h, &pod->ready, sizeof(pod->ready));
  h = fuzz_hash(h, &pod->terminating, sizeof(pod->terminating));
  h = fuzz_hash(h, &pod->ordinal, sizeof(pod->ordinal));
  for (size_t i = 0; i < pod->n_labels; i++) {
    h = fuzz_hash_str(h, pod->labels[i].key);
    h = fuzz_hash_str(h, pod->labels[i].value);
  }
  s->hash = fuzz_hash_str(h, ev->resource_version);
  s->callbacks++;
  if (s->callbacks % 2 == 0) {
    /* Take the pod: the parser must then free nothing of it. */
    struct k8s_pod taken = *ev->pod;

    memset(ev->pod, 0, sizeof(*ev->pod));
    k8s_pod_free(&taken);
  }
  return s->callbacks == s->stop_at;
}

/* xorshift64*: the chunk sizes. */
static uint64_t next(uint64_t *state)
{
  uint64_t x = *state;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 2685821657736338717ull;
}

/* One run: feeds data in chunks (whole when chunking is false). */
static void run(const char *data, size_t size, uint64_t ctl, bool chunking,
                struct outcome *out)
{
  struct seen seen = {FUZZ_HASH_INIT, 0, (size_t)((ctl >> 8) % 4)};
  size_t max_line = 64 + (size_t)((ctl >> 16) % 8192);
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(fuzz_label_keys, max_line, on_event, &seen);
  uint64_t state = ctl | 1;
  unsigned mode = (unsigned)(ctl % 4);
  struct dk_err first = {0};
  size_t pos = 0;

  FUZZ_CHECK(p != NULL, "a parser is created");
  FUZZ_CHECK(k8s_watch_parser_resource_version(p) == NULL,
             "a new parser has no resourceVersion");
  while (pos < size || (!chunking && pos == 0)) {
    size_t n = size - pos;
    struct dk_err err = {0};
    enum dk_code rc;

    if (chunking) {
      if (mode == 0)
        n = 1;
      else if (mode == 1)
        n = (size_t)(next(&state) % 9); /* 0..8, empty feeds too */
      else if (mode == 2)
        n = (size_t)(next(&state) % 300);
      else
        n = (size_t)(next(&state) % (size + 1));
      if (n > size - pos)
        n = size - pos;
    }
    rc = k8s_watch_parser_feed(p, n ? data + pos : NULL, n, &err);
    fuzz_check_err(rc, &err);
    if (first.code != DK_OK) {
      FUZZ_CHECK(rc == first.code && strcmp(err.msg, first.msg) == 0,
                 "after a failure every feed says the same");
    } else if (rc != DK_OK) {
      first = err;
    }
    pos += n;
    if (!chunking)
      break;
  }
  out->code = k8s_watch_parser_finish(p, &out->err);
  fuzz_check_err(out->code, &out->err);
  if (first.code != DK_OK)
    FUZZ_CHECK(out->code == first.code && strcmp(out->err.msg, first.msg) == 0,
               "after a failure finish says the same");
  {
    struct dk_err again = {0};
    enum dk_code rc = k8s_watch_parser_feed(p, NULL, 0, &again);

    FUZZ_CHECK(rc == out->code, "an empty feed reports the state");
    if (rc != DK_OK)
      FUZZ_CHECK(strcmp(again.msg, out->err.msg) == 0,
                 "an empty feed repeats the failure");
  }
  if (out->code != DK_OK)
    out->err.msg[sizeof(out->err.msg) - 1] = '\0';
  out->hash = seen.hash;
  out->callbacks = seen.callbacks;
  out->events = k8s_watch_parser_events(p);
  out->rv_hash =
    fuzz_hash_str(FUZZ_HASH_INIT, k8s_watch_parser_resource_version(p));
  /* The event whose callback stopped the stream is not counted. */
  FUZZ_CHECK(out->events + (out->code == DK_ECANCELED ? 1 : 0) >=
               out->callbacks,
             "every callback counts as an event");
  if (seen.stop_at && seen.callbacks == seen.stop_at)
    FUZZ_CHECK(out->code == DK_ECANCELED, "a callback's stop is DK_ECANCELED");
  k8s_watch_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *copy = fuzz_copy(data, size);
  struct outcome whole = {0}, split = {0};
  uint64_t ctl = 0;

  for (size_t i = size > 8 ? size - 8 : 0; i < size; i++)
    ctl = ctl << 8 | data[i];
  run(copy, size, ctl, false, &whole);
  run(copy, size, ctl, true, &split);
  FUZZ_CHECK(whole.callbacks == split.callbacks,
             "chunked: the same number of pod events");
  FUZZ_CHECK(whole.hash == split.hash, "chunked: the same events in order");
  FUZZ_CHECK(whole.events == split.events, "chunked: the same event count");
  FUZZ_CHECK(whole.rv_hash == split.rv_hash,
             "chunked: the same resourceVersion");
  FUZZ_CHECK(whole.code == split.code, "chunked: the same outcome");
  FUZZ_CHECK(whole.code == DK_OK ||
               (strcmp(whole.err.msg, split.err.msg) == 0 &&
                whole.err.http_status == split.err.http_status),
             "chunked: the same error");
  free(copy);
  return 0;
}
