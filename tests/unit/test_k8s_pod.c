/* test_k8s_pod.c: Pod, PodList and Status parsing (k8s_pod.c) on bodies
 * shaped as the API server returns them. */
#include <stdlib.h>
#include <string.h>

#include "k8s_fixtures.h"
#include "tests.h"

/* ---- pure parsing ------------------------------------------------------ */
START_TEST(ordinal_from_name)
{
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-2"), 2);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-0"), 0);
  ck_assert_int_eq(k8s_ordinal_from_name("web-17"), 17);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-2a"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("-3"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("db-12345678901"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name(NULL), -1);
}
END_TEST

/* A bad item leaves the list as it was before the page. */
START_TEST(pod_list_shape_errors)
{
  static const char *const bad[] = {
    "[]",
    STATUS(500, "InternalError", "etcd is down"),
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},"
    "\"items\":{}}",
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},"
    "\"items\":[{\"metadata\":{\"namespace\":\"dkron\"}}]}",
    "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":",
    "{\"kind\":\"PodList\",\"items\":[]} trailing",
    "",
  };
  struct k8s_pod_list list = {0};
  struct dk_err err = {0};
  char *cont = NULL;
  char *page = page2_body();

  ck_assert_int_eq(
    k8s_pod_list_parse_page(page, strlen(page), label_keys, &list, &cont, &err),
    DK_OK);
  ck_assert_uint_eq(list.n, 2);
  for (size_t i = 0; i < N_OF(bad); i++) {
    dk_err_clear(&err);
    ck_assert_int_eq(k8s_pod_list_parse_page(bad[i], strlen(bad[i]), label_keys,
                                             &list, &cont, &err),
                     DK_EPARSE);
    ck_assert_msg(strstr(err.msg, "response is not a PodList") != NULL,
                  "case %zu: %s", i, err.msg);
    ck_assert_ptr_null(cont);
    ck_assert_uint_eq(list.n, 2);
  }
  ck_assert_int_eq(k8s_pod_list_parse_page(empty_list_body,
                                           strlen(empty_list_body), NULL, &list,
                                           &cont, &err),
                   DK_OK);
  ck_assert_uint_eq(list.n, 2);
  /* A NUL inside the body is data after the value, as for dkron's. */
  {
    static const char nul_junk[] = "{\"kind\":\"PodList\",\"items\":[]}\0junk";

    ck_assert_int_eq(k8s_pod_list_parse_page(nul_junk, sizeof(nul_junk) - 1,
                                             NULL, &list, &cont, &err),
                     DK_EPARSE);
    ck_assert_msg(strstr(err.msg, "unexpected data after the JSON value at "
                                  "byte 29 of 34"),
                  "%s", err.msg);
  }
  k8s_pod_list_free(&list);
  free(page);
}
END_TEST

Suite *make_k8s_pod_suite(void)
{
  Suite *s = suite_create("k8s_pod");
  TCase *parse = tcase_create("parse");

  tcase_add_test(parse, ordinal_from_name);
  tcase_add_test(parse, pod_list_shape_errors);
  suite_add_tcase(s, parse);
  return s;
}
