/* test_k8s_token.c: the service-account token (k8s_token.c): a rotated
 * token is used without waiting for a 401, a 401 re-reads a token rotated
 * unnoticed, and an unusable token file stops the client without echoing
 * its content. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k8s_fixtures.h"
#include "tests.h"

/* Overwrites the file in place with same-length text and puts its mtime
 * back: stat sees no change, so only a 401 can make the client re-read. */
static void overwrite_unnoticed(const char *name, const char *text)
{
  char path[PATH_MAX];
  struct stat before, after;
  struct timespec times[2];
  int fd;

  tmp_path(name, path, sizeof(path));
  ck_assert_int_eq(stat(path, &before), 0);
  ck_assert_uint_eq((size_t)before.st_size, strlen(text));
  fd = open(path, O_WRONLY);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  times[0] = before.st_atim;
  times[1] = before.st_mtim;
  ck_assert_int_eq(futimens(fd, times), 0);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(stat(path, &after), 0);
  ck_assert_uint_eq(after.st_ino, before.st_ino);
  ck_assert_int_eq(after.st_size, before.st_size);
  ck_assert_int_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  ck_assert_int_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

/* ---- against the fake API server --------------------------------------- */
/* kubelet rotates the projected token: the next request sends the new one
 * without waiting for a 401. */
START_TEST(rotated_token_is_used_without_a_401)
{
  static const struct fake_response script[] = {
    REPLY(200, POD_SERVER_1_RUNNING("48310"))};
  struct fake_server *fs = start1("GET", PODS "/dkron-server-1", script, 1);
  struct k8s_client *c = client_for(fs, "first-token");
  struct fake_request req;
  struct k8s_pod pod;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-1", NULL, &pod, &err), DK_OK);
  k8s_pod_free(&pod);
  write_file("token", "second-token-after-rotation\n");
  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-1", NULL, &pod, &err), DK_OK);
  k8s_pod_free(&pod);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 2);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.authorization, "Bearer first-token");
  request_n(fs, 1, &req);
  ck_assert_str_eq(req.authorization, "Bearer second-token-after-rotation");
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* 401, the token was rotated on disk unnoticed by stat: the client re-reads
 * it and the retry carries the new token. */
START_TEST(auth_401_rereads_token_and_retries)
{
  static const struct fake_response script[] = {
    REPLY(401, status_401), REPLY(200, POD_SERVER_1_RUNNING("48310"))};
  struct fake_server *fs = start1("GET", PODS "/dkron-server-1", script, 2);
  struct k8s_client *c = client_for(fs, "old-token-AAAA");
  struct fake_request req;
  struct k8s_pod pod;
  struct dk_err err = {0};

  overwrite_unnoticed("token", "new-token-BBBB");
  ck_assert_msg(k8s_get_pod(c, "dkron-server-1", label_keys, &pod, &err) ==
                  DK_OK,
                "%s", err.msg);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 2);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.authorization, "Bearer old-token-AAAA");
  request_n(fs, 1, &req);
  ck_assert_str_eq(req.authorization, "Bearer new-token-BBBB");
  ck_assert_str_eq(pod.name, "dkron-server-1");
  ck_assert_int_eq(pod.phase, K8S_PHASE_RUNNING);
  ck_assert(pod.ready);
  ck_assert_int_eq(pod.ordinal, 1);
  k8s_pod_free(&pod);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* ---- the token file ---------------------------------------------------- */

/* A token file that is empty or holds more than one token-like word stops
 * the client at creation, naming the file but never its content. */
START_TEST(unusable_token_file_is_refused)
{
  static const char *const bad[] = {"\n", "abc-secret def-secret\n",
                                    "line-one-secret\nline-two\n"};
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  tmp_path("token", path, sizeof(path));
  ov.api_url = "http://127.0.0.1:9";
  ov.token_file = path;
  ov.namespace = "dkron";
  for (size_t i = 0; i < N_OF(bad); i++) {
    write_file("token", bad[i]);
    ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_OK);
    ck_assert_ptr_null(k8s_client_new(&cfg, &err));
    ck_assert_int_eq(err.code, DK_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_ptr_null(strstr(err.msg, "secret"));
    k8s_config_free(&cfg);
  }
}
END_TEST

Suite *make_k8s_token_suite(void)
{
  Suite *s = suite_create("k8s_token");
  TCase *api = tcase_create("api");
  TCase *file = tcase_create("file");

  tcase_add_unchecked_fixture(api, tmp_dir_setup, tmp_dir_teardown);
  tcase_set_timeout(api, 30);
  tcase_add_test(api, rotated_token_is_used_without_a_401);
  tcase_add_test(api, auth_401_rereads_token_and_retries);
  suite_add_tcase(s, api);

  tcase_add_unchecked_fixture(file, tmp_dir_setup, tmp_dir_teardown);
  tcase_add_test(file, unusable_token_file_is_refused);
  suite_add_tcase(s, file);
  return s;
}
