/* member_check.c: see member_check.h. */
#include "member_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "dkron.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "proc.h"

#define JITTER_PERCENT 20
/* What one member weighs in /v1/members (measured: about 350 bytes); the
 * client does not keep the raw body's length. */
#define DKRON_MEMBER_BYTES 350

struct member_check {
  struct member_check_opts o;
  struct http_client *http; /* to the wrappers' status ports */
  unsigned long long bytes;
};

struct member_check *member_check_new(const struct member_check_opts *o,
                                      struct dk_err *err)
{
  struct member_check *mc = calloc(1, sizeof(*mc));
  struct http_client_opts ho = {.connect_timeout_ms = o->timeout_ms,
                                .timeout_ms = o->timeout_ms,
                                .max_attempts = 1,
                                .max_body = 4096,
                                .interrupt = proc_stop_pending};

  if (!mc) {
    dk_err_set(err, DK_ENOMEM, "out of memory");
    return NULL;
  }
  mc->o = *o;
  if (o->status_port > 0 && !(mc->http = http_client_new(&ho, err))) {
    free(mc);
    return NULL;
  }
  return mc;
}

void member_check_free(struct member_check *mc)
{
  if (!mc)
    return;
  http_client_free(mc->http);
  free(mc);
}

unsigned long long member_check_bytes(const struct member_check *mc)
{
  return mc->bytes;
}

static void base_url(const char *ip, long port, char *out, size_t len)
{
  snprintf(out, len, strchr(ip, ':') ? "http://[%s]:%ld" : "http://%s:%ld", ip,
           port);
}

/* The wrapper's answer: 200 {"status":"alive"...} or 404 {"member":false}.
 * MEMBER_UNKNOWN when the endpoint is not there (or says nothing usable). */
static enum member_seen ask_wrapper(struct member_check *mc, const char *ip)
{
  char url[400];
  struct http_request req = {.method = "GET", .url = url};
  struct http_response resp;
  struct dk_err err;
  enum member_seen seen = MEMBER_UNKNOWN;
  cJSON *root = NULL;
  size_t off;

  base_url(ip, mc->o.status_port, url, sizeof(url));
  snprintf(url + strlen(url), sizeof(url) - strlen(url), "/members/%s",
           mc->o.node);
  dk_err_clear(&err);
  if (http_do(mc->http, &req, &resp, &err) != DK_OK) {
    LOG_DEBUGF("cannot ask %s: %s", url, err.msg);
    http_response_free(&resp);
    return MEMBER_UNKNOWN;
  }
  mc->bytes += resp.len;
  metric_add(mc->o.check_bytes, NULL, (double)resp.len);
  if ((resp.status == 200 || resp.status == 404) &&
      json_parse(resp.body, resp.len, &root, &off) == JSON_OK) {
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(root, "member");

    if (resp.status == 200 && cJSON_IsString(status))
      seen = strcmp(status->valuestring, "alive") == 0 ? MEMBER_ALIVE
                                                       : MEMBER_NOT_ALIVE;
    else if (resp.status == 404 && cJSON_IsFalse(member))
      seen = MEMBER_NOT_ALIVE;
  }
  if (seen != MEMBER_UNKNOWN)
    metric_inc(mc->o.checks, (const char *[]){"wrapper"});
  cJSON_Delete(root);
  http_response_free(&resp);
  return seen;
}

/* dkron's own API: the whole member list, and /v1/busy when asked. */
static enum member_seen ask_dkron(struct member_check *mc, const char *ip,
                                  long *busy)
{
  struct dkron_client_opts opts = {.connect_timeout_ms = mc->o.timeout_ms,
                                   .timeout_ms = mc->o.timeout_ms,
                                   .max_attempts = 1,
                                   .interrupt = proc_stop_pending};
  struct dkron_members members = {NULL, 0};
  struct dkron_executions execs = {NULL, 0};
  const struct dkron_member *me;
  struct dkron_client *c;
  enum member_seen seen = MEMBER_UNKNOWN;
  struct dk_err err;
  char url[400];

  base_url(ip, mc->o.http_port, url, sizeof(url));
  dk_err_clear(&err);
  c = dkron_client_new(url, &opts, &err);
  if (c)
    dkron_client_count_errors(c, mc->o.dkron_api_errors);
  if (!c || dkron_members(c, &members, &err) != DK_OK) {
    LOG_DEBUGF("cannot ask %s for members: %s", url, err.msg);
    goto out;
  }
  mc->bytes += members.n * DKRON_MEMBER_BYTES;
  metric_add(mc->o.check_bytes, NULL, (double)(members.n * DKRON_MEMBER_BYTES));
  metric_inc(mc->o.checks, (const char *[]){"dkron"});
  me = dkron_members_find(&members, mc->o.node);
  seen = me && me->status == DKRON_ALIVE ? MEMBER_ALIVE : MEMBER_NOT_ALIVE;
  if (busy && dkron_busy(c, &execs, &err) == DK_OK)
    *busy = (long)dkron_executions_on_node(&execs, mc->o.node);
out:
  dkron_executions_free(&execs);
  dkron_members_free(&members);
  dkron_client_free(c);
  return seen;
}

enum member_seen member_check_ask(struct member_check *mc, const char *ip,
                                  long *busy)
{
  enum member_seen seen = MEMBER_UNKNOWN;

  if (busy)
    *busy = -1;
  if (!busy && mc->http)
    seen = ask_wrapper(mc, ip);
  if (seen == MEMBER_UNKNOWN)
    seen = ask_dkron(mc, ip, busy);
  return seen;
}

long member_check_next_interval(long current, long base, long max, bool steady,
                                uint64_t *rng)
{
  long next = base, spread;

  if (max < base)
    max = base;
  if (steady)
    next = current > max / 2 ? max : current * 2;
  if (next < base)
    next = base;
  spread = next * JITTER_PERCENT / 100;
  if (spread > 0)
    next += (long)(backoff_random(rng) % (uint64_t)(2 * spread + 1)) - spread;
  if (next < base)
    next = base;
  if (next > max)
    next = max;
  return next;
}
