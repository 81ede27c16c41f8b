/* test_k8s.c: the Kubernetes client's requests (k8s.c) against the fake
 * API server: a 401 that persists, 403s that name the missing RBAC rule or
 * the admission policy that refused, API Status messages scrubbed of
 * credentials. The other parts of the client have their own suites
 * (test_k8s_token.c, test_k8s_list_watch.c, test_k8s_objects.c,
 * test_k8s_config.c, and the parsers' test_k8s_pod.c, test_k8s_watch.c). */
#include <limits.h>
#include <string.h>

#include "k8s_fixtures.h"
#include "tests.h"

/* ---- against the fake API server --------------------------------------- */
START_TEST(auth_401_twice_is_eauth_without_the_token)
{
  static const struct fake_response script[] = {REPLY(401, status_401)};
  struct fake_server *fs = start1("GET", PODS, script, 1);
  struct k8s_client *c = client_for(fs, SA_JWT);
  struct k8s_pod_list list;
  struct dk_err err = {0};
  char token_path[PATH_MAX];

  tmp_path("token", token_path, sizeof(token_path));
  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EAUTH);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 2);
  ck_assert_int_eq(err.http_status, 401);
  ck_assert_ptr_nonnull(strstr(err.msg, "list pods in namespace \"dkron\": "
                                        "401 Unauthorized"));
  ck_assert_ptr_nonnull(strstr(err.msg, token_path));
  ck_assert_ptr_null(strstr(err.msg, "eyJ")); /* no part of the JWT */
  ck_assert_uint_eq(list.n, 0);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* A 403 that is not an RBAC denial (an admission webhook) is reported as
 * the API server's refusal, without a Role rule that would not help. */
START_TEST(forbidden_by_a_webhook_is_not_blamed_on_rbac)
{
  static const struct fake_response script[] = {REPLY(403, status_403_webhook)};
  static const struct fake_route routes[] = {
    {"PATCH", PODS "/dkron-server-0", script, 1}};
  static const struct k8s_label_change leader = {"dkron-leader", "true"};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct k8s_client *c;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  c = client_for(fs, SA_JWT);
  ck_assert_int_eq(k8s_patch_pod_labels(c, "dkron-server-0", &leader, 1, &err),
                   DK_EFORBIDDEN);
  ck_assert_int_eq(err.http_status, 403);
  ck_assert_msg(strstr(err.msg,
                       "403 Forbidden, not by RBAC: the API server "
                       "refused \"patch\" on \"pods\" in namespace "
                       "\"dkron\": admission webhook "
                       "\"labels.example.com\" denied the request") != NULL,
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "Role"));
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* 403 names verb, resource, namespace and service account (from the
 * token's sub claim) and the exact Role rule to add, for each request. */
START_TEST(forbidden_names_the_missing_rbac_rule)
{
  static const struct fake_response script[] = {REPLY(403, status_403_list)};
  static const struct fake_route routes[] = {
    {"GET", PODS, script, 1},
    {"PATCH", PODS "/dkron-server-0", script, 1},
    {"GET", STS_PATH, script, 1}};
  static const struct k8s_label_change leader = {"dkron-leader", "true"};
  struct fake_server *fs = fake_server_start(routes, 3, NULL, NULL);
  struct k8s_client *c;
  struct k8s_pod_list list;
  struct dk_err err = {0};
  long replicas = 0;

  ck_assert_ptr_nonnull(fs);
  c = client_for(fs, SA_JWT);
  ck_assert_str_eq(k8s_client_service_account(c),
                   "system:serviceaccount:dkron:dkron-agent");
  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EFORBIDDEN);
  ck_assert_int_eq(err.http_status, 403);
  ck_assert_msg(
    strstr(err.msg, "RBAC denies \"list\" on \"pods\" in namespace \"dkron\" "
                    "for system:serviceaccount:dkron:dkron-agent; add to its "
                    "Role: {apiGroups: [\"\"], resources: [\"pods\"], verbs: "
                    "[\"list\"]}") != NULL,
    "%s", err.msg);
  ck_assert_ptr_nonnull(strstr(err.msg, "cannot list resource"));

  ck_assert_int_eq(k8s_patch_pod_labels(c, "dkron-server-0", &leader, 1, &err),
                   DK_EFORBIDDEN);
  ck_assert_msg(
    strstr(err.msg, "RBAC denies \"patch\" on \"pods\" in namespace \"dkron\" "
                    "for system:serviceaccount:dkron:dkron-agent; add to its "
                    "Role: {apiGroups: [\"\"], resources: [\"pods\"], verbs: "
                    "[\"patch\"]}") != NULL,
    "%s", err.msg);

  ck_assert_int_eq(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err),
    DK_EFORBIDDEN);
  ck_assert_msg(strstr(err.msg, "RBAC denies \"get\" on \"statefulsets\" in "
                                "namespace \"dkron\" for "
                                "system:serviceaccount:dkron:dkron-agent; add "
                                "to its Role: {apiGroups: [\"apps\"], "
                                "resources: [\"statefulsets\"], verbs: "
                                "[\"get\"]}") != NULL,
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "eyJ"));
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* An API server (or a proxy in front of it) that echoes the request's
 * headers in a Status message: the token never reaches the error message,
 * from a response or from a watch ERROR event. */
START_TEST(status_messages_are_scrubbed_of_credentials)
{
  static const struct fake_response script[] = {REPLY(
    404, STATUS(404, "NotFound",
                "pods not found; request headers: Authorization: Bearer "
                "token-1, X-Id: eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"))};
  static const char error_event[] =
    EV_ERROR(500, "InternalError", "proxy said: authorization=token-2 bad");
  struct fake_server *fs = start1("GET", PODS "/dkron-server-9", script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, NULL);
  struct k8s_pod pod;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-9", NULL, &pod, &err),
                   DK_ENOTFOUND);
  ck_assert_msg(strstr(err.msg, "request headers: Authorization: [redacted], "
                                "X-Id: [redacted]"),
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "token-1"));
  ck_assert_ptr_null(strstr(err.msg, "eyJ"));
  ck_assert_int_eq(
    k8s_watch_parser_feed(p, error_event, strlen(error_event), &err), DK_EHTTP);
  ck_assert_msg(strstr(err.msg, "proxy said: authorization=[redacted] bad"),
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "token-2"));
  k8s_watch_parser_free(p);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

Suite *make_k8s_suite(void)
{
  Suite *s = suite_create("k8s");
  TCase *api = tcase_create("api");

  tcase_add_unchecked_fixture(api, tmp_dir_setup, tmp_dir_teardown);
  tcase_set_timeout(api, 30);
  tcase_add_test(api, auth_401_twice_is_eauth_without_the_token);
  tcase_add_test(api, forbidden_names_the_missing_rbac_rule);
  tcase_add_test(api, forbidden_by_a_webhook_is_not_blamed_on_rbac);
  tcase_add_test(api, status_messages_are_scrubbed_of_credentials);
  suite_add_tcase(s, api);
  return s;
}
