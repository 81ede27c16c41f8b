/* k8s_fixtures.c: the fixtures of the Kubernetes client's suites (see
 * k8s_fixtures.h). */
#include "k8s_fixtures.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

/* ---- fixtures: API bodies ---------------------------------------------- */

/* Joins its NULL-terminated arguments into one new string. Bodies are
 * assembled at run time because ISO C caps string literals at 4095 bytes. */
char *join(const char *first, ...)
{
  va_list ap;
  size_t len = 0;
  char *out, *at;

  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *))
    len += strlen(s);
  va_end(ap);
  out = malloc(len + 1);
  ck_assert_ptr_nonnull(out);
  at = out;
  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *)) {
    memcpy(at, s, strlen(s));
    at += strlen(s);
  }
  va_end(ap);
  *at = '\0';
  return out;
}

char *all_pods_body(void)
{
  return join(POD_LIST_PREFIX("48213", ""), POD_SERVER_0, ",",
              POD_SERVER_1_PENDING("48201"), ",",
              POD_SERVER_2_TERMINATING("48205"), ",", POD_AGENT, ",",
              POD_BACKUP_SUCCEEDED, ",", POD_MIGRATE_FAILED, POD_LIST_SUFFIX,
              NULL);
}

char *page1_body(void)
{
  return join(POD_LIST_PREFIX("48213", ",\"continue\":\"" CONTINUE_TOKEN
                                       "\",\"remainingItemCount\":2"),
              POD_SERVER_0, ",", POD_SERVER_1_PENDING("48201"), POD_LIST_SUFFIX,
              NULL);
}

char *page2_body(void)
{
  return join(POD_LIST_PREFIX("48213", ""), POD_SERVER_2_TERMINATING("48205"),
              ",", POD_AGENT, POD_LIST_SUFFIX, NULL);
}

const char empty_list_body[] =
  "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{"
  "\"resourceVersion\":\"48213\"},\"items\":[]}";
const char status_401[] = STATUS(401, "Unauthorized", "Unauthorized");
const char status_403_list[] =
  STATUS(403, "Forbidden",
         "pods is forbidden: User \\\"system:serviceaccount:dkron:dkron-agent"
         "\\\" cannot list resource \\\"pods\\\" in API group \\\"\\\" in the "
         "namespace \\\"dkron\\\"");
const char status_403_webhook[] =
  STATUS(403, "Forbidden",
         "admission webhook \\\"labels.example.com\\\" denied the request: "
         "label dkron-leader is reserved");
const char status_404_pod[] =
  STATUS(404, "NotFound", "pods \\\"dkron-server-9\\\" not found");
const char status_404_sts[] =
  STATUS(404, "NotFound", "statefulsets.apps \\\"dkron-server\\\" not found");
const char status_410_continue[] =
  STATUS(410, "Expired",
         "The provided continue parameter is too old to display a consistent "
         "list result. You can start a new list without the continue "
         "parameter.");
const char status_410_watch[] =
  STATUS(410, "Expired", "too old resource version: 48000 (48213)");
/* ADDED, MODIFIED, BOOKMARK, DELETED. */
char *watch_stream(void)
{
  return join(EV_ADDED, EV_MODIFIED, EV_BOOKMARK, EV_DELETED, NULL);
}
const char *const label_keys[] = {"app", "role", NULL};

/* ---- fixtures: a temp dir per test case -------------------------------- */

char tmp_dir[64];

/* Unchecked (runs in the runner process): the dir outlives each forked
 * test, and is removed even when a test fails. */
void tmp_dir_setup(void)
{
  snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/dk-k8s-test-XXXXXX");
  if (!mkdtemp(tmp_dir))
    ck_abort_msg("mkdtemp: %s", strerror(errno));
}

void tmp_dir_teardown(void)
{
  DIR *d = opendir(tmp_dir);
  struct dirent *ent;
  char path[PATH_MAX];

  while (d && (ent = readdir(d))) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof(path), "%s/%s", tmp_dir, ent->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(tmp_dir);
}

void tmp_path(const char *name, char *out, size_t n)
{
  snprintf(out, n, "%s/%s", tmp_dir, name);
}

/* Replaces the file's content (new inode, as kubelet's atomic writer). */
void write_file(const char *name, const char *text)
{
  char path[PATH_MAX], tmp[PATH_MAX], tmp_name[128];
  FILE *f;

  tmp_path(name, path, sizeof(path));
  snprintf(tmp_name, sizeof(tmp_name), "%s.new", name);
  tmp_path(tmp_name, tmp, sizeof(tmp));
  f = fopen(tmp, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fputs(text, f) >= 0, 1);
  ck_assert_int_eq(fclose(f), 0);
  ck_assert_int_eq(rename(tmp, path), 0);
}
/* A client for the fake server, reading its token from tmp_dir/token. */
struct k8s_client *client_for(struct fake_server *fs, const char *token)
{
  char token_path[PATH_MAX];
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct k8s_client *c;
  struct dk_err err = {0};

  write_file("token", token);
  tmp_path("token", token_path, sizeof(token_path));
  ov.api_url = fake_server_url(fs);
  ov.token_file = token_path;
  ov.namespace = NS;
  ov.sa_dir = tmp_dir; /* no ca.crt there: plain http */
  ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s", err.msg);
  cfg.http.max_attempts = 1;
  cfg.http.timeout_ms = 5000;
  c = k8s_client_new(&cfg, &err);
  k8s_config_free(&cfg);
  ck_assert_msg(c != NULL, "%s", err.msg);
  return c;
}

struct fake_server *start1(const char *method, const char *path,
                           const struct fake_response *script, size_t n)
{
  struct fake_route route = {method, path, script, n};
  struct fake_server *fs = fake_server_start(&route, 1, NULL, NULL);

  ck_assert_ptr_nonnull(fs);
  return fs;
}

void request_n(struct fake_server *fs, unsigned n, struct fake_request *out)
{
  ck_assert_int_eq(fake_server_request(fs, n, out), 0);
}
int record_event(const struct k8s_watch_event *ev, void *user)
{
  struct recorder *r = user;
  struct seen_event *s = &r->ev[r->n < 15 ? r->n : 15];

  s->type = ev->type;
  snprintf(s->name, sizeof(s->name), "%s", ev->pod->name);
  snprintf(s->rv, sizeof(s->rv), "%s", ev->resource_version);
  s->phase = ev->pod->phase;
  s->ready = ev->pod->ready;
  s->terminating = ev->pod->terminating;
  s->ordinal = ev->pod->ordinal;
  r->n++;
  return r->stop_after && r->n >= r->stop_after;
}
/* The three pod events of watch_stream, in order. */
void assert_stream_events(const struct recorder *r)
{
  ck_assert_uint_eq(r->n, 3);
  ck_assert_int_eq(r->ev[0].type, K8S_EVENT_ADDED);
  ck_assert_str_eq(r->ev[0].name, "dkron-server-1");
  ck_assert_str_eq(r->ev[0].rv, "48300");
  ck_assert_int_eq(r->ev[0].phase, K8S_PHASE_PENDING);
  ck_assert(!r->ev[0].ready);
  ck_assert_int_eq(r->ev[0].ordinal, 1);
  ck_assert_int_eq(r->ev[1].type, K8S_EVENT_MODIFIED);
  ck_assert_str_eq(r->ev[1].name, "dkron-server-1");
  ck_assert_str_eq(r->ev[1].rv, "48310");
  ck_assert_int_eq(r->ev[1].phase, K8S_PHASE_RUNNING);
  ck_assert(r->ev[1].ready);
  ck_assert_int_eq(r->ev[2].type, K8S_EVENT_DELETED);
  ck_assert_str_eq(r->ev[2].name, "dkron-server-2");
  ck_assert_str_eq(r->ev[2].rv, "48360");
  ck_assert(r->ev[2].terminating);
}
