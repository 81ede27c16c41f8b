/* k8s.h: the small Kubernetes API client discovery needs.
 *
 * Talks to the API server with the pod's service-account token: list and
 * watch pods, get one pod, merge-patch a pod's labels, read a StatefulSet's
 * replica count. The token is re-read whenever its file changes (kubelet
 * rotates projected tokens) and once after a 401, then the request is
 * retried once. Errors name the request, and for 403 the exact RBAC rule
 * that is missing. The token never appears in logs or messages.
 *
 * The in-cluster configuration is in k8s_config.h, the parsed shapes
 * (struct k8s_pod, k8s_pod_list) in k8s_pod.h, the
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
#include "k8s_config.h"
#include "k8s_list_watch.h"
#include "k8s_objects.h"
#include "k8s_pod.h"
#include "k8s_watch.h"

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
