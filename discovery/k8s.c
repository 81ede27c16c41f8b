/* k8s.c: the service-account token and the Kubernetes API requests
 * discovery makes (see k8s.h); the in-cluster configuration is in
 * k8s_config.c. */
#include "k8s.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dynbuf.h"
#include "k8s_internal.h"
#include "log.h"
#include "metrics.h"

#define TOKEN_MAX        16384 /* projected tokens are ~1 KiB */
#define LIST_MAX_PAGES   10000 /* guards against a server looping on continue */
#define WATCH_MAX_S      86400
#define WATCH_MARGIN_MS  30000 /* client-side slack over timeoutSeconds */
#define REPLICAS_MAX     1000000
#define SA_PREFIX        "system:serviceaccount:"
#define MERGE_PATCH_TYPE "application/merge-patch+json"
#define URL_PART_MAX     ((size_t)INT_MAX) /* a path or one query parameter */

/* ---- the service-account token ----------------------------------------- */

struct token {
  char *value; /* NUL-terminated, TOKEN_MAX + 1 bytes, wiped on release */
  size_t len;
  /* Identity of the file it was read from, to notice rotation. */
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
};

struct k8s_client {
  struct http_client *http;
  char *api_url;
  char *token_file;
  char *namespace;
  bool sa_configured;
  char service_account[256];
  struct token token;
  struct metric *requests; /* {verb, code}; NULL: not counted */
};

static void token_release(struct token *t)
{
  if (t->value) {
    explicit_bzero(t->value, TOKEN_MAX + 1);
    free(t->value);
  }
  memset(t, 0, sizeof(*t));
}

static bool token_file_changed(const struct token *t, const struct stat *st)
{
  return !t->value || t->dev != st->st_dev || t->ino != st->st_ino ||
         t->size != st->st_size || t->mtime.tv_sec != st->st_mtim.tv_sec ||
         t->mtime.tv_nsec != st->st_mtim.tv_nsec;
}

/* A bearer token is printable ASCII without spaces; anything else would
 * corrupt the Authorization header. */
static bool token_chars_ok(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
      return false;
  return true;
}

static int base64url_value(char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-' || c == '+')
    return 62;
  if (c == '_' || c == '/')
    return 63;
  return -1;
}

/* Decodes n base64url characters into out (room for n * 3 / 4 bytes);
 * returns the decoded length or -1 on an invalid character. */
static long base64url_decode(const char *in, size_t n, unsigned char *out)
{
  unsigned long bits = 0;
  int nbits = 0;
  long len = 0;

  for (size_t i = 0; i < n && in[i] != '='; i++) {
    int v = base64url_value(in[i]);
    if (v < 0)
      return -1;
    bits = ((bits << 6) | (unsigned long)v) & 0xffffffUL;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out[len++] = (unsigned char)((bits >> nbits) & 0xffu);
    }
  }
  return len;
}

/* The "sub" claim of a service-account JWT ("system:serviceaccount:ns:sa"),
 * for error messages only; out is "" if the token is not such a JWT. */
static void subject_from_jwt(const char *token, char *out, size_t outlen)
{
  const char *dot1 = strchr(token, '.');
  const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  unsigned char *payload;
  cJSON *claims = NULL;
  const cJSON *sub;
  size_t n;
  long len;

  out[0] = '\0';
  if (!dot2)
    return;
  n = (size_t)(dot2 - dot1 - 1);
  payload = malloc(n * 3 / 4 + 1);
  if (!payload)
    return;
  len = base64url_decode(dot1 + 1, n, payload);
  if (len > 0) {
    size_t end;

    payload[len] = '\0';
    json_parse((const char *)payload, (size_t)len, &claims, &end);
  }
  sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
  if (cJSON_IsString(sub) &&
      strncmp(sub->valuestring, SA_PREFIX, strlen(SA_PREFIX)) == 0)
    snprintf(out, outlen, "%s", sub->valuestring);
  cJSON_Delete(claims);
  explicit_bzero(payload, n * 3 / 4 + 1);
  free(payload);
}

/* Reads the token file into a fresh struct token. */
static enum dk_code token_read(const char *path, struct token *t,
                               struct dk_err *err)
{
  struct stat st;
  enum dk_code rc = DK_OK;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  memset(t, 0, sizeof(*t));
  if (fd < 0)
    return dk_err_set(err, DK_EIO, "read service-account token file %s: %s",
                      path, strerror(errno));
  t->value = malloc(TOKEN_MAX + 1);
  if (!t->value) {
    rc = dk_err_set(err, DK_ENOMEM, "out of memory reading the token");
    goto out;
  }
  if (fstat(fd, &st) != 0 ||
      k8s_read_file_trimmed(fd, t->value, TOKEN_MAX, &t->len) != 0) {
    rc = dk_err_set(err, DK_EIO, "read service-account token file %s: %s", path,
                    strerror(errno));
    goto out;
  }
  if (t->len == 0 || !token_chars_ok(t->value, t->len)) {
    rc = dk_err_set(err, DK_EINVAL,
                    "service-account token file %s is %s: mount a valid "
                    "token or set --kube-token-file",
                    path, t->len ? "not a token" : "empty");
    goto out;
  }
  t->dev = st.st_dev;
  t->ino = st.st_ino;
  t->size = st.st_size;
  t->mtime = st.st_mtim;
out:
  close(fd);
  if (rc != DK_OK)
    token_release(t);
  return rc;
}

/* Re-reads the token when forced (after a 401) or when its file changed
 * (a cheap stat per request); the old token is wiped. */
static enum dk_code token_refresh(struct k8s_client *c, bool force,
                                  struct dk_err *err)
{
  struct token fresh;
  struct stat st;
  enum dk_code rc;

  if (!force && c->token.value && stat(c->token_file, &st) == 0 &&
      !token_file_changed(&c->token, &st))
    return DK_OK;
  rc = token_read(c->token_file, &fresh, err);
  if (rc != DK_OK)
    return rc;
  if (c->token.value)
    LOG_DEBUGF("re-read the service-account token from %s", c->token_file);
  token_release(&c->token);
  c->token = fresh;
  if (!c->sa_configured)
    subject_from_jwt(c->token.value, c->service_account,
                     sizeof(c->service_account));
  return DK_OK;
}

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
  if (!c->http || token_refresh(c, true, err) != DK_OK)
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
  token_release(&c->token);
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

/* ---- requests ------------------------------------------------------------ */

struct api_call {
  /* What is asked, in RBAC terms and for messages. */
  const char *verb;     /* "list", "watch", "get", "patch" */
  const char *resource; /* "pods", "statefulsets" */
  const char *group;    /* "" (core) or "apps" */
  const char *kind;     /* "pod", "statefulset" */
  const char *name;     /* object name, NULL for the collection */
  /* The HTTP request. */
  const char *method;
  char *url;           /* owned; NULL when build_url failed: */
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
  /* Filled in by api_request: 'list pods in namespace "dkron"'. */
  char what[160];
};

/* ---- request URLs -------------------------------------------------------- */

/* One query parameter; a NULL value leaves it out. */
struct query_param {
  const char *key;
  const char *value;
};

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
static void build_url(struct api_call *call, const struct k8s_client *c,
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
static enum dk_code api_request(struct k8s_client *c, struct api_call *call,
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
  rc = token_refresh(c, false, err);
  if (rc == DK_OK)
    rc = send_once(c, call, resp, err);
  if (rc == DK_OK && resp->status == 401) {
    LOG_INFOF("%s: 401 Unauthorized; re-reading the token file %s and "
              "retrying once",
              call->what, c->token_file);
    http_response_free(resp);
    rc = token_refresh(c, true, err);
    if (rc == DK_OK)
      rc = send_once(c, call, resp, err);
  }
  if (rc != DK_OK) {
    dk_err_prefix(err, "%s", call->what);
    return rc;
  }
  return check_status(c, call, resp, err);
}

static enum dk_code check_name(const char *kind, const char *name,
                               struct dk_err *err)
{
  if (k8s_valid_object_name(name))
    return DK_OK;
  return dk_err_set(err, DK_EINVAL,
                    "%s name \"%.80s\" is not a valid Kubernetes object name "
                    "(lower-case letters, digits, '-' and '.')",
                    kind, name ? name : "");
}

/* ---- list ---------------------------------------------------------------- */

/* An empty selector is no selector. */
static const char *selector(const char *s)
{
  return s && *s ? s : NULL;
}

static void list_url(struct api_call *call, const struct k8s_client *c,
                     const struct k8s_list_opts *opts, const char *cont)
{
  char limit[32];
  const struct query_param params[] = {
    {"labelSelector", selector(opts->label_selector)},
    {"fieldSelector", selector(opts->field_selector)},
    {"limit", limit},
    {"continue", cont},
  };

  snprintf(limit, sizeof(limit), "%ld",
           opts->limit > 0 ? opts->limit : K8S_DEFAULT_PAGE_LIMIT);
  build_url(call, c, params, sizeof(params) / sizeof(params[0]));
}

/* Fetches one page and appends it to list; *next gets its continue token. */
static enum dk_code list_page(struct k8s_client *c,
                              const struct k8s_list_opts *opts,
                              const char *cont, struct k8s_pod_list *list,
                              char **next, struct dk_err *err)
{
  struct api_call call = {.verb = "list",
                          .resource = "pods",
                          .group = "",
                          .kind = "pod",
                          .method = "GET"};
  struct http_response resp;
  enum dk_code rc;

  *next = NULL;
  list_url(&call, c, opts, cont);
  rc = api_request(c, &call, &resp, err);
  if (rc == DK_OK) {
    rc = k8s_pod_list_parse_page(resp.body, resp.len, opts->label_keys, list,
                                 next, err);
    if (rc != DK_OK)
      dk_err_prefix(err, "%s", call.what);
  }
  http_response_free(&resp);
  free(call.url);
  return rc;
}

/* All pages, in order; *expired tells a 410 on a continue token apart
 * from one on the first page. */
static enum dk_code list_all_pages(struct k8s_client *c,
                                   const struct k8s_list_opts *opts,
                                   struct k8s_pod_list *out, bool *expired,
                                   struct dk_err *err)
{
  size_t max_items =
    opts->max_items ? opts->max_items : K8S_DEFAULT_LIST_MAX_ITEMS;
  char *cont = NULL;
  char *next = NULL;
  enum dk_code rc;
  long pages = 0;

  *expired = false;
  do {
    if (++pages > LIST_MAX_PAGES) {
      rc = dk_err_set(err, DK_EPARSE,
                      "list pods: the API server sent more than %d pages; "
                      "it keeps returning a continue token",
                      LIST_MAX_PAGES);
      break;
    }
    rc = list_page(c, opts, cont, out, &next, err);
    if (rc == DK_EGONE && cont)
      *expired = true;
    if (rc == DK_OK && out->n > max_items)
      rc = dk_err_set(err, DK_ETOOBIG,
                      "list pods in namespace \"%s\": more than %zu pods "
                      "match (label selector \"%.200s\"); refusing to hold "
                      "them all: narrow the label selector",
                      c->namespace, max_items,
                      opts->label_selector ? opts->label_selector : "");
    free(cont);
    cont = next;
  } while (rc == DK_OK && cont);
  free(cont);
  return rc;
}

enum dk_code k8s_list_pods(struct k8s_client *c,
                           const struct k8s_list_opts *opts,
                           struct k8s_pod_list *out, struct dk_err *err)
{
  static const struct k8s_list_opts defaults = {0};
  bool expired;
  enum dk_code rc;

  memset(out, 0, sizeof(*out));
  opts = opts ? opts : &defaults;
  if (opts->limit < 0)
    return dk_err_set(err, DK_EINVAL, "list pods: limit must be >= 0");
  rc = list_all_pages(c, opts, out, &expired, err);
  if (rc == DK_EGONE && expired) {
    LOG_WARNF("a continue token expired mid-list (%s); listing again from "
              "the first page",
              err ? err->msg : "");
    k8s_pod_list_free(out);
    rc = list_all_pages(c, opts, out, &expired, err);
  }
  if (rc != DK_OK)
    k8s_pod_list_free(out);
  return rc;
}

/* ---- watch --------------------------------------------------------------- */

struct watch_run {
  struct k8s_watch_parser *parser;
  const struct k8s_watch_opts *opts;
};

static int watch_on_data(const char *data, size_t len, void *user)
{
  struct watch_run *run = user;

  return k8s_watch_parser_feed(run->parser, data, len, NULL) != DK_OK;
}

static int watch_should_stop(void *user)
{
  struct watch_run *run = user;

  return run->opts->should_stop ? run->opts->should_stop(run->opts->user) : 0;
}

static void watch_url(struct api_call *call, const struct k8s_client *c,
                      const struct k8s_watch_opts *opts, const char *rv,
                      long timeout_s)
{
  char timeout[32];
  const struct query_param params[] = {
    {"watch", "1"},
    {"resourceVersion", rv},
    {"allowWatchBookmarks", "true"},
    {"timeoutSeconds", timeout},
    {"labelSelector", selector(opts->label_selector)},
    {"fieldSelector", selector(opts->field_selector)},
  };

  snprintf(timeout, sizeof(timeout), "%ld", timeout_s);
  build_url(call, c, params, sizeof(params) / sizeof(params[0]));
}

/* The parser's own failure (a 410 ERROR event, garbage, a stop from the
 * callback) explains a stopped stream better than the transport's code. */
static enum dk_code watch_result(struct watch_run *run,
                                 const struct api_call *call, enum dk_code rc,
                                 struct dk_err *err)
{
  struct dk_err perr = {0};
  enum dk_code prc = k8s_watch_parser_feed(run->parser, NULL, 0, &perr);

  if (prc != DK_OK) {
    if (err)
      *err = perr;
    dk_err_prefix(err, "%s", call->what);
    return prc;
  }
  if (rc != DK_OK)
    return rc;
  rc = k8s_watch_parser_finish(run->parser, err);
  if (rc != DK_OK)
    dk_err_prefix(err, "%s", call->what);
  return rc;
}

/* Moves the caller's resourceVersion to the latest one seen. */
static void keep_resource_version(const struct k8s_watch_parser *parser,
                                  char **resource_version)
{
  const char *latest = k8s_watch_parser_resource_version(parser);
  char *copy;

  if (!latest || strcmp(latest, *resource_version) == 0)
    return;
  copy = strdup(latest);
  if (!copy)
    return; /* the older version stays valid to resume from */
  free(*resource_version);
  *resource_version = copy;
}

enum dk_code k8s_watch_pods(struct k8s_client *c,
                            const struct k8s_watch_opts *opts,
                            char **resource_version, struct dk_err *err)
{
  struct api_call call = {.verb = "watch",
                          .resource = "pods",
                          .group = "",
                          .kind = "pod",
                          .method = "GET"};
  struct watch_run run = {.parser = NULL, .opts = opts};
  struct http_response resp = {0};
  long timeout_s;
  enum dk_code rc;

  if (!resource_version || !*resource_version || !**resource_version)
    return dk_err_set(err, DK_EINVAL,
                      "watch pods: needs the resourceVersion of a list");
  if (!opts || !opts->on_event)
    return dk_err_set(err, DK_EINVAL, "watch pods: needs an event callback");
  timeout_s =
    opts->timeout_seconds ? opts->timeout_seconds : K8S_DEFAULT_WATCH_TIMEOUT_S;
  if (timeout_s < 1 || timeout_s > WATCH_MAX_S || opts->idle_timeout_ms < 0)
    return dk_err_set(err, DK_EINVAL,
                      "watch pods: timeout_seconds must be 1..%d and "
                      "idle_timeout_ms >= 0",
                      WATCH_MAX_S);
  run.parser = k8s_watch_parser_new(opts->label_keys, opts->max_line,
                                    opts->on_event, opts->user);
  watch_url(&call, c, opts, *resource_version, timeout_s);
  if (!run.parser) {
    rc = dk_err_set(err, DK_ENOMEM, "watch pods: out of memory");
    goto out;
  }
  call.on_data = watch_on_data;
  call.should_stop = watch_should_stop;
  call.user = &run;
  call.timeout_ms = timeout_s * 1000 + WATCH_MARGIN_MS;
  call.idle_timeout_ms =
    opts->idle_timeout_ms ? opts->idle_timeout_ms : call.timeout_ms;
  rc = api_request(c, &call, &resp, err);
  rc = watch_result(&run, &call, rc, err);
  keep_resource_version(run.parser, resource_version);
out:
  http_response_free(&resp);
  k8s_watch_parser_free(run.parser);
  free(call.url);
  return rc;
}

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
  rc = check_name("pod", name, err);
  if (rc != DK_OK)
    return rc;
  build_url(&call, c, NULL, 0);
  rc = api_request(c, &call, &resp, err);
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

  build_url(call, c, NULL, 0);
  call->body = body;
  call->body_len = strlen(body);
  rc = api_request(c, call, &resp, err);
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

  rc = check_name("pod", name, err);
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

  rc = check_name("StatefulSet", name, err);
  if (rc != DK_OK)
    return rc;
  build_url(&call, c, NULL, 0);
  rc = api_request(c, &call, &resp, err);
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

  rc = check_name("pod", ev->regarding_pod, err);
  if (rc != DK_OK)
    return rc;
  body = event_body(c, ev);
  if (!body)
    return dk_err_set(err, DK_ENOMEM, "create event: out of memory");
  return send_body(c, &call, body, err);
}
