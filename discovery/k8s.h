/* k8s.h: the small Kubernetes API client discovery needs.
 *
 * Talks to the API server with the pod's service-account token: list and
 * watch pods, get one pod, merge-patch a pod's labels, read a StatefulSet's
 * replica count. The token is re-read whenever its file changes (kubelet
 * rotates projected tokens) and once after a 401, then the request is
 * retried once. Errors name the request, and for 403 the exact RBAC rule
 * that is missing. The token never appears in logs or messages.
 *
 * The parsed shapes (struct k8s_pod, k8s_pod_list) are in k8s_pod.h, the
 * watch-stream parser in k8s_watch.h.
 */
#ifndef DK_K8S_H
#define DK_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"
#include "k8s_pod.h"
#include "k8s_watch.h"

#define K8S_SA_DIR                  "/var/run/secrets/kubernetes.io/serviceaccount"
#define K8S_DEFAULT_PAGE_LIMIT      500
#define K8S_DEFAULT_LIST_MAX_ITEMS  10000
#define K8S_DEFAULT_WATCH_TIMEOUT_S 300

/* Everything owned (free with k8s_config_free). */
struct k8s_config {
  char *api_url;    /* "https://10.96.0.1:443", no trailing slash */
  char *token_file; /* service-account token, re-read when it changes */
  char *ca_file;    /* CA bundle for the API server; NULL = system store */
  char *namespace;  /* the namespace every request works in */
  /* "system:serviceaccount:<ns>:<name>", only for error messages; NULL =
   * taken from the token's "sub" claim. */
  char *service_account;
  struct http_client_opts http; /* http.ca_file is ignored: ca_file wins */
};

/* Explicit values for out-of-cluster use and tests; NULL = the in-cluster
 * default. */
struct k8s_overrides {
  const char *api_url;
  const char *token_file;
  const char *ca_file;
  const char *namespace;
  const char *service_account;
  const char *sa_dir; /* token, ca.crt and namespace; NULL = K8S_SA_DIR */
};

/* In-cluster configuration: KUBERNETES_SERVICE_HOST/PORT (an IPv6 host is
 * bracketed) and the files under the service-account directory, each
 * replaceable by an override. cfg is zeroed first; free it on success and
 * failure alike. */
enum dk_code k8s_config_in_cluster(const struct k8s_overrides *ov,
                                   struct k8s_config *cfg, struct dk_err *err);
void k8s_config_free(struct k8s_config *cfg);

struct k8s_client;

/* Copies cfg and reads the token once (so a missing token fails early). */
struct k8s_client *k8s_client_new(const struct k8s_config *cfg,
                                  struct dk_err *err);
void k8s_client_free(struct k8s_client *client);

struct metric;
/* Counts every request in requests (labels "verb,code": the RBAC verb and
 * the HTTP status, or "error" when no answer came); a request the caller
 * stopped is not counted. NULL stops counting. */
void k8s_client_count_requests(struct k8s_client *client,
                               struct metric *requests);

/* The set-up every program makes: the in-cluster configuration
 * (k8s_config_in_cluster with ov) with http as its HTTP options (NULL: the
 * defaults), a client made from it, and its requests counted in
 * api_requests (NULL: not counted). Returns the client, or NULL with err.
 * When kc is not NULL the configuration is left in it, for a second client
 * of the same API (the Events recorder's); free it with k8s_config_free
 * whatever the result. */
struct k8s_client *k8s_client_in_cluster(const struct k8s_overrides *ov,
                                         const struct http_client_opts *http,
                                         struct metric *api_requests,
                                         struct k8s_config *kc,
                                         struct dk_err *err);

const char *k8s_client_namespace(const struct k8s_client *client);
/* As used in messages; "" when it could not be determined. */
const char *k8s_client_service_account(const struct k8s_client *client);

/* label_keys below: NULL-terminated list of the labels to keep per pod. */

struct k8s_list_opts {
  const char *label_selector; /* e.g. "app in (dkron),role!=agent"; NULL */
  const char *field_selector; /* e.g. "status.phase=Running"; NULL */
  const char *const *label_keys;
  long limit;       /* page size; 0 = K8S_DEFAULT_PAGE_LIMIT */
  size_t max_items; /* all pages together; 0 = K8S_DEFAULT_LIST_MAX_ITEMS */
};

/* Lists all pods matching opts, page by page (following `continue`); more
 * than max_items pods in all is DK_ETOOBIG. If a continue token expires
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

/* GET one pod of the client's namespace. DK_ENOTFOUND if it is gone. */
enum dk_code k8s_get_pod(struct k8s_client *client, const char *name,
                         const char *const *label_keys, struct k8s_pod *out,
                         struct dk_err *err);

struct k8s_label_change {
  const char *key;
  const char *value; /* NULL removes the label */
};

/* JSON merge-patch of a pod's labels (others are left alone). */
enum dk_code k8s_patch_pod_labels(struct k8s_client *client, const char *name,
                                  const struct k8s_label_change *changes,
                                  size_t n_changes, struct dk_err *err);

/* An events.k8s.io/v1 Event about a pod of the client's namespace. */
struct k8s_event {
  const char *regarding_pod; /* the pod it is about */
  const char *regarding_uid; /* its UID; NULL or "" when unknown */
  bool warning;              /* type Warning, else Normal */
  const char *reason;        /* CamelCase, e.g. "BootstrapExpect" */
  const char *action;        /* CamelCase, e.g. "Bootstrap" */
  const char *note;          /* one human sentence, at most 1 KiB */
  const char *controller;    /* reportingController: "dkron-k8s.io/..." */
  const char *instance;      /* reportingInstance: our pod's name */
};

/* POSTs the Event once (a create is not retried). Needs the RBAC rule
 * {apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"]}. */
enum dk_code k8s_create_event(struct k8s_client *client,
                              const struct k8s_event *ev, struct dk_err *err);

/* spec.replicas of a StatefulSet (1 when unset, as Kubernetes defaults). */
enum dk_code k8s_get_statefulset_replicas(struct k8s_client *client,
                                          const char *name, long *replicas,
                                          struct dk_err *err);

#endif
