/* test_dkron_config.c: dkron's config file (dkron_config.c): the reconcile
 * interval written, rewritten at the next start, and an unwritable place
 * named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkron_config.h"
#include "tests.h"

START_TEST(dkron_config_file_sets_the_reconcile_interval)
{
  char dir[] = "/tmp/dkron-config-XXXXXX", path[256], text[512];
  struct dk_err err;
  FILE *f;
  size_t n;

  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/data/" DKRON_CONFIG_NAME, dir);
  dk_err_clear(&err);
  ck_assert_int_eq(dkron_config_write(path, 2000, &err), DK_OK);
  f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = '\0';
  ck_assert_msg(strstr(text, "\"reconcileinterval\": \"2000ms\""), "%s", text);
  /* rewritten, not appended, at the next start */
  ck_assert_int_eq(dkron_config_write(path, 5000, &err), DK_OK);
  f = fopen(path, "r");
  n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = '\0';
  ck_assert_msg(strstr(text, "5000ms") && !strstr(text, "2000ms"), "%s", text);
  unlink(path);
  snprintf(path, sizeof(path), "%s/data", dir);
  rmdir(path);
  rmdir(dir);
  /* an unwritable place is named */
  ck_assert_int_eq(
    dkron_config_write("/proc/no-such-dir/dkron-k8s.json", 2000, &err), DK_EIO);
  ck_assert_msg(strstr(err.msg, "/proc/no-such-dir/dkron-k8s.json"), "%s",
                err.msg);
}
END_TEST

Suite *make_dkron_config_suite(void)
{
  Suite *s = suite_create("dkron_config");
  TCase *tc = tcase_create("dkron_config");

  tcase_add_test(tc, dkron_config_file_sets_the_reconcile_interval);
  suite_add_tcase(s, tc);
  return s;
}
