/* test_k8s_config.c: the in-cluster configuration (k8s_config.c): from the
 * environment and the service-account files, its errors, out-of-cluster
 * overrides, http:// only to this machine, and the client set-up the
 * programs share. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_fixtures.h"
#include "tests.h"

/* ---- in-cluster configuration ------------------------------------------ */
static void clear_service_env(void)
{
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
}

static void write_service_account_dir(void)
{
  write_file("token", SA_JWT "\n");
  write_file("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n"
                       "-----END CERTIFICATE-----\n");
  write_file("namespace", "dkron\n");
}
START_TEST(in_cluster_config_from_env_and_files)
{
  struct k8s_overrides ov = {.sa_dir = tmp_dir};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  write_service_account_dir();
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s", err.msg);
  ck_assert_str_eq(cfg.api_url, "https://10.96.0.1:443");
  tmp_path("token", path, sizeof(path));
  ck_assert_str_eq(cfg.token_file, path);
  tmp_path("ca.crt", path, sizeof(path));
  ck_assert_str_eq(cfg.ca_file, path);
  ck_assert_str_eq(cfg.namespace, "dkron");
  ck_assert_ptr_null(cfg.service_account);
  k8s_config_free(&cfg);

  setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_OK);
  ck_assert_str_eq(cfg.api_url, "https://[fd00:10:96::1]:6443");
  k8s_config_free(&cfg);
  clear_service_env();
}
END_TEST

START_TEST(in_cluster_config_errors)
{
  struct k8s_overrides ov = {.sa_dir = tmp_dir};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  write_service_account_dir();
  clear_service_env();
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "KUBERNETES_SERVICE_HOST is not set: "
                                        "not running in a pod? set "
                                        "--kube-api-url"));
  k8s_config_free(&cfg);

  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "https", 1);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "KUBERNETES_SERVICE_PORT"));
  k8s_config_free(&cfg);
  /* strtol would take these, and the URL would be "https://host: 443" */
  for (size_t i = 0; i < 3; i++) {
    static const char *const sloppy[] = {" 443", "+443", "443 "};

    setenv("KUBERNETES_SERVICE_PORT", sloppy[i], 1);
    ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_EINVAL,
                  "\"%s\" was taken", sloppy[i]);
    ck_assert_ptr_nonnull(strstr(err.msg, "is not a port number"));
    k8s_config_free(&cfg);
  }

  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  tmp_path("namespace", path, sizeof(path));
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "POD_NAMESPACE"));
  k8s_config_free(&cfg);

  tmp_path("token", path, sizeof(path));
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, path));
  ck_assert_ptr_nonnull(strstr(err.msg, "--kube-token-file"));
  k8s_config_free(&cfg);
  clear_service_env();
}
END_TEST

/* Out of cluster: no env needed, trailing slash dropped, no CA file
 * (the system store applies). */
START_TEST(out_of_cluster_overrides)
{
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  clear_service_env();
  write_file("kubeconfig-token", "abc\n");
  tmp_path("kubeconfig-token", path, sizeof(path));
  ov.api_url = "http://127.0.0.1:8001/";
  ov.token_file = path;
  ov.namespace = "dkron";
  ov.sa_dir = tmp_dir;
  ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s", err.msg);
  ck_assert_str_eq(cfg.api_url, "http://127.0.0.1:8001");
  ck_assert_str_eq(cfg.token_file, path);
  ck_assert_ptr_null(cfg.ca_file);
  ck_assert_str_eq(cfg.namespace, "dkron");
  k8s_config_free(&cfg);

  ov.namespace = "Not_A_Namespace";
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "not a valid namespace name"));
  k8s_config_free(&cfg);
  ov.namespace = "dkron";
  ov.api_url = "127.0.0.1:8001";
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  k8s_config_free(&cfg);
}
END_TEST

/* http:// would send the bearer token in clear text: it is refused unless
 * the host is this machine (a `kubectl proxy`), and the message names the
 * flag, its env and the fix. https:// goes anywhere. */
START_TEST(plain_http_api_url_only_to_loopback)
{
  static const char *const allowed[] = {
    "http://127.0.0.1:8001",
    "http://127.10.20.30:8001/",
    "http://[::1]:8001",
    "http://localhost:8001",
    "http://LocalHost/",
    "http://localhost",
    "https://10.96.0.1:443",
    "https://kubernetes.default.svc",
    "http://[::ffff:127.0.0.1]:8001",
  };
  static const char *const refused[] = {
    "http://10.96.0.1:443",
    "http://kubernetes.default.svc:80",
    "http://127.0.0.1.example.com:8001",
    "http://localhost.example.com/",
    "http://127.0.0.1@10.0.0.1:8001/",
    "http://[::2]:8001",
    "http://[fe80::1]:8001",
    "http://2130706433/",
    "http://:8001",
    "HTTP://10.0.0.1/",
  };
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  clear_service_env();
  write_file("kubeconfig-token", "abc\n");
  tmp_path("kubeconfig-token", path, sizeof(path));
  ov.token_file = path;
  ov.namespace = "dkron";
  ov.sa_dir = tmp_dir;
  for (size_t i = 0; i < N_OF(allowed); i++) {
    ov.api_url = allowed[i];
    ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s: %s",
                  allowed[i], err.msg);
    k8s_config_free(&cfg);
  }
  for (size_t i = 0; i < N_OF(refused); i++) {
    dk_err_clear(&err);
    ov.api_url = refused[i];
    ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_EINVAL,
                  "%s accepted", refused[i]);
    ck_assert_msg(strstr(err.msg, "--kube-api-url") &&
                    strstr(err.msg, "KUBE_API_URL") &&
                    strstr(err.msg, "https://"),
                  "%s: %s", refused[i], err.msg);
    ck_assert_ptr_null(cfg.api_url);
    k8s_config_free(&cfg);
  }
}
END_TEST

/* The set-up the programs share: the configuration, the caller's HTTP
 * options, a client; the configuration left to the caller when asked. */
START_TEST(client_in_cluster_sets_up_a_client)
{
  struct k8s_overrides ov = {.api_url = "http://127.0.0.1:9",
                             .namespace = "dkron"};
  const struct http_client_opts http = {.timeout_ms = 1234, .max_attempts = 2};
  struct k8s_client *c;
  struct k8s_config kc;
  struct dk_err err = {0};
  char path[PATH_MAX];

  tmp_path("token", path, sizeof(path));
  write_file("token", SA_JWT "\n");
  ov.token_file = path;
  c = k8s_client_in_cluster(&ov, &http, NULL, &kc, &err);
  ck_assert_msg(c, "%s", err.msg);
  ck_assert_str_eq(k8s_client_namespace(c), "dkron");
  ck_assert_str_eq(kc.api_url, "http://127.0.0.1:9");
  ck_assert_int_eq(kc.http.timeout_ms, 1234);
  ck_assert_int_eq(kc.http.max_attempts, 2);
  k8s_client_free(c);
  k8s_config_free(&kc);

  c = k8s_client_in_cluster(&ov, NULL, NULL, NULL, &err);
  ck_assert_msg(c, "%s", err.msg);
  k8s_client_free(c);

  ov.namespace = "Not_A_Label";
  ck_assert_ptr_null(k8s_client_in_cluster(&ov, &http, NULL, &kc, &err));
  ck_assert_int_eq(err.code, DK_EINVAL);
  k8s_config_free(&kc);
  ck_assert_ptr_null(k8s_client_in_cluster(&ov, NULL, NULL, NULL, &err));
}
END_TEST

Suite *make_k8s_config_suite(void)
{
  Suite *s = suite_create("k8s_config");
  TCase *config = tcase_create("config");

  tcase_add_unchecked_fixture(config, tmp_dir_setup, tmp_dir_teardown);
  tcase_add_test(config, in_cluster_config_from_env_and_files);
  tcase_add_test(config, in_cluster_config_errors);
  tcase_add_test(config, out_of_cluster_overrides);
  tcase_add_test(config, plain_http_api_url_only_to_loopback);
  tcase_add_test(config, client_in_cluster_sets_up_a_client);
  suite_add_tcase(s, config);
  return s;
}
