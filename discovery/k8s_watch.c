/* k8s_watch.c: splits a watch stream into lines and turns each line into an
 * event (see k8s_watch.h). */
#include "k8s_watch.h"

#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"

struct k8s_watch_parser {
  const char *const *label_keys;
  k8s_event_fn fn;
  void *user;
  /* The line being assembled, at most max_line bytes: carried over between
   * chunks, and the copy every complete line is parsed from,
   * NUL-terminated (see json.h). */
  struct dynbuf line;
  char *resource_version;
  size_t events;
  struct dk_err failure; /* sticky once code != DK_OK */
};

struct k8s_watch_parser *k8s_watch_parser_new(const char *const *label_keys,
                                              size_t max_line, k8s_event_fn fn,
                                              void *user)
{
  struct k8s_watch_parser *p = calloc(1, sizeof(*p));

  if (!p)
    return NULL;
  p->label_keys = label_keys;
  p->fn = fn;
  p->user = user;
  dynbuf_init(&p->line, max_line ? max_line : K8S_WATCH_DEFAULT_MAX_LINE);
  return p;
}

void k8s_watch_parser_free(struct k8s_watch_parser *p)
{
  if (!p)
    return;
  dynbuf_free(&p->line);
  free(p->resource_version);
  free(p);
}

const char *k8s_event_type_name(enum k8s_event_type type)
{
  switch (type) {
    case K8S_EVENT_ADDED:
      return "ADDED";
    case K8S_EVENT_MODIFIED:
      return "MODIFIED";
    case K8S_EVENT_DELETED:
      return "DELETED";
  }
  return "UNKNOWN";
}

const char *k8s_watch_parser_resource_version(const struct k8s_watch_parser *p)
{
  return p->resource_version;
}

size_t k8s_watch_parser_events(const struct k8s_watch_parser *p)
{
  return p->events;
}

static enum dk_code set_resource_version(struct k8s_watch_parser *p,
                                         const char *rv)
{
  char *copy;

  if (!rv || !*rv)
    return DK_OK;
  copy = strdup(rv);
  if (!copy)
    return dk_err_set(&p->failure, DK_ENOMEM, "out of memory in watch");
  free(p->resource_version);
  p->resource_version = copy;
  return DK_OK;
}

/* BOOKMARK: only moves the resourceVersion forward. */
static enum dk_code handle_bookmark(struct k8s_watch_parser *p,
                                    const cJSON *object)
{
  const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
  const cJSON *rv = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");

  if (!cJSON_IsString(rv) || !*rv->valuestring)
    return dk_err_set(&p->failure, DK_EPARSE,
                      "watch BOOKMARK event has no metadata.resourceVersion");
  return set_resource_version(p, rv->valuestring);
}

/* ERROR: the API ended the watch with a Status; 410 means "relist". */
static enum dk_code handle_error(struct k8s_watch_parser *p,
                                 const cJSON *object)
{
  struct k8s_status st;

  if (k8s_status_from_json(object, &st) != 0)
    return dk_err_set(&p->failure, DK_EPARSE,
                      "watch ERROR event does not carry a Status object");
  p->failure.http_status = st.code;
  if (st.code == 410)
    return dk_err_set(&p->failure, DK_EGONE,
                      "watch expired (410 %s: %s): the resourceVersion is too "
                      "old, list again",
                      st.reason[0] ? st.reason : "Gone", st.message);
  return dk_err_set(&p->failure, DK_EHTTP, "watch failed: %ld %s: %s", st.code,
                    st.reason, st.message[0] ? st.message : "(no message)");
}

/* ADDED/MODIFIED/DELETED: parse the pod and hand it to the callback. */
static enum dk_code handle_pod_event(struct k8s_watch_parser *p,
                                     enum k8s_event_type type,
                                     const cJSON *object)
{
  struct k8s_watch_event ev;
  struct k8s_pod pod;
  enum dk_code rc;
  int stop;

  rc = k8s_pod_from_json(object, p->label_keys, &pod, &p->failure);
  if (rc != DK_OK)
    return dk_err_prefix(&p->failure, "watch %s event",
                         k8s_event_type_name(type));
  rc = set_resource_version(p, pod.resource_version);
  if (rc != DK_OK) {
    k8s_pod_free(&pod);
    return rc;
  }
  ev.type = type;
  ev.pod = &pod;
  ev.resource_version = p->resource_version;
  stop = p->fn ? p->fn(&ev, p->user) : 0;
  k8s_pod_free(&pod);
  if (stop)
    return dk_err_set(&p->failure, DK_ECANCELED,
                      "watch stopped by the event handler");
  return DK_OK;
}

/* Dispatches one parsed event on its "type". */
static enum dk_code handle_event(struct k8s_watch_parser *p, const cJSON *ev)
{
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
  const cJSON *object = cJSON_GetObjectItemCaseSensitive(ev, "object");
  const char *name = cJSON_IsString(type) ? type->valuestring : NULL;

  if (!name || !cJSON_IsObject(object))
    return dk_err_set(&p->failure, DK_EPARSE,
                      "watch event is not {\"type\":..., \"object\":{...}}");
  if (strcmp(name, "ADDED") == 0)
    return handle_pod_event(p, K8S_EVENT_ADDED, object);
  if (strcmp(name, "MODIFIED") == 0)
    return handle_pod_event(p, K8S_EVENT_MODIFIED, object);
  if (strcmp(name, "DELETED") == 0)
    return handle_pod_event(p, K8S_EVENT_DELETED, object);
  if (strcmp(name, "BOOKMARK") == 0)
    return handle_bookmark(p, object);
  if (strcmp(name, "ERROR") == 0)
    return handle_error(p, object);
  return dk_err_set(&p->failure, DK_EPARSE,
                    "unknown watch event type \"%.40s\"", name);
}

static bool is_blank(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return false;
  return true;
}

/* Parses and dispatches one complete line (without its newline). */
static enum dk_code process_line(struct k8s_watch_parser *p, const char *line,
                                 size_t n)
{
  cJSON *ev = NULL;
  enum dk_code rc;

  if (is_blank(line, n))
    return DK_OK;
  rc = k8s_json_parse(line, n, "watch event", &ev, &p->failure);
  if (rc == DK_OK) {
    rc = handle_event(p, ev);
    cJSON_Delete(ev);
  }
  if (rc != DK_OK)
    return rc;
  p->events++;
  return DK_OK;
}

/* Adds n bytes to the line being assembled, within max_line, and keeps it
 * NUL-terminated. */
static enum dk_code append_partial(struct k8s_watch_parser *p, const char *data,
                                   size_t n)
{
  enum dk_code rc = dynbuf_add(&p->line, data, n);

  if (rc == DK_ETOOBIG)
    return dk_err_set(&p->failure, DK_ETOOBIG,
                      "watch event line is over %zu bytes: refusing to buffer "
                      "it",
                      p->line.max);
  if (rc != DK_OK)
    return dk_err_set(&p->failure, DK_ENOMEM, "out of memory in watch");
  return DK_OK;
}

/* Handles one newline-terminated piece: a whole line from the chunk or the
 * end of a line begun in an earlier chunk. Either way the line is parsed
 * from p->line, where it is NUL-terminated; the chunk is not. */
static enum dk_code complete_line(struct k8s_watch_parser *p, const char *data,
                                  size_t n)
{
  enum dk_code rc;

  rc = append_partial(p, data, n);
  if (rc != DK_OK)
    return rc;
  rc = process_line(p, dynbuf_str(&p->line), dynbuf_len(&p->line));
  dynbuf_reset(&p->line);
  return rc;
}

/* Copies the sticky failure (p->failure, set by every error path) out. */
static enum dk_code report(const struct k8s_watch_parser *p, struct dk_err *err)
{
  if (err && p->failure.code != DK_OK)
    *err = p->failure;
  return p->failure.code;
}

enum dk_code k8s_watch_parser_feed(struct k8s_watch_parser *p, const char *data,
                                   size_t len, struct dk_err *err)
{
  size_t pos = 0;

  /* Every error lands in p->failure, which ends the loop. */
  while (p->failure.code == DK_OK && pos < len) {
    const char *nl = memchr(data + pos, '\n', len - pos);

    if (!nl) {
      append_partial(p, data + pos, len - pos);
      break;
    }
    complete_line(p, data + pos, (size_t)(nl - (data + pos)));
    pos = (size_t)(nl - data) + 1;
  }
  return report(p, err);
}

enum dk_code k8s_watch_parser_finish(struct k8s_watch_parser *p,
                                     struct dk_err *err)
{
  if (p->failure.code == DK_OK &&
      !is_blank(dynbuf_str(&p->line), dynbuf_len(&p->line)))
    dk_err_set(&p->failure, DK_EPARSE,
               "watch stream ended in the middle of an event (%zu bytes "
               "pending)",
               dynbuf_len(&p->line));
  return report(p, err);
}
