/* test_proc.c: placeholder until the proc module's tests land. */
#include "tests.h"

Suite *make_proc_suite(void)
{
  return suite_create("proc");
}
