/* wrapper_fixture.c: see wrapper_fixture.h. */
#include "wrapper_fixture.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "dkron_config.h"
#include "tests.h"

#define WF_MAX_ROUTES 16

static void write_file(const char *path, const char *text, mode_t mode)
{
  FILE *fp = fopen(path, "w");

  ck_assert_ptr_nonnull(fp);
  fputs(text, fp);
  ck_assert_int_eq(fclose(fp), 0);
  ck_assert_int_eq(chmod(path, mode), 0);
}

/* The fake server's threads block every signal, as every thread but the
 * main one does in the programs: a process-directed signal (dkron's
 * SIGCHLD) must wait for the wrapper's signalfd, not be taken and dropped
 * by a server thread. */
static struct fake_server *serve(const struct fake_route *routes, size_t n)
{
  sigset_t all, saved;
  struct fake_server *fs;

  sigfillset(&all);
  ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &all, &saved), 0);
  fs = fake_server_start(routes, n, NULL, NULL);
  ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, &saved, NULL), 0);
  ck_assert_ptr_nonnull(fs);
  return fs;
}

void wf_start(struct wrapper_fixture *f, long ordinal,
              const struct fake_route *routes, size_t n, const char *cli)
{
  static const struct fake_response created = {.status = 201, .body = "{}"};
  struct fake_route all[WF_MAX_ROUTES];
  char script[4096];

  memset(f, 0, sizeof(*f));
  ck_assert_uint_lt(n, WF_MAX_ROUTES);
  if (n)
    memcpy(all, routes, n * sizeof(*routes));
  all[n] = (struct fake_route){"POST", WF_EVENTS_PATH, &created, 1};
  f->fs = serve(all, n + 1);

  snprintf(f->dir, sizeof(f->dir), "/tmp/dk-wrapper-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(f->dir));
  snprintf(f->token, sizeof(f->token), "%s/token", f->dir);
  snprintf(f->dkron, sizeof(f->dkron), "%s/dkron", f->dir);
  snprintf(f->runs, sizeof(f->runs), "%s/runs", f->dir);
  snprintf(f->ready, sizeof(f->ready), "%s/ready", f->dir);
  snprintf(f->config, sizeof(f->config), "%s/%s", f->dir, DKRON_CONFIG_NAME);
  write_file(f->token, "wrapper-test-token", 0600);
  snprintf(script, sizeof(script),
           "#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\n%s\n", f->runs, cli);
  write_file(f->dkron, script, 0700);

  snprintf(f->pod, sizeof(f->pod), "%s-%ld", WF_STS, ordinal);
  snprintf(f->ip, sizeof(f->ip), "10.244.0.1%ld", ordinal);
  f->cfg = (struct wrapper_config){.initial_cluster_size = 3,
                                   .statefulset = WF_STS,
                                   .service = WF_STS,
                                   .cluster_domain = "cluster.local",
                                   .pod_name = f->pod,
                                   .pod_namespace = WF_NS,
                                   .pod_ip = f->ip,
                                   .dkron = f->dkron,
                                   .data_dir = f->dir,
                                   .serf_port = 8946,
                                   .rpc_port = 6868,
                                   .http_port = fake_server_port(f->fs),
                                   .status_port = 0,
                                   .leader_query_timeout = 1000,
                                   .api_warn_after = 60000,
                                   .quorum_wait = 0,
                                   .leave_timeout = 2000,
                                   .stop_timeout = 2000,
                                   .remove_timeout = 5000,
                                   .isleader_interval = 100,
                                   .dead_peer_after = 0,
                                   .dead_peer_interval = 60000,
                                   .remove_mode = REMOVE_AUTO,
                                   .reconcile_interval = 2000,
                                   .label_key = "dkron-leader",
                                   .label_leader = "true",
                                   .label_follower = "false",
                                   .kube_api_url = fake_server_url(f->fs),
                                   .kube_token_file = f->token,
                                   .ordinal = ordinal,
                                   .peers = {(char *)"127.0.0.1"},
                                   .n_peers = 1};
  ck_assert(step_goes_on(wrapper_start(&f->w, &f->cfg)));
  ck_assert_ptr_nonnull(f->w.kube);
  /* wrapper_start declares the metrics only with a status port. */
  wrapper_metrics_init(&f->w.metrics);
  ck_assert_ptr_nonnull(f->w.metrics.registry);
}

void wf_stop(struct wrapper_fixture *f)
{
  if (f->w.child.pid > 0)
    child_stop(&f->w.child, SIGKILL, 0);
  wrapper_finish(&f->w);
  fake_server_stop(f->fs);
  unlink(f->token);
  unlink(f->dkron);
  unlink(f->runs);
  unlink(f->ready);
  unlink(f->config); /* dkron's config file, written by wrapper_start */
  ck_assert_int_eq(rmdir(f->dir), 0);
}

void wf_silence_dkron(struct wrapper_fixture *f)
{
  static const struct fake_response none = {.status = 404};
  const struct fake_route route = {"GET", "/", &none, 1};
  struct fake_server *gone = serve(&route, 1);
  struct dk_err err;

  dkron_client_free(f->w.local);
  dk_err_clear(&err);
  f->w.local = dkron_client_new(fake_server_url(gone), NULL, &err);
  fake_server_stop(gone);
  ck_assert_msg(f->w.local != NULL, "%s", err.msg);
}

void wf_launch(struct wrapper_fixture *f, const char *script)
{
  char *argv[] = {"/bin/sh", "-c", (char *)script, "dkron", f->ready, NULL};
  struct dk_err err;

  dk_err_clear(&err);
  ck_assert_msg(child_start(&f->w.child, argv, &err) == DK_OK, "%s", err.msg);
  f->w.launched = clock_ms();
}

void wf_wait_ready(struct wrapper_fixture *f)
{
  long long until = clock_ms() + test_ms(5000);

  while (access(f->ready, F_OK) != 0) {
    ck_assert_msg(clock_ms() < until, "dkron (sh) did not get ready");
    usleep(5000);
  }
}

void wf_cli_runs(const struct wrapper_fixture *f, char *buf, size_t len)
{
  FILE *fp = fopen(f->runs, "r");
  size_t n = 0;

  if (fp) {
    n = fread(buf, 1, len - 1, fp);
    fclose(fp);
  }
  buf[n] = '\0';
}

unsigned wf_hits(struct wrapper_fixture *f, const char *method,
                 const char *path)
{
  return fake_server_hits(f->fs, method, path);
}

bool wf_body(struct wrapper_fixture *f, const char *method, const char *path,
             unsigned nth, char *buf, size_t len)
{
  struct fake_request req;

  for (unsigned i = 0; fake_server_request(f->fs, i, &req) == 0; i++) {
    if (strcmp(req.method, method) != 0 || strcmp(req.path, path) != 0)
      continue;
    if (nth-- == 0) {
      snprintf(buf, len, "%s", req.body);
      return true;
    }
  }
  return false;
}

bool wf_event_posted(struct wrapper_fixture *f, const char *reason)
{
  long long until = clock_ms() + test_ms(5000);
  char want[128], body[8192];

  snprintf(want, sizeof(want), "\"reason\":\"%s\"", reason);
  do {
    for (unsigned i = 0;
         wf_body(f, "POST", WF_EVENTS_PATH, i, body, sizeof(body)); i++)
      if (strstr(body, want))
        return true;
    usleep(10000);
  } while (clock_ms() < until);
  return false;
}

double wf_metric(struct metric *m, const char *label)
{
  return label ? metric_value(m, (const char *[]){label})
               : metric_value(m, NULL);
}
