/* k8s_pod.c: JSON -> structs for Pod, PodList and Status (see k8s_pod.h). */
#include "k8s_pod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

#define LABEL_POD_INDEX    "apps.kubernetes.io/pod-index"
#define LABEL_STS_POD_NAME "statefulset.kubernetes.io/pod-name"
/* Ordinals are small; 9 digits keep the arithmetic far from overflow. */
#define ORDINAL_MAX_DIGITS 9

static const cJSON *item(const cJSON *obj, const char *key)
{
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* The string value of obj[key], or NULL if absent, null or not a string. */
static const char *string_item(const cJSON *obj, const char *key)
{
  const cJSON *it = item(obj, key);

  return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Copies obj[key] into *out (NULL when absent); -1 only on OOM. */
static int dup_string_item(const cJSON *obj, const char *key, char **out)
{
  const char *value = string_item(obj, key);

  *out = NULL;
  if (!value)
    return 0;
  *out = strdup(value);
  return *out ? 0 : -1;
}

/* Parses n decimal digits (no sign, no spaces); -1 if anything else. */
static long parse_digits(const char *s, size_t n)
{
  long value = 0;

  if (n == 0 || n > ORDINAL_MAX_DIGITS)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

long k8s_ordinal_from_name(const char *name)
{
  const char *dash;

  if (!name)
    return -1;
  dash = strrchr(name, '-');
  if (!dash || dash == name)
    return -1;
  return parse_digits(dash + 1, strlen(dash + 1));
}

static bool owned_by_statefulset(const cJSON *meta)
{
  const cJSON *ref;

  cJSON_ArrayForEach(ref, item(meta, "ownerReferences"))
  {
    const char *kind = string_item(ref, "kind");

    if (kind && strcmp(kind, "StatefulSet") == 0)
      return true;
  }
  return false;
}

/* The pod-index label wins (set by Kubernetes >= 1.28); otherwise the name
 * suffix, but only for pods that really belong to a StatefulSet, so a
 * Deployment pod named "web-7d9f-2" is not mistaken for ordinal 2. */
static long pod_ordinal(const cJSON *meta, const char *name)
{
  const cJSON *labels = item(meta, "labels");
  const char *index = string_item(labels, LABEL_POD_INDEX);

  if (index) {
    long value = parse_digits(index, strlen(index));
    if (value >= 0)
      return value;
  }
  if (owned_by_statefulset(meta) || string_item(labels, LABEL_STS_POD_NAME))
    return k8s_ordinal_from_name(name);
  return -1;
}

static enum k8s_phase parse_phase(const char *phase)
{
  static const struct {
    const char *name;
    enum k8s_phase phase;
  } phases[] = {{"Pending", K8S_PHASE_PENDING},
                {"Running", K8S_PHASE_RUNNING},
                {"Succeeded", K8S_PHASE_SUCCEEDED},
                {"Failed", K8S_PHASE_FAILED}};

  if (!phase)
    return K8S_PHASE_UNKNOWN;
  for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
    if (strcmp(phase, phases[i].name) == 0)
      return phases[i].phase;
  return K8S_PHASE_UNKNOWN;
}

const char *k8s_phase_name(enum k8s_phase phase)
{
  switch (phase) {
    case K8S_PHASE_PENDING:
      return "Pending";
    case K8S_PHASE_RUNNING:
      return "Running";
    case K8S_PHASE_SUCCEEDED:
      return "Succeeded";
    case K8S_PHASE_FAILED:
      return "Failed";
    case K8S_PHASE_UNKNOWN:
      break;
  }
  return "Unknown";
}

static bool pod_is_ready(const cJSON *status)
{
  const cJSON *cond;

  cJSON_ArrayForEach(cond, item(status, "conditions"))
  {
    const char *type = string_item(cond, "type");

    if (type && strcmp(type, "Ready") == 0) {
      const char *value = string_item(cond, "status");
      return value && strcmp(value, "True") == 0;
    }
  }
  return false;
}

/* Keeps the asked-for labels that are present; -1 only on OOM. */
static int copy_labels(const cJSON *labels, const char *const *keys,
                       struct k8s_pod *pod)
{
  size_t wanted = 0;

  while (keys && keys[wanted])
    wanted++;
  if (wanted == 0)
    return 0;
  pod->labels = calloc(wanted, sizeof(*pod->labels));
  if (!pod->labels)
    return -1;
  for (size_t i = 0; i < wanted; i++) {
    const char *value = string_item(labels, keys[i]);
    struct k8s_label *label = &pod->labels[pod->n_labels];

    if (!value)
      continue;
    label->key = strdup(keys[i]);
    label->value = strdup(value);
    pod->n_labels++;
    if (!label->key || !label->value)
      return -1;
  }
  return 0;
}

/* Copies the owned strings of a pod; -1 only on OOM. */
static int copy_pod_strings(const cJSON *meta, const cJSON *status,
                            struct k8s_pod *out)
{
  if (dup_string_item(meta, "name", &out->name) ||
      dup_string_item(meta, "namespace", &out->namespace) ||
      dup_string_item(meta, "uid", &out->uid) ||
      dup_string_item(meta, "resourceVersion", &out->resource_version) ||
      dup_string_item(status, "podIP", &out->pod_ip))
    return -1;
  return 0;
}

enum dk_code k8s_pod_from_json(const cJSON *pod, const char *const *label_keys,
                               struct k8s_pod *out, struct dk_err *err)
{
  const cJSON *meta = item(pod, "metadata");
  const cJSON *status = item(pod, "status");
  const char *name = string_item(meta, "name");

  memset(out, 0, sizeof(*out));
  out->ordinal = -1;
  if (!cJSON_IsObject(pod))
    return dk_err_set(err, DK_EPARSE, "pod is not a JSON object");
  if (!name || !*name)
    return dk_err_set(err, DK_EPARSE, "pod object has no metadata.name");
  if (copy_pod_strings(meta, status, out) ||
      copy_labels(item(meta, "labels"), label_keys, out)) {
    k8s_pod_free(out);
    return dk_err_set(err, DK_ENOMEM, "out of memory copying pod %s", name);
  }
  out->phase = parse_phase(string_item(status, "phase"));
  out->ready = pod_is_ready(status);
  out->terminating = cJSON_IsString(item(meta, "deletionTimestamp"));
  out->ordinal = pod_ordinal(meta, name);
  return DK_OK;
}

enum dk_code k8s_json_parse(const char *body, size_t len, const char *what,
                            cJSON **out, struct dk_err *err)
{
  size_t pos;

  switch (json_parse(body, len, out, &pos)) {
    case JSON_OK:
      return DK_OK;
    case JSON_EMPTY:
      return dk_err_set(err, DK_EPARSE, "response is not a %s: empty body",
                        what);
    case JSON_MALFORMED:
      return dk_err_set(err, DK_EPARSE,
                        "response is not a %s: invalid JSON at byte %zu of "
                        "%zu%s",
                        what, pos, len,
                        pos + 1 >= len ? " (the body ends early: truncated?)"
                                       : "");
    case JSON_TRAILING:
      return dk_err_set(err, DK_EPARSE,
                        "response is not a %s: unexpected data after the JSON "
                        "value at byte %zu of %zu",
                        what, pos, len);
    case JSON_UNTERMINATED:
      break;
  }
  return dk_err_set(err, DK_EINVAL,
                    "%s: internal error: the %zu-byte text is not "
                    "NUL-terminated",
                    what, len);
}

enum dk_code k8s_pod_parse(const char *body, size_t len,
                           const char *const *label_keys, struct k8s_pod *out,
                           struct dk_err *err)
{
  cJSON *root = NULL;
  enum dk_code rc;

  memset(out, 0, sizeof(*out));
  out->ordinal = -1;
  rc = k8s_json_parse(body, len, "Pod", &root, err);
  if (rc != DK_OK)
    return rc;
  rc = k8s_pod_from_json(root, label_keys, out, err);
  if (rc == DK_EPARSE)
    dk_err_prefix(err, "response is not a Pod");
  cJSON_Delete(root);
  return rc;
}

/* Checks the PodList shape; returns its items array (an empty list may
 * carry "items": null) or NULL with err filled. */
static const cJSON *pod_list_items(const cJSON *root, bool *empty,
                                   struct dk_err *err)
{
  const char *kind = string_item(root, "kind");
  const cJSON *items = item(root, "items");

  *empty = false;
  if (!cJSON_IsObject(root)) {
    dk_err_set(err, DK_EPARSE, "response is not a PodList: not an object");
    return NULL;
  }
  if (kind && strcmp(kind, "PodList") != 0) {
    dk_err_set(err, DK_EPARSE, "response is not a PodList: its kind is \"%s\"",
               kind);
    return NULL;
  }
  if (cJSON_IsNull(items)) {
    *empty = true;
    return NULL;
  }
  if (!cJSON_IsArray(items)) {
    dk_err_set(err, DK_EPARSE,
               "response is not a PodList: \"items\" is missing or not an "
               "array");
    return NULL;
  }
  return items;
}

/* Makes room for extra more pods; -1 on OOM. */
static int reserve_pods(struct k8s_pod_list *list, size_t extra)
{
  struct k8s_pod *grown;

  if (extra == 0)
    return 0;
  if (extra > (size_t)-1 / sizeof(*grown) - list->n)
    return -1;
  grown = realloc(list->items, (list->n + extra) * sizeof(*grown));
  if (!grown)
    return -1;
  list->items = grown;
  return 0;
}

/* Appends every pod of items; on failure drops this page's pods again. */
static enum dk_code append_pods(const cJSON *items,
                                const char *const *label_keys,
                                struct k8s_pod_list *list, struct dk_err *err)
{
  size_t before = list->n;
  size_t index = 0;
  const cJSON *pod;
  enum dk_code rc = DK_OK;

  if (reserve_pods(list, (size_t)cJSON_GetArraySize(items)))
    return dk_err_set(err, DK_ENOMEM, "out of memory for the pod list");
  cJSON_ArrayForEach(pod, items)
  {
    rc = k8s_pod_from_json(pod, label_keys, &list->items[list->n], err);
    if (rc != DK_OK) {
      dk_err_prefix(err, "response is not a PodList: items[%zu]", index);
      break;
    }
    list->n++;
    index++;
  }
  if (rc != DK_OK) {
    while (list->n > before)
      k8s_pod_free(&list->items[--list->n]);
  }
  return rc;
}

/* Replaces the list's resourceVersion and hands out the continue token. */
static enum dk_code take_list_meta(const cJSON *root, struct k8s_pod_list *list,
                                   char **continue_token, struct dk_err *err)
{
  const cJSON *meta = item(root, "metadata");
  const char *cont = string_item(meta, "continue");
  char *rv = NULL;

  if (dup_string_item(meta, "resourceVersion", &rv))
    return dk_err_set(err, DK_ENOMEM, "out of memory for the pod list");
  if (cont && *cont) {
    *continue_token = strdup(cont);
    if (!*continue_token) {
      free(rv);
      return dk_err_set(err, DK_ENOMEM, "out of memory for the pod list");
    }
  }
  free(list->resource_version);
  list->resource_version = rv;
  return DK_OK;
}

enum dk_code k8s_pod_list_parse_page(const char *body, size_t len,
                                     const char *const *label_keys,
                                     struct k8s_pod_list *list,
                                     char **continue_token, struct dk_err *err)
{
  cJSON *root = NULL;
  const cJSON *items;
  size_t before = list->n;
  bool empty;
  enum dk_code rc;

  *continue_token = NULL;
  rc = k8s_json_parse(body, len, "PodList", &root, err);
  if (rc != DK_OK)
    return rc;
  items = pod_list_items(root, &empty, err);
  if (!items && !empty) {
    rc = DK_EPARSE;
    goto out;
  }
  if (items) {
    rc = append_pods(items, label_keys, list, err);
    if (rc != DK_OK)
      goto out;
  }
  rc = take_list_meta(root, list, continue_token, err);
  if (rc != DK_OK) {
    while (list->n > before)
      k8s_pod_free(&list->items[--list->n]);
  }
out:
  cJSON_Delete(root);
  return rc;
}

void k8s_pod_free(struct k8s_pod *pod)
{
  if (!pod)
    return;
  free(pod->name);
  free(pod->namespace);
  free(pod->uid);
  free(pod->resource_version);
  free(pod->pod_ip);
  for (size_t i = 0; i < pod->n_labels; i++) {
    free(pod->labels[i].key);
    free(pod->labels[i].value);
  }
  free(pod->labels);
  memset(pod, 0, sizeof(*pod));
  pod->ordinal = -1;
}

void k8s_pod_list_free(struct k8s_pod_list *list)
{
  if (!list)
    return;
  for (size_t i = 0; i < list->n; i++)
    k8s_pod_free(&list->items[i]);
  free(list->items);
  free(list->resource_version);
  memset(list, 0, sizeof(*list));
}

const char *k8s_pod_label(const struct k8s_pod *pod, const char *key)
{
  for (size_t i = 0; i < pod->n_labels; i++)
    if (strcmp(pod->labels[i].key, key) == 0)
      return pod->labels[i].value;
  return NULL;
}

int k8s_status_from_json(const cJSON *obj, struct k8s_status *st)
{
  const char *kind = string_item(obj, "kind");
  const cJSON *code = item(obj, "code");
  const char *reason = string_item(obj, "reason");
  const char *message = string_item(obj, "message");

  memset(st, 0, sizeof(*st));
  if (!(kind && strcmp(kind, "Status") == 0) && !cJSON_IsNumber(code))
    return -1;
  if (cJSON_IsNumber(code) && code->valuedouble >= 0 &&
      code->valuedouble < 1000)
    st->code = (long)code->valuedouble;
  /* The message may echo a request's headers: no credential gets out. */
  if (reason)
    redact_secrets(reason, st->reason, sizeof(st->reason));
  if (message)
    redact_secrets(message, st->message, sizeof(st->message));
  return 0;
}

int k8s_status_parse(const char *body, size_t len, struct k8s_status *st)
{
  cJSON *root = NULL;
  int rc;

  memset(st, 0, sizeof(*st));
  if (k8s_json_parse(body, len, "Status", &root, NULL) != DK_OK)
    return -1;
  rc = k8s_status_from_json(root, st);
  cJSON_Delete(root);
  return rc;
}
