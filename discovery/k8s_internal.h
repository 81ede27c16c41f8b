/* k8s_internal.h: what the files of the Kubernetes client share (k8s.c,
 * k8s_token.c, k8s_list_watch.c, k8s_objects.c, k8s_config.c); not part of
 * the discovery API. */
#ifndef DK_K8S_INTERNAL_H
#define DK_K8S_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"
#include "http_stream.h"
#include "k8s_config.h"
#include "k8s_token.h"

/* ---- the client (k8s.c) ---------------------------------------------------
 */

struct metric;

struct k8s_client {
  struct http_client *http;
  char *api_url;
  char *token_file;
  char *namespace;
  bool sa_configured;
  char service_account[256];
  struct k8s_token token;
  struct metric *requests; /* {verb, code}; NULL: not counted */
};

/* ---- requests (k8s.c) -----------------------------------------------------
 */

struct api_call {
  /* What is asked, in RBAC terms and for messages. */
  const char *verb;     /* "list", "watch", "get", "patch" */
  const char *resource; /* "pods", "statefulsets" */
  const char *group;    /* "" (core) or "apps" */
  const char *kind;     /* "pod", "statefulset" */
  const char *name;     /* object name, NULL for the collection */
  /* The HTTP request. */
  const char *method;
  char *url;           /* owned; NULL when k8s_build_url failed: */
  enum dk_code url_rc; /* DK_ENOMEM, or DK_EINVAL for a URL libcurl refuses */
  const char *content_type;
  const char *body;
  size_t body_len;
  bool once; /* not idempotent (a create): never retried */
  /* Streaming (watch) only. */
  http_data_fn on_data;
  http_stop_fn should_stop;
  void *user;
  long idle_timeout_ms;
  long timeout_ms;
  /* Filled in by k8s_api_request: 'list pods in namespace "dkron"'. */
  char what[160];
};

/* One query parameter; a NULL value leaves it out. */
struct query_param {
  const char *key;
  const char *value;
};

/* Sets call->url with libcurl's URL API: the API server URL, the object's
 * path appended to its own, then each parameter appended to the query,
 * URL-encoded by libcurl (a space as '+', which the API server reads as a
 * space, like any %XX). */
void k8s_build_url(struct api_call *call, const struct k8s_client *c,
                   const struct query_param *params, size_t n);

/* Sends one API request with a current token; a 401 forces a re-read of
 * the token file and one retry (kubelet may have rotated it just now). */
enum dk_code k8s_api_request(struct k8s_client *c, struct api_call *call,
                             struct http_response *resp, struct dk_err *err);

/* DK_OK when name is a valid object name, else DK_EINVAL naming kind. */
enum dk_code k8s_check_name(const char *kind, const char *name,
                            struct dk_err *err);

#endif
