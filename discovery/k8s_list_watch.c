/* k8s_list_watch.c: listing pods page by page and watching them (see
 * k8s_list_watch.h), through the client's requests (k8s_internal.h). */
#include "k8s.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"
#include "log.h"

#define LIST_MAX_PAGES  10000 /* guards against a server looping on continue */
#define WATCH_MAX_S     86400
#define WATCH_MARGIN_MS 30000 /* client-side slack over timeoutSeconds */

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
  k8s_build_url(call, c, params, sizeof(params) / sizeof(params[0]));
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
  rc = k8s_api_request(c, &call, &resp, err);
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

/* The continue tokens a list has used, to refuse one handed out again:
 * followed, it would page through the same pages until the page cap. */
struct used_tokens {
  char **tokens; /* owned */
  size_t n, cap;
};

static bool token_used(const struct used_tokens *u, const char *token)
{
  for (size_t i = 0; i < u->n; i++)
    if (strcmp(u->tokens[i], token) == 0)
      return true;
  return false;
}

/* Takes token (owned) into u; -1 (token freed) when out of memory. */
static int token_keep(struct used_tokens *u, char *token)
{
  if (u->n == u->cap) {
    size_t cap = u->cap ? 2 * u->cap : 8;
    char **grown = realloc(u->tokens, cap * sizeof(*grown));

    if (!grown) {
      free(token);
      return -1;
    }
    u->tokens = grown;
    u->cap = cap;
  }
  u->tokens[u->n++] = token;
  return 0;
}

static void tokens_free(struct used_tokens *u)
{
  for (size_t i = 0; i < u->n; i++)
    free(u->tokens[i]);
  free(u->tokens);
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
  struct used_tokens used = {0};
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
    if (cont && token_keep(&used, cont) != 0 && rc == DK_OK)
      rc = dk_err_set(err, DK_ENOMEM, "list pods: out of memory");
    cont = next;
    if (rc == DK_OK && cont && token_used(&used, cont))
      rc = dk_err_set(err, DK_EPARSE,
                      "list pods in namespace \"%s\": the API server repeated "
                      "the continue token of an earlier page after %ld "
                      "pages; following it would list the same pages "
                      "forever",
                      c->namespace, pages);
  } while (rc == DK_OK && cont);
  free(cont);
  tokens_free(&used);
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
  k8s_build_url(call, c, params, sizeof(params) / sizeof(params[0]));
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
  rc = k8s_api_request(c, &call, &resp, err);
  rc = watch_result(&run, &call, rc, err);
  keep_resource_version(run.parser, resource_version);
out:
  http_response_free(&resp);
  k8s_watch_parser_free(run.parser);
  free(call.url);
  return rc;
}
