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
 * watch-stream parser in k8s_watch.h, the list and watch of pods in
 * k8s_list_watch.h, the requests about single objects (a pod, its labels, a
 * StatefulSet, an Event) in k8s_objects.h; this header includes them all.
 */
#ifndef DK_K8S_H
#define DK_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"
#include "k8s_list_watch.h"
#include "k8s_objects.h"
#include "k8s_pod.h"
#include "k8s_watch.h"

#define K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

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

#endif
