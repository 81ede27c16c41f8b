/* test_http.c: placeholder until the http module's tests land. */
#include "tests.h"

Suite *make_http_suite(void)
{
  return suite_create("http");
}
