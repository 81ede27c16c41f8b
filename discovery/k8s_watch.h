/* k8s_watch.h: the parser for a Kubernetes watch stream.
 *
 * A watch response is newline-delimited JSON, one event per line:
 *   {"type":"ADDED","object":{...Pod...}}
 * Lines arrive in arbitrary chunks (an event may be split across chunks,
 * several may share one). Feed the bytes as they come; the parser calls back
 * once per pod event, in order, and keeps the latest resourceVersion so a
 * new watch can resume where this one stopped:
 *   ADDED, MODIFIED, DELETED  -> callback with the parsed pod
 *   BOOKMARK                  -> resourceVersion only, no callback
 *   ERROR (a Status object)   -> 410 is DK_EGONE (relist), others DK_EHTTP
 * Pure: no I/O, so it is testable on its own.
 */
#ifndef DK_K8S_WATCH_H
#define DK_K8S_WATCH_H

#include <stddef.h>

#include "err.h"
#include "k8s_pod.h"

/* Cap on one event line; a longer line is DK_ETOOBIG. */
#define K8S_WATCH_DEFAULT_MAX_LINE (4u * 1024u * 1024u)

enum k8s_event_type { K8S_EVENT_ADDED, K8S_EVENT_MODIFIED, K8S_EVENT_DELETED };

struct k8s_watch_event {
  enum k8s_event_type type;
  /* Valid during the callback only. The callback may keep the pod by
   * copying the struct and zeroing *pod: the parser then frees nothing. */
  struct k8s_pod *pod;
  const char *resource_version; /* the stream's RV after this event */
};

/* Returns 0 to go on; non-zero stops the stream (DK_ECANCELED). */
typedef int (*k8s_event_fn)(const struct k8s_watch_event *ev, void *user);

struct k8s_watch_parser;

/* label_keys (NULL-terminated, may be NULL) is not copied and must outlive
 * the parser. max_line 0 = K8S_WATCH_DEFAULT_MAX_LINE. NULL on OOM. */
struct k8s_watch_parser *k8s_watch_parser_new(const char *const *label_keys,
                                              size_t max_line, k8s_event_fn fn,
                                              void *user);
void k8s_watch_parser_free(struct k8s_watch_parser *p);

/* Consumes len bytes. After the first failure every call returns the same
 * code and message: the stream must be abandoned. Feeding 0 bytes (data may
 * be NULL) only reports that state. */
enum dk_code k8s_watch_parser_feed(struct k8s_watch_parser *p, const char *data,
                                   size_t len, struct dk_err *err);

/* The stream ended: an unfinished event line is DK_EPARSE. */
enum dk_code k8s_watch_parser_finish(struct k8s_watch_parser *p,
                                     struct dk_err *err);

/* The latest resourceVersion seen (pod events and bookmarks), or NULL. */
const char *k8s_watch_parser_resource_version(const struct k8s_watch_parser *p);

/* Number of events handled so far, bookmarks included. */
size_t k8s_watch_parser_events(const struct k8s_watch_parser *p);

const char *k8s_event_type_name(enum k8s_event_type type);

#endif
