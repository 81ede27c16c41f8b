/* k8s.c: the Kubernetes API client and the one way its requests are made
 * (see k8s.h): request URLs, the 401 retry with a re-read token, the
 * status-to-error mapping that names the missing RBAC rule, request
 * counting. The service-account token is in k8s_token.c, the list and
 * watch of pods in k8s_list_watch.c, single objects and Events in
 * k8s_objects.c, the in-cluster configuration in k8s_config.c. */
#include "k8s.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "dynbuf.h"
#include "k8s_internal.h"
#include "log.h"
#include "metrics.h"

#define URL_PART_MAX ((size_t)INT_MAX) /* a path or one query parameter */

/* ---- client ------------------------------------------------------------- */

struct k8s_client *k8s_client_new(const struct k8s_config *cfg,
                                  struct dk_err *err)
{
  struct k8s_client *c = calloc(1, sizeof(*c));
  struct http_client_opts opts = cfg->http;

  if (!c) {
    dk_err_set(err, DK_ENOMEM, "out of memory");
    return NULL;
  }
  if (!cfg->api_url || !cfg->token_file || !cfg->namespace ||
      !k8s_valid_dns_label(cfg->namespace)) {
    dk_err_set(err, DK_EINVAL,
               "Kubernetes client: api_url, token_file and a valid namespace "
               "are required");
    goto fail;
  }
  c->api_url = strdup(cfg->api_url);
  c->token_file = strdup(cfg->token_file);
  c->namespace = strdup(cfg->namespace);
  if (!c->api_url || !c->token_file || !c->namespace) {
    dk_err_set(err, DK_ENOMEM, "out of memory");
    goto fail;
  }
  if (cfg->service_account) {
    c->sa_configured = true;
    snprintf(c->service_account, sizeof(c->service_account), "%s",
             cfg->service_account);
  }
  opts.ca_file = cfg->ca_file;
  c->http = http_client_new(&opts, err);
  if (!c->http || k8s_token_refresh(c, true, err) != DK_OK)
    goto fail;
  return c;
fail:
  k8s_client_free(c);
  return NULL;
}

void k8s_client_free(struct k8s_client *c)
{
  if (!c)
    return;
  http_client_free(c->http);
  k8s_token_release(&c->token);
  free(c->api_url);
  free(c->token_file);
  free(c->namespace);
  free(c);
}

void k8s_client_count_requests(struct k8s_client *c, struct metric *requests)
{
  c->requests = requests;
}

const char *k8s_client_namespace(const struct k8s_client *c)
{
  return c->namespace;
}

const char *k8s_client_service_account(const struct k8s_client *c)
{
  return c->service_account;
}

/* ---- request URLs -------------------------------------------------------- */

/* The path of call's object (or collection, without a name) after the API
 * server URL's own path: /api/v1/... for the core group, /apis/G/v1/...
 * for another. */
static enum dk_code add_object_path(struct dynbuf *path,
                                    const struct k8s_client *c,
                                    const struct api_call *call)
{
  if (*call->group)
    dynbuf_addf(path, "/apis/%s/v1", call->group);
  else
    dynbuf_adds(path, "/api/v1");
  dynbuf_addf(path, "/namespaces/%s/%s", c->namespace, call->resource);
  if (call->name)
    dynbuf_addf(path, "/%s", call->name);
  return path->failed;
}

/* Sets call->url with libcurl's URL API: the API server URL, the object's
 * path appended to its own, then each parameter appended to the query,
 * URL-encoded by libcurl (a space as '+', which the API server reads as a
 * space, like any %XX). */
void k8s_build_url(struct api_call *call, const struct k8s_client *c,
                   const struct query_param *params, size_t n)
{
  const unsigned query_flags = CURLU_APPENDQUERY | CURLU_URLENCODE;
  CURLU *u = curl_url();
  CURLUcode uc = u ? CURLUE_OK : CURLUE_OUT_OF_MEMORY;
  char *base_path = NULL, *url = NULL;
  struct dynbuf part;
  size_t len;

  dynbuf_init(&part, URL_PART_MAX);
  if (uc == CURLUE_OK)
    uc = curl_url_set(u, CURLUPART_URL, c->api_url, 0);
  if (uc == CURLUE_OK)
    uc = curl_url_get(u, CURLUPART_PATH, &base_path, 0);
  if (uc == CURLUE_OK) {
    for (len = strlen(base_path); len > 0 && base_path[len - 1] == '/'; len--)
      ;
    dynbuf_add(&part, base_path, len);
    uc = add_object_path(&part, c, call) == DK_OK
           ? curl_url_set(u, CURLUPART_PATH, dynbuf_str(&part), 0)
           : CURLUE_OUT_OF_MEMORY;
  }
  for (size_t i = 0; i < n && uc == CURLUE_OK; i++) {
    if (!params[i].value)
      continue;
    dynbuf_reset(&part);
    uc = dynbuf_addf(&part, "%s=%s", params[i].key, params[i].value) == DK_OK
           ? curl_url_set(u, CURLUPART_QUERY, dynbuf_str(&part), query_flags)
           : CURLUE_OUT_OF_MEMORY;
  }
  if (uc == CURLUE_OK)
    uc = curl_url_get(u, CURLUPART_URL, &url, 0);
  call->url = url ? strdup(url) : NULL;
  call->url_rc =
    uc == CURLUE_OK || uc == CURLUE_OUT_OF_MEMORY ? DK_ENOMEM : DK_EINVAL;
  curl_free(url);
  curl_free(base_path);
  dynbuf_free(&part);
  curl_url_cleanup(u);
}

static void describe(const struct k8s_client *c, struct api_call *call)
{
  if (call->name)
    snprintf(call->what, sizeof(call->what), "%s %s \"%s\" in namespace \"%s\"",
             call->verb, call->kind, call->name, c->namespace);
  else
    snprintf(call->what, sizeof(call->what), "%s %s in namespace \"%s\"",
             call->verb, call->resource, c->namespace);
}

/* One request, counted by verb and answer ("error" when none came). A
 * watch that the caller ends after its 200 counts as that 200. */
static void count_request(struct k8s_client *c, const struct api_call *call,
                          enum dk_code rc, const struct http_response *resp)
{
  char code[24];

  if (rc == DK_ECANCELED && resp->status <= 0)
    return; /* stopped before an answer: not a request's outcome */
  if (resp->status > 0)
    snprintf(code, sizeof(code), "%ld", resp->status);
  else
    snprintf(code, sizeof(code), "error");
  metric_inc(c->requests, (const char *[]){call->verb, code});
}

static enum dk_code send_once(struct k8s_client *c, const struct api_call *call,
                              struct http_response *resp, struct dk_err *err)
{
  struct http_request req = {0};
  enum dk_code rc;

  req.method = call->method;
  req.url = call->url;
  req.bearer = c->token.value;
  req.content_type = call->content_type;
  req.body = call->body;
  req.body_len = call->body_len;
  /* GETs and label merge-patches are idempotent; a create is not */
  req.idempotent = !call->once;
  req.timeout_ms = call->timeout_ms;
  if (call->on_data)
    rc = http_stream(c->http, &req, call->idle_timeout_ms, call->on_data,
                     call->should_stop, call->user, resp, err);
  else
    rc = http_do(c->http, &req, resp, err);
  count_request(c, call, rc, resp);
  return rc;
}

/* 403: spell out the Role rule that would allow this request. An RBAC
 * denial says `User "..." cannot <verb> resource ...`; anything else (an
 * admission webhook, PodSecurity, a ValidatingAdmissionPolicy) is reported
 * as the API server's own refusal, since no Role rule would help. */
static enum dk_code forbidden(const struct k8s_client *c,
                              const struct api_call *call,
                              const struct k8s_status *st, struct dk_err *err)
{
  const char *who =
    c->service_account[0] ? c->service_account : "this pod's service account";

  if (st->message[0] && !strstr(st->message, " cannot "))
    return dk_err_set(err, DK_EFORBIDDEN,
                      "%s: 403 Forbidden, not by RBAC: the API server refused "
                      "\"%s\" on \"%s\" in namespace \"%s\": %s; see the "
                      "admission policy or webhook it names",
                      call->what, call->verb, call->resource, c->namespace,
                      st->message);
  return dk_err_set(err, DK_EFORBIDDEN,
                    "%s: 403 Forbidden: RBAC denies \"%s\" on \"%s\" in "
                    "namespace \"%s\" for %s; add to its Role: {apiGroups: "
                    "[\"%s\"], resources: [\"%s\"], verbs: [\"%s\"]}%s%s%s",
                    call->what, call->verb, call->resource, c->namespace, who,
                    call->group, call->resource, call->verb,
                    st->message[0] ? " (API server: " : "", st->message,
                    st->message[0] ? ")" : "");
}

/* Maps a non-2xx answer to a code and a message naming the request. */
static enum dk_code check_status(const struct k8s_client *c,
                                 const struct api_call *call,
                                 const struct http_response *resp,
                                 struct dk_err *err)
{
  struct k8s_status st;
  const char *msg;
  enum dk_code rc;

  if (resp->status >= 200 && resp->status < 300)
    return DK_OK;
  k8s_status_parse(resp->body, resp->len, &st);
  msg = st.message[0] ? st.message : "(no message from the API server)";
  switch (resp->status) {
    case 401:
      rc = dk_err_set(err, DK_EAUTH,
                      "%s: 401 Unauthorized: the service-account token was "
                      "rejected (token file %s); it was re-read and the "
                      "request retried once: check that the ServiceAccount "
                      "exists and its token is mounted and not expired",
                      call->what, c->token_file);
      break;
    case 403:
      rc = forbidden(c, call, &st, err);
      break;
    case 404:
      rc =
        dk_err_set(err, DK_ENOTFOUND, "%s: 404 Not Found: %s", call->what, msg);
      break;
    case 410:
      rc = dk_err_set(err, DK_EGONE, "%s: 410 Gone: %s; list again", call->what,
                      msg);
      break;
    default:
      rc = dk_err_set(err, DK_EHTTP, "%s: HTTP %ld: %s", call->what,
                      resp->status, msg);
      break;
  }
  if (err)
    err->http_status = resp->status;
  return rc;
}

/* Sends one API request with a current token; a 401 forces a re-read of
 * the token file and one retry (kubelet may have rotated it just now). */
enum dk_code k8s_api_request(struct k8s_client *c, struct api_call *call,
                             struct http_response *resp, struct dk_err *err)
{
  enum dk_code rc;

  memset(resp, 0, sizeof(*resp));
  describe(c, call);
  if (!call->url && call->url_rc == DK_EINVAL)
    return dk_err_set(err, DK_EINVAL,
                      "%s: the API server URL \"%.200s\" is not a valid URL "
                      "(--kube-api-url)",
                      call->what, c->api_url);
  if (!call->url)
    return dk_err_set(err, DK_ENOMEM, "%s: out of memory", call->what);
  rc = k8s_token_refresh(c, false, err);
  if (rc == DK_OK)
    rc = send_once(c, call, resp, err);
  if (rc == DK_OK && resp->status == 401) {
    LOG_INFOF("%s: 401 Unauthorized; re-reading the token file %s and "
              "retrying once",
              call->what, c->token_file);
    http_response_free(resp);
    rc = k8s_token_refresh(c, true, err);
    if (rc == DK_OK)
      rc = send_once(c, call, resp, err);
  }
  if (rc != DK_OK) {
    dk_err_prefix(err, "%s", call->what);
    return rc;
  }
  return check_status(c, call, resp, err);
}

enum dk_code k8s_check_name(const char *kind, const char *name,
                            struct dk_err *err)
{
  if (k8s_valid_object_name(name))
    return DK_OK;
  return dk_err_set(err, DK_EINVAL,
                    "%s name \"%.80s\" is not a valid Kubernetes object name "
                    "(lower-case letters, digits, '-' and '.')",
                    kind, name ? name : "");
}

struct k8s_client *k8s_client_in_cluster(const struct k8s_overrides *ov,
                                         const struct http_client_opts *http,
                                         struct metric *api_requests,
                                         struct k8s_config *kc,
                                         struct dk_err *err)
{
  struct k8s_config own;
  struct k8s_config *cfg = kc ? kc : &own;
  struct k8s_client *c = NULL;

  if (k8s_config_in_cluster(ov, cfg, err) == DK_OK) {
    if (http)
      cfg->http = *http;
    c = k8s_client_new(cfg, err);
  }
  if (c)
    k8s_client_count_requests(c, api_requests);
  if (!kc)
    k8s_config_free(&own);
  return c;
}
