/* test_config.c: placeholder until the config module's tests land. */
#include "tests.h"

Suite *make_config_suite(void)
{
  return suite_create("config");
}
