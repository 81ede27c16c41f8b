/* test_k8s.c: placeholder until the k8s module's tests land. */
#include "tests.h"

Suite *make_k8s_suite(void)
{
  return suite_create("k8s");
}
