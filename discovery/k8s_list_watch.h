/* k8s_list_watch.h: listing and watching the pods of the client's
 * namespace (part of the Kubernetes client; k8s.h includes it). */
#ifndef DK_K8S_LIST_WATCH_H
#define DK_K8S_LIST_WATCH_H

#include <stddef.h>

#include "err.h"
#include "http.h"
#include "k8s_pod.h"
#include "k8s_watch.h"

#define K8S_DEFAULT_PAGE_LIMIT      500
#define K8S_DEFAULT_LIST_MAX_ITEMS  10000
#define K8S_DEFAULT_WATCH_TIMEOUT_S 300

struct k8s_client;

/* label_keys below: NULL-terminated list of the labels to keep per pod. */

struct k8s_list_opts {
  const char *label_selector; /* e.g. "app in (dkron),role!=agent"; NULL */
  const char *field_selector; /* e.g. "status.phase=Running"; NULL */
  const char *const *label_keys;
  long limit;       /* page size; 0 = K8S_DEFAULT_PAGE_LIMIT */
  size_t max_items; /* all pages together; 0 = K8S_DEFAULT_LIST_MAX_ITEMS */
};

/* Lists all pods matching opts, page by page (following `continue`); more
 * than max_items pods in all is DK_ETOOBIG; a continue token the server
 * hands out again (a loop) is DK_EPARSE. If a continue token expires
 * mid-way (410), the list restarts once. out gets
 * the merged items and the list's resourceVersion to watch from; it is
 * initialised here and must be freed with k8s_pod_list_free either way. */
enum dk_code k8s_list_pods(struct k8s_client *client,
                           const struct k8s_list_opts *opts,
                           struct k8s_pod_list *out, struct dk_err *err);

struct k8s_watch_opts {
  const char *label_selector;
  const char *field_selector;
  const char *const *label_keys;
  long timeout_seconds; /* server-side end of the watch; 0 = 300 */
  long idle_timeout_ms; /* silent stream limit; 0 = timeout + 30 s */
  size_t max_line;      /* one event's cap; 0 = 4 MiB */
  k8s_event_fn on_event;
  http_stop_fn should_stop; /* polled about every 250 ms; may be NULL */
  void *user;               /* passed to on_event and should_stop */
};

/* Runs one watch from *resource_version (owned, in/out; must be set) until
 * the server ends it (DK_OK: watch again from *resource_version), the
 * callback or should_stop stops it (DK_ECANCELED) or it fails. DK_EGONE
 * (HTTP 410 or an ERROR event with code 410) means: list again. Whatever
 * the result, *resource_version holds the latest version seen. */
enum dk_code k8s_watch_pods(struct k8s_client *client,
                            const struct k8s_watch_opts *opts,
                            char **resource_version, struct dk_err *err);

#endif
