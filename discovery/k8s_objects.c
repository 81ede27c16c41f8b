/* k8s_objects.c: requests about single objects (see k8s_objects.h): get a
 * pod, merge-patch its labels, read a StatefulSet's replicas, create an
 * Event. */
#include "k8s.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s_internal.h"

#define REPLICAS_MAX     1000000
#define MERGE_PATCH_TYPE "application/merge-patch+json"

/* ---- single objects ------------------------------------------------------ */

enum dk_code k8s_get_pod(struct k8s_client *c, const char *name,
                         const char *const *label_keys, struct k8s_pod *out,
                         struct dk_err *err)
{
  struct api_call call = {.verb = "get",
                          .resource = "pods",
                          .group = "",
                          .kind = "pod",
                          .name = name,
                          .method = "GET"};
  struct http_response resp;
  enum dk_code rc;

  memset(out, 0, sizeof(*out));
  out->ordinal = -1;
  rc = k8s_check_name("pod", name, err);
  if (rc != DK_OK)
    return rc;
  k8s_build_url(&call, c, NULL, 0);
  rc = k8s_api_request(c, &call, &resp, err);
  if (rc == DK_OK) {
    rc = k8s_pod_parse(resp.body, resp.len, label_keys, out, err);
    if (rc != DK_OK)
      dk_err_prefix(err, "%s", call.what);
  }
  http_response_free(&resp);
  free(call.url);
  return rc;
}

/* Sends call with body (owned, from cJSON; freed here) and no answer to
 * keep: a patch or a create. */
static enum dk_code send_body(struct k8s_client *c, struct api_call *call,
                              char *body, struct dk_err *err)
{
  struct http_response resp;
  enum dk_code rc;

  k8s_build_url(call, c, NULL, 0);
  call->body = body;
  call->body_len = strlen(body);
  rc = k8s_api_request(c, call, &resp, err);
  http_response_free(&resp);
  free(call->url);
  cJSON_free(body);
  return rc;
}

/* {"metadata":{"labels":{"k":"v","gone":null}}} as compact JSON. */
static char *label_patch_body(const struct k8s_label_change *changes, size_t n)
{
  cJSON *root = cJSON_CreateObject();
  cJSON *meta = cJSON_AddObjectToObject(root, "metadata");
  cJSON *labels = cJSON_AddObjectToObject(meta, "labels");
  char *body = NULL;
  bool ok = labels != NULL;

  for (size_t i = 0; ok && i < n; i++) {
    if (changes[i].value)
      ok = cJSON_AddStringToObject(labels, changes[i].key, changes[i].value);
    else
      ok = cJSON_AddNullToObject(labels, changes[i].key);
  }
  if (ok)
    body = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  return body;
}

enum dk_code k8s_patch_pod_labels(struct k8s_client *c, const char *name,
                                  const struct k8s_label_change *changes,
                                  size_t n_changes, struct dk_err *err)
{
  struct api_call call = {.verb = "patch",
                          .resource = "pods",
                          .group = "",
                          .kind = "pod",
                          .name = name,
                          .method = "PATCH",
                          .content_type = MERGE_PATCH_TYPE};
  char *body;
  enum dk_code rc;

  rc = k8s_check_name("pod", name, err);
  if (rc != DK_OK)
    return rc;
  for (size_t i = 0; i < n_changes; i++)
    if (!changes[i].key || !*changes[i].key)
      return dk_err_set(err, DK_EINVAL, "patch pod \"%s\": empty label key",
                        name);
  if (n_changes == 0)
    return DK_OK;
  body = label_patch_body(changes, n_changes);
  if (!body)
    return dk_err_set(err, DK_ENOMEM, "patch pod \"%s\": out of memory", name);
  return send_body(c, &call, body, err);
}

/* spec.replicas of a StatefulSet body; absent means 1 (the API default). */
static enum dk_code parse_replicas(const struct http_response *resp,
                                   long *replicas, struct dk_err *err)
{
  cJSON *root = NULL;
  const cJSON *kind, *spec, *value;
  enum dk_code rc =
    k8s_json_parse(resp->body, resp->len, "StatefulSet", &root, err);

  if (rc != DK_OK)
    return rc;
  kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
  spec = cJSON_GetObjectItemCaseSensitive(root, "spec");
  value = cJSON_GetObjectItemCaseSensitive(spec, "replicas");
  if (!cJSON_IsObject(root) || !cJSON_IsObject(spec) ||
      (cJSON_IsString(kind) && strcmp(kind->valuestring, "StatefulSet"))) {
    rc = dk_err_set(err, DK_EPARSE,
                    "response is not a StatefulSet: no \"spec\" object");
  } else if (!value || cJSON_IsNull(value)) {
    *replicas = 1;
  } else if (!cJSON_IsNumber(value) || value->valuedouble < 0 ||
             value->valuedouble > REPLICAS_MAX ||
             value->valuedouble != (double)(long)value->valuedouble) {
    rc = dk_err_set(err, DK_EPARSE,
                    "response is not a StatefulSet: spec.replicas is not a "
                    "count");
  } else {
    *replicas = (long)value->valuedouble;
  }
  cJSON_Delete(root);
  return rc;
}

enum dk_code k8s_get_statefulset_replicas(struct k8s_client *c,
                                          const char *name, long *replicas,
                                          struct dk_err *err)
{
  struct api_call call = {.verb = "get",
                          .resource = "statefulsets",
                          .group = "apps",
                          .kind = "statefulset",
                          .name = name,
                          .method = "GET"};
  struct http_response resp;
  enum dk_code rc;

  rc = k8s_check_name("StatefulSet", name, err);
  if (rc != DK_OK)
    return rc;
  k8s_build_url(&call, c, NULL, 0);
  rc = k8s_api_request(c, &call, &resp, err);
  if (rc == DK_OK) {
    rc = parse_replicas(&resp, replicas, err);
    if (rc != DK_OK)
      dk_err_prefix(err, "%s", call.what);
  }
  http_response_free(&resp);
  free(call.url);
  return rc;
}

/* ---- events ------------------------------------------------------------- */

/* MicroTime, as the API wants it: 2026-11-30T13:40:45.123456Z; name gets
 * "<pod>.<hex nanoseconds>", unique per pod as client-go makes it (a
 * generateName ending in '.' is not a valid name). */
static void event_time_and_name(const char *pod, char *out, size_t len,
                                char *name, size_t name_len)
{
  struct timespec ts;
  struct tm tm;
  char base[32];

  clock_gettime(CLOCK_REALTIME, &ts);
  snprintf(name, name_len, "%s.%llx", pod,
           (unsigned long long)ts.tv_sec * 1000000000ULL +
             (unsigned long long)ts.tv_nsec);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, len, "%.20s.%06dZ", base, (int)(ts.tv_nsec / 1000) % 1000000);
}

static char *event_body(const struct k8s_client *c, const struct k8s_event *ev)
{
  cJSON *root = cJSON_CreateObject();
  cJSON *meta = cJSON_AddObjectToObject(root, "metadata");
  cJSON *regarding = cJSON_AddObjectToObject(root, "regarding");
  char name[300], when[48];
  char *body = NULL;
  bool ok;

  event_time_and_name(ev->regarding_pod, when, sizeof(when), name,
                      sizeof(name));
  ok =
    meta && regarding &&
    cJSON_AddStringToObject(root, "apiVersion", "events.k8s.io/v1") &&
    cJSON_AddStringToObject(root, "kind", "Event") &&
    cJSON_AddStringToObject(meta, "name", name) &&
    cJSON_AddStringToObject(meta, "namespace", c->namespace) &&
    cJSON_AddStringToObject(root, "eventTime", when) &&
    cJSON_AddStringToObject(root, "reportingController", ev->controller) &&
    cJSON_AddStringToObject(root, "reportingInstance", ev->instance) &&
    cJSON_AddStringToObject(root, "action", ev->action) &&
    cJSON_AddStringToObject(root, "reason", ev->reason) &&
    cJSON_AddStringToObject(root, "type", ev->warning ? "Warning" : "Normal") &&
    cJSON_AddStringToObject(root, "note", ev->note) &&
    cJSON_AddStringToObject(regarding, "apiVersion", "v1") &&
    cJSON_AddStringToObject(regarding, "kind", "Pod") &&
    cJSON_AddStringToObject(regarding, "namespace", c->namespace) &&
    cJSON_AddStringToObject(regarding, "name", ev->regarding_pod);
  if (ok && ev->regarding_uid && ev->regarding_uid[0])
    ok = cJSON_AddStringToObject(regarding, "uid", ev->regarding_uid) != NULL;
  if (ok)
    body = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  return body;
}

enum dk_code k8s_create_event(struct k8s_client *c, const struct k8s_event *ev,
                              struct dk_err *err)
{
  struct api_call call = {.verb = "create",
                          .resource = "events",
                          .group = "events.k8s.io",
                          .kind = "event",
                          .method = "POST",
                          .content_type = "application/json",
                          .once = true};
  char *body;
  enum dk_code rc;

  rc = k8s_check_name("pod", ev->regarding_pod, err);
  if (rc != DK_OK)
    return rc;
  body = event_body(c, ev);
  if (!body)
    return dk_err_set(err, DK_ENOMEM, "create event: out of memory");
  return send_body(c, &call, body, err);
}
