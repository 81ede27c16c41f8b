/* k8s_pod.h: the Kubernetes API objects discovery reads, as small C structs.
 *
 * Covers Pod, PodList and the Status object the API answers errors with.
 * Parsing is pure (JSON text or a cJSON tree in, owned structs out), so it
 * is testable without a server. Every string in these structs is owned by
 * the struct and freed with it; absent optional fields are NULL.
 */
#ifndef DK_K8S_POD_H
#define DK_K8S_POD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "json.h"

enum k8s_phase {
  K8S_PHASE_UNKNOWN = 0, /* also when status.phase is absent */
  K8S_PHASE_PENDING,
  K8S_PHASE_RUNNING,
  K8S_PHASE_SUCCEEDED,
  K8S_PHASE_FAILED
};

struct k8s_label {
  char *key;
  char *value;
};

struct k8s_pod {
  char *name;             /* metadata.name, never NULL */
  char *namespace;        /* metadata.namespace or NULL */
  char *uid;              /* metadata.uid or NULL */
  char *resource_version; /* metadata.resourceVersion or NULL */
  char *pod_ip;           /* status.podIP or NULL (not scheduled yet) */
  enum k8s_phase phase;
  bool ready;       /* conditions[type=Ready].status == "True" */
  bool terminating; /* metadata.deletionTimestamp is set */
  long ordinal;     /* StatefulSet ordinal, -1 if not a StatefulSet pod */
  /* Only the labels the caller asked for, and only those present. */
  struct k8s_label *labels;
  size_t n_labels;
};

struct k8s_pod_list {
  struct k8s_pod *items;
  size_t n;
  char *resource_version; /* the list's resourceVersion, to watch from */
};

/* The fields of a metav1.Status that error messages use (truncated), with
 * any credential in them replaced by "[redacted]" (see redact.h). */
struct k8s_status {
  long code;       /* 0 if absent */
  char reason[64]; /* e.g. "Forbidden", "Expired"; "" if absent */
  char message[320];
};

/* label_keys below is a NULL-terminated list of the label keys to keep
 * (NULL = keep none). A body of len bytes must be followed by a NUL
 * (body[len] == '\0'), as HTTP response bodies are: see json.h. */

/* Fills out from a Pod object. On failure out is left empty. */
enum dk_code k8s_pod_from_json(const cJSON *pod, const char *const *label_keys,
                               struct k8s_pod *out, struct dk_err *err);

/* Parses a Pod response body (GET .../pods/NAME). */
enum dk_code k8s_pod_parse(const char *body, size_t len,
                           const char *const *label_keys, struct k8s_pod *out,
                           struct dk_err *err);

/* Parses one PodList page and APPENDS its items to list (so pages can be
 * merged), replacing list->resource_version. *continue_token receives the
 * page's metadata.continue (owned) or NULL on the last page. On failure the
 * list keeps only the items it had before. */
enum dk_code k8s_pod_list_parse_page(const char *body, size_t len,
                                     const char *const *label_keys,
                                     struct k8s_pod_list *list,
                                     char **continue_token, struct dk_err *err);

void k8s_pod_free(struct k8s_pod *pod);
void k8s_pod_list_free(struct k8s_pod_list *list);

/* Value of a kept label, or NULL if it was not asked for or is absent. */
const char *k8s_pod_label(const struct k8s_pod *pod, const char *key);

const char *k8s_phase_name(enum k8s_phase phase);

/* The trailing "-<n>" of a StatefulSet pod name ("dkron-server-2" -> 2), or
 * -1 if the name has no such suffix. */
long k8s_ordinal_from_name(const char *name);

/* Fills st from a Status object; returns 0 if obj is one ("kind":"Status"
 * or a numeric "code"), -1 otherwise (st is then zeroed). */
int k8s_status_from_json(const cJSON *obj, struct k8s_status *st);

/* Same, from a response body; -1 for a body that is not a Status. */
int k8s_status_parse(const char *body, size_t len, struct k8s_status *st);

/* Parses a whole JSON document of len bytes; body[len] must be '\0' (as
 * HTTP response bodies are, see json.h). On malformed input returns
 * DK_EPARSE with "response is not a <what>: invalid JSON at byte N of
 * LEN". */
enum dk_code k8s_json_parse(const char *body, size_t len, const char *what,
                            cJSON **out, struct dk_err *err);

#endif
