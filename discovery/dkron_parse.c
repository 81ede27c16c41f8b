/* dkron_parse.c: dkron's HTTP API answers as C structs (see dkron_parse.h):
 * /v1/members, /v1/leader and /v1/busy, and what is asked of them. */
#include "dkron_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* ---------------------------------------------------------------------- */
/* Parsing                                                                */

/* Parses a whole body as one JSON value, under json.h's rules: white space
 * around it is allowed, anything else after it is an error (a truncated or
 * concatenated body must not pass as valid). */
static enum dk_code parse_json(const char *body, size_t len, const char *what,
                               cJSON **out, struct dk_err *err)
{
  size_t off;

  switch (json_parse(body, len, out, &off)) {
    case JSON_OK:
      return DK_OK;
    case JSON_EMPTY:
      return dk_err_set(err, DK_EPARSE, "%s: empty body, expected JSON", what);
    case JSON_MALFORMED:
      return dk_err_set(err, DK_EPARSE,
                        "%s: malformed JSON near byte %zu; is the URL a dkron "
                        "server's HTTP port?",
                        what, off);
    case JSON_TRAILING:
      return dk_err_set(err, DK_EPARSE,
                        "%s: unexpected data after the JSON value at byte %zu",
                        what, off);
    case JSON_UNTERMINATED:
      break;
  }
  return dk_err_set(err, DK_EINVAL,
                    "%s: internal error: the %zu-byte text is not "
                    "NUL-terminated",
                    what, len);
}

/* A copy of obj[key] if it is a string, "" if it is absent or null; NULL
 * with *bad set if it has another type, NULL alone if out of memory. */
static char *dup_string_field(const cJSON *obj, const char *key, bool *bad)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

  if (cJSON_IsString(item) && item->valuestring)
    return strdup(item->valuestring);
  if (item && !cJSON_IsNull(item)) {
    *bad = true;
    return NULL;
  }
  return strdup("");
}

/* obj[key] as an int in [min, max]; absent or null leaves *out alone. */
static int int_field(const cJSON *obj, const char *key, int min, int max,
                     int *out)
{
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

  if (!item || cJSON_IsNull(item))
    return 0;
  if (!cJSON_IsNumber(item))
    return -1;
  double v = item->valuedouble;
  if (!(v >= (double)min && v <= (double)max) || (double)(int)v != v)
    return -1;
  *out = (int)v;
  return 0;
}

void dkron_member_clear(struct dkron_member *m)
{
  if (!m)
    return;
  free(m->name);
  free(m->addr);
  free(m->rpc_addr);
  free(m->role);
  memset(m, 0, sizeof(*m));
}

/* Fills m from one serf member object; on error m is left cleared. The
 * index names the element in error messages (-1 for a lone object). */
static enum dk_code member_from_json(const cJSON *obj, long index,
                                     struct dkron_member *m, struct dk_err *err)
{
  char where[48] = "member";
  bool bad = false;
  enum dk_code rc = DK_OK;

  memset(m, 0, sizeof(*m));
  if (index >= 0)
    snprintf(where, sizeof(where), "member %ld", index);
  if (!cJSON_IsObject(obj))
    return dk_err_set(err, DK_EPARSE, "%s: not a JSON object", where);
  const cJSON *tags = cJSON_GetObjectItemCaseSensitive(obj, "Tags");
  if (tags && !cJSON_IsNull(tags) && !cJSON_IsObject(tags)) {
    rc = dk_err_set(err, DK_EPARSE, "%s: \"Tags\" is not an object", where);
    goto out;
  }
  m->name = dup_string_field(obj, "Name", &bad);
  m->addr = dup_string_field(obj, "Addr", &bad);
  m->rpc_addr = dup_string_field(tags, "rpc_addr", &bad);
  m->role = dup_string_field(tags, "role", &bad);
  if (bad) {
    rc = dk_err_set(err, DK_EPARSE,
                    "%s: Name, Addr, Tags.rpc_addr or Tags.role is not a "
                    "string",
                    where);
    goto out;
  }
  if (!m->name || !m->addr || !m->rpc_addr || !m->role) {
    rc = dk_err_set(err, DK_ENOMEM, "%s: out of memory", where);
    goto out;
  }
  if (m->name[0] == '\0') {
    rc = dk_err_set(err, DK_EPARSE, "%s: \"Name\" is missing or empty", where);
    goto out;
  }
  if (int_field(obj, "Port", 0, 65535, &m->port) != 0 ||
      int_field(obj, "Status", 0, 255, &m->status) != 0) {
    rc = dk_err_set(err, DK_EPARSE,
                    "%s (%s): \"Port\" or \"Status\" is not a small integer",
                    where, m->name);
    goto out;
  }
  const cJSON *server = cJSON_GetObjectItemCaseSensitive(tags, "server");
  m->server = cJSON_IsString(server) && server->valuestring &&
              strcmp(server->valuestring, "true") == 0;
out:
  if (rc != DK_OK)
    dkron_member_clear(m);
  return rc;
}

void dkron_members_free(struct dkron_members *members)
{
  if (!members)
    return;
  for (size_t i = 0; i < members->n; i++)
    dkron_member_clear(&members->items[i]);
  free(members->items);
  members->items = NULL;
  members->n = 0;
}

enum dk_code dkron_parse_members(const char *body, size_t len,
                                 struct dkron_members *out, struct dk_err *err)
{
  cJSON *root = NULL;
  enum dk_code rc;

  out->items = NULL;
  out->n = 0;
  rc = parse_json(body, len, "members", &root, err);
  if (rc != DK_OK)
    return rc;
  if (!cJSON_IsArray(root)) {
    rc = dk_err_set(err, DK_EPARSE, "members: expected a JSON array");
    goto out;
  }
  int count = cJSON_GetArraySize(root);
  if (count > 0) {
    out->items = calloc((size_t)count, sizeof(*out->items));
    if (!out->items) {
      rc = dk_err_set(err, DK_ENOMEM, "members: out of memory");
      goto out;
    }
  }
  const cJSON *item;
  cJSON_ArrayForEach(item, root)
  {
    rc = member_from_json(item, (long)out->n, &out->items[out->n], err);
    if (rc != DK_OK)
      goto out;
    out->n++;
  }
out:
  if (rc != DK_OK)
    dkron_members_free(out);
  cJSON_Delete(root);
  return rc;
}

/* True when a body is empty or only whitespace. */
static bool blank(const char *body, size_t len)
{
  for (size_t i = 0; body && i < len; i++) {
    if (!isspace((unsigned char)body[i]))
      return false;
  }
  return true;
}

enum dk_code dkron_parse_leader(const char *body, size_t len,
                                struct dkron_member *leader, bool *found,
                                struct dk_err *err)
{
  cJSON *root = NULL;
  enum dk_code rc;

  memset(leader, 0, sizeof(*leader));
  *found = false;
  if (blank(body, len))
    return DK_OK;
  rc = parse_json(body, len, "leader", &root, err);
  if (rc != DK_OK)
    return rc;
  if (cJSON_IsNull(root))
    goto out;
  rc = member_from_json(root, -1, leader, err);
  if (rc != DK_OK)
    goto out;
  /* dkron finds the leader as the member whose Tags.rpc_addr equals
   * raft.Leader(); while Raft knows no leader (""), any member that has
   * not published its rpc_addr yet (a server still starting) matches. So
   * a "leader" without rpc_addr means: no leader known. */
  if (leader->rpc_addr[0] == '\0') {
    dkron_member_clear(leader);
    goto out;
  }
  *found = true;
out:
  cJSON_Delete(root);
  return rc;
}

void dkron_executions_free(struct dkron_executions *execs)
{
  if (!execs)
    return;
  for (size_t i = 0; i < execs->n; i++) {
    free(execs->items[i].job_name);
    free(execs->items[i].node_name);
    free(execs->items[i].started_at);
  }
  free(execs->items);
  execs->items = NULL;
  execs->n = 0;
}

/* Fills e from one execution object; on error e owns nothing. */
static enum dk_code execution_from_json(const cJSON *obj, size_t index,
                                        struct dkron_execution *e,
                                        struct dk_err *err)
{
  bool bad = false;
  enum dk_code rc = DK_OK;

  memset(e, 0, sizeof(*e));
  if (!cJSON_IsObject(obj))
    return dk_err_set(err, DK_EPARSE, "execution %zu: not a JSON object",
                      index);
  e->job_name = dup_string_field(obj, "job_name", &bad);
  e->node_name = dup_string_field(obj, "node_name", &bad);
  e->started_at = dup_string_field(obj, "started_at", &bad);
  if (bad)
    rc = dk_err_set(err, DK_EPARSE,
                    "execution %zu: job_name, node_name or started_at is not "
                    "a string",
                    index);
  else if (!e->job_name || !e->node_name || !e->started_at)
    rc = dk_err_set(err, DK_ENOMEM, "execution %zu: out of memory", index);
  else if (e->node_name[0] == '\0')
    rc = dk_err_set(err, DK_EPARSE, "execution %zu (%s): no node_name", index,
                    e->job_name);
  if (rc != DK_OK) {
    free(e->job_name);
    free(e->node_name);
    free(e->started_at);
    memset(e, 0, sizeof(*e));
  }
  return rc;
}

enum dk_code dkron_parse_busy(const char *body, size_t len,
                              struct dkron_executions *out, struct dk_err *err)
{
  cJSON *root = NULL;
  enum dk_code rc;

  out->items = NULL;
  out->n = 0;
  rc = parse_json(body, len, "busy", &root, err);
  if (rc != DK_OK)
    return rc;
  if (!cJSON_IsArray(root)) {
    rc = dk_err_set(err, DK_EPARSE, "busy: expected a JSON array");
    goto out;
  }
  int count = cJSON_GetArraySize(root);
  if (count > 0) {
    out->items = calloc((size_t)count, sizeof(*out->items));
    if (!out->items) {
      rc = dk_err_set(err, DK_ENOMEM, "busy: out of memory");
      goto out;
    }
  }
  const cJSON *item;
  cJSON_ArrayForEach(item, root)
  {
    rc = execution_from_json(item, out->n, &out->items[out->n], err);
    if (rc != DK_OK)
      goto out;
    out->n++;
  }
out:
  if (rc != DK_OK)
    dkron_executions_free(out);
  cJSON_Delete(root);
  return rc;
}

const struct dkron_member *dkron_members_find(const struct dkron_members *ms,
                                              const char *name)
{
  if (!ms || !name)
    return NULL;
  for (size_t i = 0; i < ms->n; i++) {
    if (strcmp(ms->items[i].name, name) == 0)
      return &ms->items[i];
  }
  return NULL;
}

size_t dkron_executions_on_node(const struct dkron_executions *execs,
                                const char *node_name)
{
  size_t count = 0;

  if (!execs || !node_name)
    return 0;
  for (size_t i = 0; i < execs->n; i++) {
    if (strcmp(execs->items[i].node_name, node_name) == 0)
      count++;
  }
  return count;
}

const char *dkron_status_name(int status)
{
  switch (status) {
    case DKRON_NONE:
      return "none";
    case DKRON_ALIVE:
      return "alive";
    case DKRON_LEAVING:
      return "leaving";
    case DKRON_LEFT:
      return "left";
    case DKRON_FAILED:
      return "failed";
    default:
      return "unknown";
  }
}
