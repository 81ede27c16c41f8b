/* dkron.c: the dkron HTTP API client (see dkron.h); the answers' parsers
 * are in dkron_parse.c. */
#include "dkron.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "metrics.h"

struct dkron_client {
  struct http_client *http;
  char *base;            /* without a trailing '/' */
  struct metric *errors; /* {path, error}; NULL: not counted */
};

/* ---------------------------------------------------------------------- */
/* Client                                                                 */

const char *dkron_leader_state_name(enum dkron_leader_state state)
{
  switch (state) {
    case DKRON_LEADER_FOUND:
      return "leader";
    case DKRON_LEADER_NONE:
      return "no leader";
    case DKRON_LEADER_UNREACHABLE:
      return "unreachable";
    case DKRON_LEADER_ERROR:
      break;
  }
  return "error";
}

struct dkron_client *dkron_client_new(const char *base_url,
                                      const struct dkron_client_opts *opts,
                                      struct dk_err *err)
{
  struct dkron_client_opts o = {0};
  struct dkron_client *c = NULL;

  if (opts)
    o = *opts;
  if (!base_url || (strncmp(base_url, "http://", 7) != 0 &&
                    strncmp(base_url, "https://", 8) != 0)) {
    dk_err_set(err, DK_EINVAL,
               "dkron URL \"%s\" must start with http:// or https:// "
               "(e.g. http://10.0.0.5:8080)",
               base_url ? base_url : "(null)");
    return NULL;
  }
  if (o.connect_timeout_ms < 0 || o.timeout_ms < 0 || o.max_attempts < 0) {
    dk_err_set(err, DK_EINVAL,
               "dkron client: timeouts and attempts must not "
               "be negative");
    return NULL;
  }
  c = calloc(1, sizeof(*c));
  if (!c || !(c->base = strdup(base_url))) {
    dk_err_set(err, DK_ENOMEM, "dkron client: out of memory");
    goto fail;
  }
  size_t n = strlen(c->base);
  while (n > 0 && c->base[n - 1] == '/')
    c->base[--n] = '\0';
  struct http_client_opts ho = {
    .connect_timeout_ms = o.connect_timeout_ms
                            ? o.connect_timeout_ms
                            : DKRON_DEFAULT_CONNECT_TIMEOUT_MS,
    .timeout_ms = o.timeout_ms ? o.timeout_ms : DKRON_DEFAULT_TIMEOUT_MS,
    .max_attempts = o.max_attempts ? o.max_attempts : 1,
    .interrupt = o.interrupt,
    .interrupt_user = o.interrupt_user,
  };
  c->http = http_client_new(&ho, err);
  if (!c->http)
    goto fail;
  return c;
fail:
  dkron_client_free(c);
  return NULL;
}

void dkron_client_free(struct dkron_client *client)
{
  if (!client)
    return;
  http_client_free(client->http);
  free(client->base);
  free(client);
}

const char *dkron_client_url(const struct dkron_client *client)
{
  return client->base;
}

void dkron_client_count_errors(struct dkron_client *client,
                               struct metric *errors)
{
  client->errors = errors;
}

static void count_error(struct dkron_client *c, const char *path,
                        const char *what)
{
  metric_inc(c->errors, (const char *[]){path, what});
}

/* Sends one request to base + path. DK_OK whenever an HTTP status came
 * back, whatever it is: every caller judges the status itself. */
static enum dk_code request(struct dkron_client *c, const char *method,
                            const char *path, long timeout_ms,
                            struct http_response *resp, struct dk_err *err)
{
  size_t n = strlen(c->base) + strlen(path) + 1;
  char *url = malloc(n);
  enum dk_code rc;

  if (!url) {
    resp->status = 0;
    resp->body = NULL;
    resp->len = 0;
    return dk_err_set(err, DK_ENOMEM, "%s %s: out of memory", method, path);
  }
  snprintf(url, n, "%s%s", c->base, path);
  struct http_request req = {
    .method = method,
    .url = url,
    .timeout_ms = timeout_ms,
  };
  rc = http_do(c->http, &req, resp, err);
  /* A retryable status (500 from /v1/leader) may come back as an error
   * when attempts run out; it is still an answer. */
  if (rc == DK_EHTTP && resp->status != 0)
    rc = DK_OK;
  if (rc == DK_OK && err)
    dk_err_clear(err);
  if (rc != DK_OK && rc != DK_ECANCELED)
    count_error(c, path, dk_code_name(rc));
  free(url);
  return rc;
}

/* The error for a status the endpoint never returns on purpose. */
static enum dk_code unexpected_status(struct dkron_client *c,
                                      const char *method, const char *path,
                                      const struct http_response *resp,
                                      const char *expected, struct dk_err *err)
{
  count_error(c, path, "unexpected_status");
  dk_err_set(err, DK_EHTTP,
             "%s %s%s: HTTP %ld, expected %s; check that the URL is a dkron "
             "server and read its log",
             method, c->base, path, resp->status, expected);
  if (err)
    err->http_status = resp->status;
  return DK_EHTTP;
}

enum dk_code dkron_leader(struct dkron_client *client,
                          struct dkron_member *leader,
                          enum dkron_leader_state *state, struct dk_err *err)
{
  struct http_response resp = {0};
  bool found = false;
  enum dk_code rc;

  memset(leader, 0, sizeof(*leader));
  *state = DKRON_LEADER_ERROR;
  rc = request(client, "GET", "/v1/leader", 0, &resp, err);
  if (rc != DK_OK) {
    if (rc == DK_ECONNECT || rc == DK_ETIMEOUT)
      *state = DKRON_LEADER_UNREACHABLE;
    goto out;
  }
  if (resp.status == 500) {
    /* dkron's "no leader": body "null" (v4.0.9+) or empty (a recovered
     * panic during start-up in older versions). */
    *state = DKRON_LEADER_NONE;
    goto out;
  }
  if (resp.status != 200) {
    rc = unexpected_status(client, "GET", "/v1/leader", &resp,
                           "200 (leader) or 500 (no leader)", err);
    goto out;
  }
  rc = dkron_parse_leader(resp.body, resp.len, leader, &found, err);
  if (rc != DK_OK) {
    dk_err_prefix(err, "GET %s/v1/leader", client->base);
    goto out;
  }
  *state = found ? DKRON_LEADER_FOUND : DKRON_LEADER_NONE;
out:
  http_response_free(&resp);
  return rc;
}

enum dk_code dkron_is_leader(struct dkron_client *client, bool *is_leader,
                             struct dk_err *err)
{
  struct http_response resp = {0};
  enum dk_code rc;

  *is_leader = false;
  rc = request(client, "GET", "/v1/isleader", 0, &resp, err);
  if (rc != DK_OK)
    goto out;
  if (resp.status == 200)
    *is_leader = true;
  else if (resp.status != 404)
    rc = unexpected_status(client, "GET", "/v1/isleader", &resp,
                           "200 (leader) or 404 (follower)", err);
out:
  http_response_free(&resp);
  return rc;
}

/* GETs path expecting 200 and hands the body to a parser. */
static enum dk_code get_and_parse(struct dkron_client *client, const char *path,
                                  enum dk_code (*parse)(const char *, size_t,
                                                        void *,
                                                        struct dk_err *),
                                  void *out, struct dk_err *err)
{
  struct http_response resp = {0};
  enum dk_code rc;

  rc = request(client, "GET", path, 0, &resp, err);
  if (rc != DK_OK)
    goto out;
  if (resp.status != 200) {
    rc = unexpected_status(client, "GET", path, &resp, "200", err);
    goto out;
  }
  rc = parse(resp.body, resp.len, out, err);
  if (rc != DK_OK) {
    count_error(client, path, dk_code_name(rc));
    dk_err_prefix(err, "GET %s%s", client->base, path);
  }
out:
  http_response_free(&resp);
  return rc;
}

static enum dk_code parse_members_cb(const char *body, size_t len, void *out,
                                     struct dk_err *err)
{
  return dkron_parse_members(body, len, out, err);
}

static enum dk_code parse_busy_cb(const char *body, size_t len, void *out,
                                  struct dk_err *err)
{
  return dkron_parse_busy(body, len, out, err);
}

enum dk_code dkron_members(struct dkron_client *client,
                           struct dkron_members *out, struct dk_err *err)
{
  out->items = NULL;
  out->n = 0;
  return get_and_parse(client, "/v1/members", parse_members_cb, out, err);
}

enum dk_code dkron_busy(struct dkron_client *client,
                        struct dkron_executions *out, struct dk_err *err)
{
  out->items = NULL;
  out->n = 0;
  return get_and_parse(client, "/v1/busy", parse_busy_cb, out, err);
}

enum dk_code dkron_leave(struct dkron_client *client, long timeout_ms,
                         struct dk_err *err)
{
  struct http_response resp = {0};
  enum dk_code rc;

  if (timeout_ms <= 0)
    timeout_ms = DKRON_DEFAULT_LEAVE_TIMEOUT_MS;
  rc = request(client, "POST", "/v1/leave", timeout_ms, &resp, err);
  if (rc == DK_OK && resp.status != 200)
    rc = unexpected_status(client, "POST", "/v1/leave", &resp,
                           "200 (left the cluster)", err);
  http_response_free(&resp);
  return rc;
}

enum dk_code dkron_health(struct dkron_client *client, struct dk_err *err)
{
  struct http_response resp = {0};
  enum dk_code rc;

  rc = request(client, "GET", "/health", 0, &resp, err);
  if (rc == DK_OK && resp.status != 200)
    rc = unexpected_status(client, "GET", "/health", &resp, "200", err);
  http_response_free(&resp);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Asking several servers at once                                         */

struct leader_job {
  struct dkron_client *client; /* NULL if it could not be created */
  struct dkron_peer_leader *result;
};

/* Asks one server; results go only to this job's own slot. */
static void ask_one(struct leader_job *job)
{
  struct dkron_peer_leader *r = job->result;

  if (!job->client)
    return; /* result already holds the creation error */
  dkron_leader(job->client, &r->leader, &r->state, &r->err);
}

static void *ask_one_thread(void *arg)
{
  ask_one(arg);
  return NULL;
}

void dkron_peer_leaders_clear(struct dkron_peer_leader *peers, size_t n)
{
  for (size_t i = 0; peers && i < n; i++)
    dkron_member_clear(&peers[i].leader);
}

const struct dkron_peer_leader *
dkron_peer_leaders_first(const struct dkron_peer_leader *peers, size_t n)
{
  for (size_t i = 0; peers && i < n; i++) {
    if (peers[i].state == DKRON_LEADER_FOUND)
      return &peers[i];
  }
  return NULL;
}

/* Clients are created here, in the calling thread, so that libcurl's
 * global set-up never races; each thread then only uses its own client. */
enum dk_code dkron_find_leader(const char *const urls[], size_t n,
                               long timeout_ms, struct dkron_peer_leader *out,
                               struct dk_err *err)
{
  struct leader_job *jobs = NULL;
  pthread_t *threads = NULL;
  bool *started = NULL;
  enum dk_code rc = DK_OK;

  if (n == 0 || !urls || !out || timeout_ms <= 0)
    return dk_err_set(err, DK_EINVAL,
                      "find leader: need at least one URL and a positive "
                      "timeout");
  memset(out, 0, n * sizeof(*out));
  jobs = calloc(n, sizeof(*jobs));
  threads = calloc(n, sizeof(*threads));
  started = calloc(n, sizeof(*started));
  if (!jobs || !threads || !started) {
    rc = dk_err_set(err, DK_ENOMEM, "find leader: out of memory");
    goto out;
  }
  struct dkron_client_opts opts = {.connect_timeout_ms = timeout_ms,
                                   .timeout_ms = timeout_ms,
                                   .max_attempts = 1};
  for (size_t i = 0; i < n; i++) {
    out[i].url = urls[i];
    out[i].state = DKRON_LEADER_ERROR;
    jobs[i].result = &out[i];
    jobs[i].client = dkron_client_new(urls[i], &opts, &out[i].err);
  }
  for (size_t i = 0; i < n; i++) {
    /* Without a thread, ask inline: slower but still an answer. */
    started[i] =
      pthread_create(&threads[i], NULL, ask_one_thread, &jobs[i]) == 0;
    if (!started[i])
      ask_one(&jobs[i]);
  }
  for (size_t i = 0; i < n; i++) {
    if (started[i])
      pthread_join(threads[i], NULL);
  }
out:
  for (size_t i = 0; jobs && i < n; i++)
    dkron_client_free(jobs[i].client);
  free(jobs);
  free(threads);
  free(started);
  return rc;
}
