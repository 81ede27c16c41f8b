/* test_redact.c: credentials scrubbed out of foreign text (redact.h). */
#include <string.h>

#include "redact.h"
#include "tests.h"

/* A service-account token's shape (header.payload.signature). */
#define JWT                                                               \
  "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFj" \
  "Y291bnQ6ZGtyb246ZGtyb24tYWdlbnQifQ.c2lnbmF0dXJlLWJ5dGVz_-x"

struct redact_case {
  const char *in;
  const char *out;
};

static const struct redact_case cases[] = {
  /* nothing to scrub */
  {"pods \"dkron-server-9\" not found", "pods \"dkron-server-9\" not found"},
  {"the authorization header is missing",
   "the authorization header is missing"},
  {"", ""},
  /* Authorization headers and fields, any case, with their scheme */
  {"request had Authorization: Bearer s3cr3t-t0ken in it",
   "request had Authorization: [redacted] in it"},
  {"AUTHORIZATION:Basic dXNlcjpwYXNz", "AUTHORIZATION:[redacted]"},
  {"authorization: s3cr3t, next", "authorization: [redacted], next"},
  {"{\"Authorization\":\"Bearer s3cr3t\"}",
   "{\"Authorization\":\"[redacted]\"}"},
  {"map[Authorization:[Bearer s3cr3t] Accept:[*/*]]",
   "map[Authorization:[[redacted]] Accept:[*/*]]"},
  {"?authorization=s3cr3t&x=1", "?authorization=[redacted]&x=1"},
  /* bearer credentials alone */
  {"bearer s3cr3t", "bearer [redacted]"},
  {"got BeArEr\tabc.def~+/= from", "got BeArEr\t[redacted] from"},
  {"bearer", "bearer"},
  {"bearer: x", "bearer: x"},
  /* JWT-shaped strings anywhere */
  {"token " JWT " was rejected", "token [redacted] was rejected"},
  {"(" JWT ")", "([redacted])"},
  {"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "[redacted]"},
  {"eyJ.only.dots and eyJabc.def", "eyJ.only.dots and eyJabc.def"},
  {"Authorization: Bearer " JWT, "Authorization: [redacted]"},
};

START_TEST(scrubs_credentials)
{
  const struct redact_case *c = &cases[_i];
  char out[512];

  redact_secrets(c->in, out, sizeof(out));
  ck_assert_str_eq(out, c->out);
}
END_TEST

/* The text is scrubbed before it is cut to fit: a secret at the edge is
 * replaced, never shown in part. */
START_TEST(cuts_after_scrubbing)
{
  char out[24];

  redact_secrets("abcdefgh Bearer s3cr3t-t0ken", out, sizeof(out));
  ck_assert_str_eq(out, "abcdefgh Bearer [redact");
  ck_assert_ptr_null(strstr(out, "s3cr3t"));
  redact_secrets("0123456789 " JWT, out, 20);
  ck_assert_str_eq(out, "0123456789 [redacte");
  redact_secrets("anything", out, 1);
  ck_assert_str_eq(out, "");
}
END_TEST

Suite *make_redact_suite(void)
{
  Suite *s = suite_create("redact");
  TCase *tc = tcase_create("core");

  tcase_add_loop_test(tc, scrubs_credentials, 0,
                      (int)(sizeof(cases) / sizeof(cases[0])));
  tcase_add_test(tc, cuts_after_scrubbing);
  suite_add_tcase(s, tc);
  return s;
}
