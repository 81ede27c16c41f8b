/* test_dns.c: placeholder until the dns module's tests land. */
#include "tests.h"

Suite *make_dns_suite(void)
{
  return suite_create("dns");
}
