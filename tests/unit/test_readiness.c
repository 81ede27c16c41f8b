/* test_readiness.c: the readiness verdict (readiness.c), table-driven: a
 * working voter at its current address, and each way of not being one
 * named. */
#include <string.h>

#include "dkron.h"
#include "readiness.h"
#include "tests.h"

struct readiness_case {
  const char *what;
  struct readiness_facts f;
  bool ready;
  const char *text_has;
};

#define SELF  "s-1", "10.0.0.7", "10.0.0.7:6868"
#define VOTER "s-0", NULL, true, "10.0.0.7:6868", true
static const struct readiness_case readiness_cases[] = {
  {"all holds",
   {SELF, true, VOTER, NULL, DKRON_ALIVE, "10.0.0.7"},
   true,
   "a voter at 10.0.0.7:6868 (leader s-0)"},
  {"api down",
   {SELF, false, NULL, NULL, false, NULL, false, NULL, 0, NULL},
   false,
   "HTTP API does not answer"},
  {"no leader",
   {SELF, true, NULL, NULL, false, NULL, false, NULL, 0, NULL},
   false,
   "no leader known"},
  {"config unreadable",
   {SELF, true, "s-0", "timed out", false, NULL, false, NULL, 0, NULL},
   false,
   "cannot read the Raft configuration of the leader s-0: timed out"},
  {"not listed (removed after its leave)",
   {SELF, true, "s-0", NULL, false, NULL, false, NULL, 0, NULL},
   false,
   "not in the Raft configuration of the leader s-0"},
  {"listed at the old address",
   {SELF, true, "s-0", NULL, true, "10.0.0.3:6868", true, NULL, DKRON_ALIVE,
    "10.0.0.7"},
   false,
   "at 10.0.0.3:6868, not at its current address 10.0.0.7:6868"},
  {"non-voter",
   {SELF, true, "s-0", NULL, true, "10.0.0.7:6868", false, NULL, DKRON_ALIVE,
    "10.0.0.7"},
   false,
   "a non-voter"},
  {"members unreadable",
   {SELF, true, VOTER, "refused", 0, NULL},
   false,
   "cannot read the Serf members of the leader s-0: refused"},
  {"absent from serf",
   {SELF, true, VOTER, NULL, DKRON_NONE, NULL},
   false,
   "does not list this server as a Serf member"},
  {"failed in serf",
   {SELF, true, VOTER, NULL, DKRON_FAILED, "10.0.0.7"},
   false,
   "Serf member as failed"},
  {"serf at another address",
   {SELF, true, VOTER, NULL, DKRON_ALIVE, "10.0.0.3"},
   false,
   "Serf member at 10.0.0.3, not at 10.0.0.7"},
};
#undef SELF
#undef VOTER

START_TEST(readiness_table)
{
  const struct readiness_case *c = &readiness_cases[_i];
  char text[256];

  ck_assert_msg(readiness_judge(&c->f, text, sizeof(text)) == c->ready,
                "%s: wrong verdict (%s)", c->what, text);
  ck_assert_msg(strstr(text, c->text_has), "%s: '%s' lacks '%s'", c->what, text,
                c->text_has);
}
END_TEST

Suite *make_readiness_suite(void)
{
  Suite *s = suite_create("readiness");
  TCase *tc = tcase_create("readiness");

  tcase_add_loop_test(
    tc, readiness_table, 0,
    (int)(sizeof(readiness_cases) / sizeof(readiness_cases[0])));
  suite_add_tcase(s, tc);
  return s;
}
