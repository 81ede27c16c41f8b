/* test_k8s_objects.c: requests about single objects (k8s_objects.c)
 * against the fake API server: a pod that is gone, a name that would escape
 * the path, label merge-patches, StatefulSet replicas. */
#include <string.h>

#include "json.h"

#include "k8s_fixtures.h"
#include "tests.h"

/* ---- against the fake API server --------------------------------------- */
START_TEST(get_missing_pod_is_enotfound)
{
  static const struct fake_response script[] = {REPLY(404, status_404_pod)};
  struct fake_server *fs = start1("GET", PODS "/dkron-server-9", script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_pod pod;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-9", NULL, &pod, &err),
                   DK_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(err.msg, "get pod \"dkron-server-9\" in "
                                        "namespace \"dkron\""));
  ck_assert_ptr_nonnull(strstr(err.msg, "pods \"dkron-server-9\" not found"));
  ck_assert_ptr_null(pod.name);
  /* A name that would escape the path is refused before any request. */
  ck_assert_int_eq(k8s_get_pod(c, "../secrets/x", NULL, &pod, &err), DK_EINVAL);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 1);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(patch_labels_sends_a_merge_patch)
{
  static const struct fake_response script[] = {REPLY(200, POD_SERVER_0)};
  static const struct k8s_label_change changes[] = {{"dkron-leader", "true"},
                                                    {"dkron-bootstrap", NULL}};
  struct fake_server *fs = start1("PATCH", PODS "/dkron-server-0", script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct fake_request req;
  struct dk_err err = {0};
  cJSON *body, *labels, *value;

  ck_assert_msg(k8s_patch_pod_labels(c, "dkron-server-0", changes, 2, &err) ==
                  DK_OK,
                "%s", err.msg);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.method, "PATCH");
  ck_assert_str_eq(req.path, PODS "/dkron-server-0");
  ck_assert_str_eq(req.content_type, "application/merge-patch+json");
  ck_assert_str_eq(req.authorization, "Bearer token-1");
  body = cJSON_Parse(req.body);
  ck_assert_ptr_nonnull(body);
  ck_assert_int_eq(cJSON_GetArraySize(body), 1);
  labels = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(body, "metadata"), "labels");
  ck_assert_int_eq(cJSON_GetArraySize(labels), 2);
  value = cJSON_GetObjectItemCaseSensitive(labels, "dkron-leader");
  ck_assert(cJSON_IsString(value));
  ck_assert_str_eq(value->valuestring, "true");
  value = cJSON_GetObjectItemCaseSensitive(labels, "dkron-bootstrap");
  ck_assert(cJSON_IsNull(value));
  cJSON_Delete(body);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(statefulset_replicas)
{
  static const struct fake_response three[] = {REPLY(200, STS_THREE_REPLICAS)};
  static const struct fake_response unset[] = {REPLY(200, STS_NO_REPLICAS)};
  static const struct fake_response missing[] = {REPLY(404, status_404_sts)};
  struct fake_server *fs = start1("GET", STS_PATH, three, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct dk_err err = {0};
  long replicas = 0;

  ck_assert_msg(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err) == DK_OK,
    "%s", err.msg);
  ck_assert_int_eq(replicas, 3);
  ck_assert_int_eq(fake_server_set_script(fs, "GET", STS_PATH, unset, 1), 0);
  replicas = 0;
  ck_assert_int_eq(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err), DK_OK);
  ck_assert_int_eq(replicas, 1);
  ck_assert_int_eq(fake_server_set_script(fs, "GET", STS_PATH, missing, 1), 0);
  ck_assert_int_eq(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err),
    DK_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(err.msg, "get statefulset \"dkron-server\""));
  ck_assert_uint_eq(fake_server_hits(fs, "GET", STS_PATH), 3);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

Suite *make_k8s_objects_suite(void)
{
  Suite *s = suite_create("k8s_objects");
  TCase *api = tcase_create("api");

  tcase_add_unchecked_fixture(api, tmp_dir_setup, tmp_dir_teardown);
  tcase_set_timeout(api, 30);
  tcase_add_test(api, get_missing_pod_is_enotfound);
  tcase_add_test(api, patch_labels_sends_a_merge_patch);
  tcase_add_test(api, statefulset_replicas);
  suite_add_tcase(s, api);
  return s;
}
