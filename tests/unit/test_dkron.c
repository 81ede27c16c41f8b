/* test_dkron.c: placeholder until the dkron module's tests land. */
#include "tests.h"

Suite *make_dkron_suite(void)
{
  return suite_create("dkron");
}
