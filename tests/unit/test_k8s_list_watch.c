/* test_k8s_list_watch.c: listing pods page by page and watching them
 * (k8s_list_watch.c) against the fake API server: every field parsed,
 * continue tokens followed, the cap on all pages, a list restarted when its
 * continue token expires, broken bodies, the watch stream and its ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_fixtures.h"
#include "tests.h"

/* The value of key in a raw query string, decoded as the API server (Go's
 * net/url) decodes it: '+' is a space, %XX in either case a byte. "" when
 * key is absent. */
static const char *query_value(const char *query, const char *key, char *out,
                               size_t cap)
{
  size_t klen = strlen(key), n = 0;
  const char *p = query;

  out[0] = '\0';
  while (p && *p) {
    if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
      for (p += klen + 1; *p && *p != '&' && n + 1 < cap; p++) {
        unsigned byte;

        if (*p == '+') {
          out[n++] = ' ';
        } else if (*p == '%' && sscanf(p + 1, "%2x", &byte) == 1) {
          out[n++] = (char)byte;
          p += 2;
        } else {
          out[n++] = *p;
        }
      }
      out[n] = '\0';
      break;
    }
    p = strchr(p, '&');
    p = p ? p + 1 : NULL;
  }
  return out;
}

static const struct k8s_pod *find_pod(const struct k8s_pod_list *list,
                                      const char *name)
{
  for (size_t i = 0; i < list->n; i++)
    if (strcmp(list->items[i].name, name) == 0)
      return &list->items[i];
  ck_abort_msg("pod %s not in the list", name);
  return NULL;
}

static int stop_after_events(void *user)
{
  const struct recorder *r = user;

  return r->stop_after && r->n >= r->stop_after;
}

/* ---- against the fake API server --------------------------------------- */
START_TEST(list_pods_parses_every_field)
{
  char *body = all_pods_body();
  struct fake_response script[] = {REPLY(200, body)};
  struct fake_server *fs = start1("GET", PODS, script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app=dkron", NULL, label_keys, 0, 0};
  struct k8s_pod_list list;
  struct fake_request req;
  struct dk_err err = {0};
  const struct k8s_pod *p;

  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.method, "GET");
  ck_assert_str_eq(req.query, "labelSelector=app%3ddkron&limit=500");
  ck_assert_str_eq(req.authorization, "Bearer token-1");
  ck_assert_uint_eq(list.n, 6);
  ck_assert_str_eq(list.resource_version, "48213");

  p = find_pod(&list, "dkron-server-0");
  ck_assert_str_eq(p->namespace, "dkron");
  ck_assert_str_eq(p->uid, "5f0c6a1e-8d2b-4a57-9a0e-3c1d2b4e6f70");
  ck_assert_str_eq(p->resource_version, "48213");
  ck_assert_str_eq(p->pod_ip, "10.244.1.10");
  ck_assert_int_eq(p->phase, K8S_PHASE_RUNNING);
  ck_assert(p->ready);
  ck_assert(!p->terminating);
  ck_assert_int_eq(p->ordinal, 0);
  ck_assert_uint_eq(p->n_labels, 2); /* only the keys asked for */
  ck_assert_str_eq(k8s_pod_label(p, "app"), "dkron");
  ck_assert_str_eq(k8s_pod_label(p, "role"), "server");
  ck_assert_ptr_null(k8s_pod_label(p, "controller-revision-hash"));

  p = find_pod(&list, "dkron-server-1"); /* Pending, not started */
  ck_assert_int_eq(p->phase, K8S_PHASE_PENDING);
  ck_assert_ptr_null(p->pod_ip);
  ck_assert(!p->ready);            /* no Ready condition at all */
  ck_assert_int_eq(p->ordinal, 1); /* owner is a StatefulSet, no index label */
  ck_assert_str_eq(p->resource_version, "48201");

  p = find_pod(&list, "dkron-server-2"); /* being deleted */
  ck_assert_int_eq(p->phase, K8S_PHASE_RUNNING);
  ck_assert(!p->ready); /* Ready is "False" */
  ck_assert(p->terminating);
  ck_assert_int_eq(p->ordinal, 2);
  ck_assert_str_eq(p->pod_ip, "10.244.3.5");

  p = find_pod(&list, "dkron-agent-6b7f9c8d5-79524"); /* Deployment pod */
  ck_assert_int_eq(p->ordinal, -1);
  ck_assert(p->ready);
  ck_assert_str_eq(k8s_pod_label(p, "role"), "agent");
  ck_assert_ptr_null(k8s_pod_label(p, "pod-template-hash"));

  p = find_pod(&list, "dkron-backup-29398260-9zx4k");
  ck_assert_int_eq(p->phase, K8S_PHASE_SUCCEEDED);
  ck_assert(!p->ready);
  ck_assert_int_eq(p->ordinal, -1);
  ck_assert_uint_eq(p->n_labels, 1); /* no "role" label on this pod */
  ck_assert_ptr_null(k8s_pod_label(p, "role"));

  p = find_pod(&list, "dkron-migrate-kq5tz");
  ck_assert_int_eq(p->phase, K8S_PHASE_FAILED);
  ck_assert_str_eq(k8s_phase_name(p->phase), "Failed");
  ck_assert_int_eq(p->ordinal, -1);
  ck_assert_str_eq(p->pod_ip, "10.244.3.2");

  k8s_pod_list_free(&list);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(body);
}
END_TEST

START_TEST(list_pods_follows_continue)
{
  char *page1 = page1_body();
  char *page2 = page2_body();
  struct fake_response script[] = {REPLY(200, page1), REPLY(200, page2)};
  struct fake_server *fs = start1("GET", PODS, script, 2);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app in (dkron),role!=agent",
                               "status.phase!=Failed", label_keys, 2, 0};
  struct k8s_pod_list list;
  struct fake_request req;
  struct dk_err err = {0};

  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 2);
  /* libcurl's URL encoding: a space as '+', lower-case hex; the API
   * server decodes both. */
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.query, "labelSelector=app+in+%28dkron%29%2crole%21"
                              "%3dagent&fieldSelector=status.phase%21%3dFailed"
                              "&limit=2");
  request_n(fs, 1, &req);
  ck_assert_str_eq(req.query, "labelSelector=app+in+%28dkron%29%2crole%21"
                              "%3dagent&fieldSelector=status.phase%21%3dFailed"
                              "&limit=2&continue=" CONTINUE_TOKEN);
  /* The selectors and the token reach the server intact. */
  {
    char v[512];

    ck_assert_str_eq(query_value(req.query, "labelSelector", v, sizeof(v)),
                     "app in (dkron),role!=agent");
    ck_assert_str_eq(query_value(req.query, "fieldSelector", v, sizeof(v)),
                     "status.phase!=Failed");
    ck_assert_str_eq(query_value(req.query, "continue", v, sizeof(v)),
                     CONTINUE_TOKEN);
  }
  ck_assert_uint_eq(list.n, 4);
  ck_assert_str_eq(list.items[0].name, "dkron-server-0");
  ck_assert_str_eq(list.items[1].name, "dkron-server-1");
  ck_assert_str_eq(list.items[2].name, "dkron-server-2");
  ck_assert_str_eq(list.items[3].name, "dkron-agent-6b7f9c8d5-79524");
  ck_assert_str_eq(list.resource_version, "48213");
  k8s_pod_list_free(&list);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(page1);
  free(page2);
}
END_TEST

/* Pages are many small requests, so the page cap alone would let a
 * server (or a too-wide selector) fill memory: the items of all pages
 * together are capped too, with an error that says so. */
START_TEST(list_pods_caps_the_items_of_all_pages)
{
  char *page1 = page1_body();
  char *page2 = page2_body();
  struct fake_response script[] = {REPLY(200, page1), REPLY(200, page2)};
  struct fake_server *fs = start1("GET", PODS, script, 2);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app=dkron", NULL, label_keys, 2, 3};
  struct k8s_pod_list list;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_list_pods(c, &opts, &list, &err), DK_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "more than 3 pods") &&
                  strstr(err.msg, "app=dkron") &&
                  strstr(err.msg, "narrow the label selector"),
                "%s", err.msg);
  ck_assert_uint_eq(list.n, 0);
  ck_assert_ptr_null(list.items);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 2);
  /* Exactly at the cap is fine. */
  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, script, 2), 0);
  opts.max_items = 4;
  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  ck_assert_uint_eq(list.n, 4);
  k8s_pod_list_free(&list);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(page1);
  free(page2);
}
END_TEST

/* 410 on a continue token restarts the list once, from the first page;
 * a second expiry is reported. */
START_TEST(list_pods_restarts_once_when_continue_expires)
{
  char *page1 = page1_body();
  char *page2 = page2_body();
  struct fake_response recovers[] = {REPLY(200, page1),
                                     REPLY(410, status_410_continue),
                                     REPLY(200, page1), REPLY(200, page2)};
  struct fake_response keeps_failing[] = {REPLY(200, page1),
                                          REPLY(410, status_410_continue)};
  struct fake_server *fs = start1("GET", PODS, recovers, 4);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app=dkron", NULL, label_keys, 2, 0};
  struct k8s_pod_list list;
  struct fake_request req;
  struct dk_err err = {0};

  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 4);
  request_n(fs, 2, &req);
  ck_assert_ptr_null(strstr(req.query, "continue="));
  ck_assert_uint_eq(list.n, 4); /* the first page is not counted twice */
  k8s_pod_list_free(&list);

  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, keeps_failing, 2),
                   0);
  ck_assert_int_eq(k8s_list_pods(c, &opts, &list, &err), DK_EGONE);
  ck_assert_int_eq(err.http_status, 410);
  ck_assert_ptr_nonnull(strstr(err.msg, "continue parameter is too old"));
  ck_assert_uint_eq(list.n, 0);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 4 + 3);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(page1);
  free(page2);
}
END_TEST

/* A continue token the server hands out again would be followed until
 * the page cap (10,000 requests): a repeated token (the one just used, or
 * any earlier one) ends the list at once with an error that says so. */
START_TEST(list_pods_stops_at_a_repeated_continue_token)
{
#define PAGE_WITH_TOKEN(tok)                            \
  POD_LIST_PREFIX("48213", ",\"continue\":\"" tok "\"") \
  POD_SERVER_0 POD_LIST_SUFFIX
  static const struct fake_response cycle[] = {
    REPLY(200, PAGE_WITH_TOKEN("tok-a")), REPLY(200, PAGE_WITH_TOKEN("tok-b")),
    REPLY(200, PAGE_WITH_TOKEN("tok-a"))};
  static const struct fake_response same[] = {
    REPLY(200, PAGE_WITH_TOKEN("tok-c"))};
#undef PAGE_WITH_TOKEN
  struct fake_server *fs = start1("GET", PODS, cycle, N_OF(cycle));
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app=dkron", NULL, label_keys, 1, 0};
  struct k8s_pod_list list;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_list_pods(c, &opts, &list, &err), DK_EPARSE);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 3);
  ck_assert_msg(strstr(err.msg, "repeated") && strstr(err.msg, "continue"),
                "%s", err.msg);
  ck_assert_uint_eq(list.n, 0);
  ck_assert_ptr_null(list.items);
  /* the same token twice in a row */
  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, same, 1), 0);
  ck_assert_int_eq(k8s_list_pods(c, &opts, &list, &err), DK_EPARSE);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 3 + 2);
  ck_assert_msg(strstr(err.msg, "repeated"), "%s", err.msg);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* Broken bodies: malformed JSON, the wrong shape, a truncated transfer. */
START_TEST(broken_bodies_are_errors)
{
  static const struct fake_response malformed[] = {REPLY(
    200, "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"a\"}},")};
  static const struct fake_response wrong_shape[] = {
    REPLY(200, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},"
               "\"items\":\"none\"}")};
  char *body = all_pods_body();
  struct fake_response truncated[1] = {REPLY(200, body)};
  struct fake_server *fs = start1("GET", PODS, malformed, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_pod_list list;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EPARSE);
  ck_assert_ptr_nonnull(strstr(err.msg, "list pods in namespace \"dkron\": "
                                        "response is not a PodList: invalid "
                                        "JSON at byte"));
  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, wrong_shape, 1), 0);
  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EPARSE);
  ck_assert_ptr_nonnull(strstr(err.msg, "\"items\" is missing or not an "
                                        "array"));
  truncated[0].truncate = 1;
  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, truncated, 1), 0);
  ck_assert_int_ne(k8s_list_pods(c, NULL, &list, &err), DK_OK);
  ck_assert_ptr_nonnull(strstr(err.msg, "list pods in namespace \"dkron\""));
  ck_assert_uint_eq(list.n, 0);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(body);
}
END_TEST

/* Splits watch_stream mid-JSON into three chunks, some holding several
 * events. */
static void split_stream(char *parts[3])
{
  char *stream = watch_stream();
  size_t a = strlen(EV_ADDED) / 2;
  size_t b = strlen(EV_ADDED) + strlen(EV_MODIFIED) + 40;

  parts[0] = strndup(stream, a);
  parts[1] = strndup(stream + a, b - a);
  parts[2] = strdup(stream + b);
  ck_assert(parts[0] && parts[1] && parts[2]);
  free(stream);
}

static struct k8s_watch_opts watch_opts(struct recorder *rec)
{
  struct k8s_watch_opts o = {0};

  o.label_selector = "app=dkron";
  o.label_keys = label_keys;
  o.timeout_seconds = 30;
  o.idle_timeout_ms = 5000;
  o.on_event = record_event;
  o.should_stop = stop_after_events;
  o.user = rec;
  return o;
}
START_TEST(watch_pods_streams_events_and_tracks_rv)
{
  char *parts[3];
  struct fake_response script[1] = {REPLY(200, NULL)};
  struct recorder rec = {0};
  struct k8s_watch_opts opts = watch_opts(&rec);
  char *rv = strdup("48213");
  struct fake_server *fs;
  struct k8s_client *c;
  struct fake_request req;
  struct dk_err err = {0};

  split_stream(parts);
  script[0].chunks = (const char *const *)parts;
  script[0].n_chunks = 3;
  script[0].chunk_delay_ms = 20;
  fs = start1("GET", PODS, script, 1);
  c = client_for(fs, "token-1");
  ck_assert_msg(k8s_watch_pods(c, &opts, &rv, &err) == DK_OK, "%s", err.msg);
  assert_stream_events(&rec);
  ck_assert_str_eq(rv, "48360");
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.query, "watch=1&resourceVersion=48213&"
                              "allowWatchBookmarks=true&timeoutSeconds=30&"
                              "labelSelector=app%3ddkron");
  ck_assert_str_eq(req.authorization, "Bearer token-1");
  for (int i = 0; i < 3; i++)
    free(parts[i]);
  free(rv);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* ERROR 410 mid-stream and HTTP 410 on the request both mean "relist";
 * a garbage line is a parse error. */
START_TEST(watch_pods_gone_and_garbage)
{
  static const char *const gone_chunks[] = {
    EV_ADDED, EV_ERROR(410, "Expired",
                       "too old resource version: 48213 "
                       "(48500)")};
  static const char *const garbage_chunks[] = {EV_ADDED,
                                               "Internal Server Error\n"};
  struct fake_response gone[1] = {REPLY(200, NULL)};
  struct fake_response garbage[1] = {REPLY(200, NULL)};
  static const struct fake_response http_gone[] = {
    REPLY(410, status_410_watch)};
  struct recorder rec = {0};
  struct k8s_watch_opts opts = watch_opts(&rec);
  char *rv = strdup("48213");
  struct fake_server *fs;
  struct k8s_client *c;
  struct dk_err err = {0};

  gone[0].chunks = gone_chunks;
  gone[0].n_chunks = 2;
  garbage[0].chunks = garbage_chunks;
  garbage[0].n_chunks = 2;
  fs = start1("GET", PODS, gone, 1);
  c = client_for(fs, "token-1");
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_EGONE);
  ck_assert_ptr_nonnull(strstr(err.msg, "watch pods in namespace \"dkron\""));
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(rv, "48300");

  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, http_gone, 1), 0);
  dk_err_clear(&err);
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_EGONE);
  ck_assert_int_eq(err.http_status, 410);
  ck_assert_ptr_nonnull(strstr(err.msg, "too old resource version"));
  ck_assert_uint_eq(rec.n, 1);

  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, garbage, 1), 0);
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_EPARSE);
  ck_assert_uint_eq(rec.n, 2);
  free(rv);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* should_stop ends a watch the server would hold open for a long time. */
START_TEST(watch_pods_stops_when_asked)
{
  static const char *const chunks[] = {EV_ADDED};
  struct fake_response script[1] = {REPLY(200, NULL)};
  struct recorder rec = {.stop_after = 1};
  struct k8s_watch_opts opts = watch_opts(&rec);
  char *rv = strdup("48213");
  struct fake_server *fs;
  struct k8s_client *c;
  struct dk_err err = {0};

  script[0].chunks = chunks;
  script[0].n_chunks = 1;
  script[0].hold_open_ms = 20000;
  fs = start1("GET", PODS, script, 1);
  c = client_for(fs, "token-1");
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_ECANCELED);
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(rv, "48300");
  free(rv);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

Suite *make_k8s_list_watch_suite(void)
{
  Suite *s = suite_create("k8s_list_watch");
  TCase *api = tcase_create("api");

  tcase_add_unchecked_fixture(api, tmp_dir_setup, tmp_dir_teardown);
  tcase_set_timeout(api, 30);
  tcase_add_test(api, list_pods_parses_every_field);
  tcase_add_test(api, list_pods_follows_continue);
  tcase_add_test(api, list_pods_caps_the_items_of_all_pages);
  tcase_add_test(api, list_pods_restarts_once_when_continue_expires);
  tcase_add_test(api, list_pods_stops_at_a_repeated_continue_token);
  tcase_add_test(api, broken_bodies_are_errors);
  tcase_add_test(api, watch_pods_streams_events_and_tracks_rv);
  tcase_add_test(api, watch_pods_gone_and_garbage);
  tcase_add_test(api, watch_pods_stops_when_asked);
  suite_add_tcase(s, api);
  return s;
}
