/* wrapper.c: start-up steps of dkron-server-wrapper (see wrapper.h). */
#include "wrapper.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "bootstrap.h"
#include "clock.h"
#include "config.h"
#include "dkron_config.h"
#include "dns.h"
#include "log.h"
#include "proc.h"
#include "runtime.h"
#include "server_argv.h"

#define STATUS_STALE_MS 30000L
/* The wrapper's API calls are short: a stuck one must not hold up the
 * loop (nor a shutdown, which also has a budget of its own). */
#define KUBE_CONNECT_TIMEOUT_MS 2000L
#define KUBE_TIMEOUT_MS         5000L
#define KUBE_MAX_ATTEMPTS       2
/* The pause between rounds of peer lookups (wrapper_wait_for_peers). */
#define PEER_DNS_RETRY_MIN_MS 100L
#define PEER_DNS_RETRY_MAX_MS 1000L
#define PEER_DNS_RETRY_JITTER 0.2
/* Reading spec.replicas before the wait: one API call, bounded. */
#define PEER_API_BUDGET_MS 5000LL

/* The Kubernetes client is optional: without it the wrapper still runs
 * dkron, only without the label, the replica check and dead-peer cleanup. */
/* Events about our pod, posted by a thread of their own (events.h). */
static void start_events(struct wrapper *w, const struct k8s_config *kc)
{
  struct events_opts o = {.kube = kc,
                          .controller = WRAPPER_EVENT_CONTROLLER,
                          .pod = w->cfg->pod_name,
                          .api_requests = w->metrics.common.api_requests,
                          .events = w->metrics.common.events};
  struct dk_err err;

  dk_err_clear(&err);
  w->events = events_start(&o, &err);
  if (!w->events)
    LOG_WARNF("running without Kubernetes Events: %s", err.msg);
}

static void start_kube(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  const struct k8s_overrides ov = {.api_url = cfg->kube_api_url,
                                   .token_file = cfg->kube_token_file,
                                   .ca_file = cfg->kube_ca_file,
                                   .namespace = cfg->pod_namespace};
  const struct http_client_opts http = {
    .connect_timeout_ms = KUBE_CONNECT_TIMEOUT_MS,
    .timeout_ms = KUBE_TIMEOUT_MS,
    .max_attempts = KUBE_MAX_ATTEMPTS,
    .interrupt = wrapper_api_should_stop, /* SIGTERM, budgets */
    .interrupt_user = w};
  struct k8s_config kc;
  struct dk_err err;

  dk_err_clear(&err);
  w->kube = k8s_client_in_cluster(&ov, &http, w->metrics.common.api_requests,
                                  &kc, &err);
  if (w->kube)
    start_events(w, &kc);
  k8s_config_free(&kc);
  if (!w->kube)
    LOG_ERRORF("Kubernetes API unavailable, running without the leader "
               "label, the scale-down check and dead-peer cleanup: %s",
               err.msg);
}

int wrapper_call_should_stop(void *user)
{
  const struct wrapper *w = user;

  if (w->call_deadline && clock_ms() >= w->call_deadline)
    return 1;
  return !w->stopping && proc_stop_pending(NULL);
}

int wrapper_api_should_stop(void *user)
{
  const struct wrapper *w = user;

  if (w->api_deadline && clock_ms() >= w->api_deadline)
    return 1;
  return wrapper_call_should_stop(user);
}

/* The status endpoint answers from the start. /healthz: 503 until dkron's
 * HTTP API first answers (for the startupProbe, whose window covers a
 * first bootstrap), then 200 while the wrapper's loop runs (its longest
 * turn is a few bounded dkron calls). /readyz: 503 with the reason until
 * this server is a working voter (voter_check.c). */
static int start_status(struct wrapper *w)
{
  struct status_server_opts o = {.port = w->cfg->status_port,
                                 .stale_ms = STATUS_STALE_MS,
                                 .metrics = w->metrics.registry};
  struct dk_err err;

  if (w->cfg->status_port == 0)
    return 0;
  dk_err_clear(&err);
  w->status = status_server_start(&o, &err);
  if (!w->status) {
    LOG_ERRORF("%s (--status-port)", err.msg);
    return -1;
  }
  status_server_set_ready(w->status, false, "waiting for the peers' DNS names");
  status_server_set_started(w->status, false,
                            "waiting for the peers' DNS names");
  return 0;
}

struct step wrapper_start(struct wrapper *w, const struct wrapper_config *cfg)
{
  const struct dkron_client_opts local_opts = {
    .connect_timeout_ms = DKRON_DEFAULT_CONNECT_TIMEOUT_MS,
    .timeout_ms = DKRON_DEFAULT_TIMEOUT_MS,
    .max_attempts = 1, /* no retry: the loop asks again */
    .interrupt = wrapper_call_should_stop,
    .interrupt_user = w};
  char url[512], config_file[4096];
  struct dk_err err;

  memset(w, 0, sizeof(*w));
  w->cfg = cfg;
  w->sigfd = -1;
  label_init(&w->label);
  dead_peers_init(&w->dead);
  if (cfg->status_port != 0)
    wrapper_metrics_init(&w->metrics);
  dk_err_clear(&err);
  w->sigfd = runtime_start();
  if (w->sigfd < 0)
    return step_exit(STEP_START_FAILED);
  snprintf(url, sizeof(url), "http://127.0.0.1:%ld", cfg->http_port);
  w->local = dkron_client_new(url, &local_opts, &err);
  w->rpc_addr = host_port(cfg->pod_ip, cfg->rpc_port);
  if (!w->local || !w->rpc_addr) {
    LOG_ERRORF("cannot create the dkron client: %s", err.msg);
    return step_exit(STEP_START_FAILED);
  }
  dkron_client_count_errors(w->local, w->metrics.common.dkron_api_errors);
  /* dkron's config file now: a data dir that cannot be written is a
   * configuration error, found before the DNS wait, not after it. */
  snprintf(config_file, sizeof(config_file), "%s/%s", cfg->data_dir,
           DKRON_CONFIG_NAME);
  if (dkron_config_write(config_file, cfg->reconcile_interval, &err) != DK_OK) {
    LOG_ERRORF("%s", err.msg);
    return step_exit(STEP_START_FAILED);
  }
  for (size_t i = 0; i < cfg->n_peers; i++) {
    if (asprintf(&w->peer_urls[i], "http://%s:%ld", cfg->peers[i],
                 cfg->http_port) < 0)
      return step_exit(STEP_START_FAILED);
    w->n_peer_urls = i + 1;
  }
  start_kube(w);
  return start_status(w) == 0 ? step_go_on() : step_exit(STEP_START_FAILED);
}

void wrapper_finish(struct wrapper *w)
{
  events_stop(w->events);
  status_server_stop(w->status);
  wrapper_metrics_free(&w->metrics); /* after the server that reads it */
  dkron_client_free(w->local);
  k8s_client_free(w->kube);
  free(w->rpc_addr);
  for (size_t i = 0; i < w->n_peer_urls; i++)
    free(w->peer_urls[i]);
  dead_peers_free(&w->dead);
  runtime_finish();
}

bool wrapper_stop_requested(struct wrapper *w)
{
  int sig;

  status_server_beat(w->status);
  while ((sig = proc_signal_read(w->sigfd)) > 0) {
    if (child_handle_signal(&w->child, sig) == CHILD_STOP) {
      LOG_INFOF("received %s before dkron started: exiting",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
      return true;
    }
  }
  return false;
}

/* dns_wait_all's stop hook. */
static int stop_requested(void *user)
{
  return wrapper_stop_requested(user);
}

/* The ordinals whose names the start waits for: those below spec.replicas
 * when the API answers (after a scale-down the names above it are gone
 * for good, while --initial-cluster-size may still name them), else every
 * initial one. The Role already grants get on the StatefulSet (the
 * shutdown reads spec.replicas too), so this needs no more rights. */
static long ordinals_to_wait_for(struct wrapper *w)
{
  long replicas;

  if (!w->kube)
    return w->cfg->initial_cluster_size;
  w->api_deadline = clock_ms() + PEER_API_BUDGET_MS;
  replicas = wrapper_replicas(w);
  w->api_deadline = 0;
  if (replicas < 0) {
    LOG_INFOF("waiting for the names of all %ld initial servers "
              "(--initial-cluster-size), since spec.replicas is unknown",
              w->cfg->initial_cluster_size);
    return w->cfg->initial_cluster_size;
  }
  return replicas;
}

struct step wrapper_wait_for_peers(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  const struct dns_opts opts = {.query_timeout_ms =
                                  DNS_DEFAULT_QUERY_TIMEOUT_MS,
                                .tries = DNS_DEFAULT_TRIES,
                                .servers = cfg->dns_server};
  /* The names appear as the peer pods are created: ask again soon (100 ms,
   * doubling to 1 s), so that a first bootstrap waits for the slowest pod,
   * not for our back-off. */
  const struct dns_wait_opts wait = {.deadline_ms = cfg->peer_dns_timeout,
                                     .backoff_base_ms = PEER_DNS_RETRY_MIN_MS,
                                     .backoff_max_ms = PEER_DNS_RETRY_MAX_MS,
                                     .jitter = PEER_DNS_RETRY_JITTER,
                                     .progress_every_ms =
                                       DNS_DEFAULT_PROGRESS_MS,
                                     .stop = stop_requested,
                                     .stop_user = w};
  struct dns_query q[WRAPPER_MAX_PEERS + 1];
  size_t peer_of[WRAPPER_MAX_PEERS + 1];
  struct dns_resolver *r = NULL;
  struct dk_err err;
  enum dk_code rc;
  size_t n = 0;

  size_t skipped = 0;
  long below;

  /* The peers' names only, not our own: nothing of the launch needs it
   * (dkron joins the others by their names, Serf announces our address),
   * and a DNS cache may answer it from before this pod for the record's
   * TTL: CoreDNS as kubeadm configures it keeps the last pod's address,
   * or the "not found" of the moment it was gone, for up to 30 s. */
  memset(q, 0, sizeof(q));
  below = ordinals_to_wait_for(w);
  for (size_t i = 0; i < cfg->n_peers; i++) {
    if (wrapper_peer_ordinal(cfg, i) < below) {
      peer_of[n] = i;
      q[n++].name = cfg->peers[i];
    } else
      skipped++;
  }
  if (skipped)
    LOG_INFOF("not waiting for the %zu name%s of ordinals at or above "
              "spec.replicas=%ld (scaled down below "
              "--initial-cluster-size=%ld)",
              skipped, skipped == 1 ? "" : "s", below,
              cfg->initial_cluster_size);
  if (n > 0) { /* a cluster of one has no peer to wait for */
    dk_err_clear(&err);
    if (dns_resolver_new(&opts, &r, &err) != DK_OK) {
      LOG_ERRORF("cannot start the DNS resolver: %s", err.msg);
      return step_exit(STEP_START_FAILED);
    }
    LOG_INFOF("waiting for %zu peer name%s to resolve", n, n == 1 ? "" : "s");
    rc = dns_wait_all(r, q, n, &wait, &err);
    dns_resolver_free(r);
    if (rc == DK_ECANCELED)
      return step_exit(0); /* stopped before launch: a clean exit */
    if (rc != DK_OK) {
      LOG_ERRORF("peer DNS did not resolve within --peer-dns-timeout: %s; "
                 "check the headless Service (publishNotReadyAddresses: "
                 "true) and the pod names",
                 err.msg);
      return step_exit(STEP_START_FAILED);
    }
    LOG_INFOF("all %zu peer names resolve", n);
    for (size_t k = 0; k < n; k++) {
      if (q[k].result.naddrs > 0)
        memcpy(w->peer_ip[peer_of[k]], q[k].result.addrs[0], DNS_ADDR_LEN);
    }
  }
  status_server_set_ready(w->status, false, "starting dkron");
  status_server_set_started(w->status, false,
                            "dkron's HTTP API has not answered yet (it "
                            "answers once dkron has joined a peer)");
  return step_go_on();
}

long wrapper_decide_bootstrap(struct wrapper *w)
{
  const struct wrapper_config *cfg = w->cfg;
  struct dkron_peer_leader answers[WRAPPER_MAX_PEERS];
  struct peer_probe probes[WRAPPER_MAX_PEERS];
  struct bootstrap_decision d;
  const char *reason;
  struct dk_err err;

  dk_err_clear(&err);
  memset(answers, 0, sizeof(answers));
  /* A cluster of one has no peers to ask: the data dir alone decides. */
  if (w->n_peer_urls > 0 &&
      dkron_find_leader((const char *const *)w->peer_urls, w->n_peer_urls,
                        cfg->leader_query_timeout, answers, &err) != DK_OK) {
    LOG_WARNF("could not ask the peers for a leader: %s", err.msg);
    for (size_t i = 0; i < w->n_peer_urls; i++)
      answers[i].state = DKRON_LEADER_ERROR;
  }
  for (size_t i = 0; i < w->n_peer_urls; i++) {
    probes[i].peer = cfg->peers[i];
    probes[i].answer = answers[i].state;
    probes[i].leader = answers[i].leader.name;
  }
  bootstrap_decide(probes, w->n_peer_urls,
                   bootstrap_has_raft_state(cfg->data_dir),
                   cfg->initial_cluster_size, cfg->ordinal, &d);
  dkron_peer_leaders_clear(answers, w->n_peer_urls);
  reason = d.reason ? d.reason : "(out of memory describing why)";
  LOG_KV(LOG_INFO,
         FIELDS(LOG_STR("decision", d.expect ? "expect" : "join"),
                LOG_STR("reason", d.why)),
         "bootstrap: %s", reason);
  metric_set(w->metrics.bootstrap,
             (const char *[]){d.expect ? "expect" : "join", d.why}, 1);
  events_emit(w->events, false, d.expect ? "BootstrapExpect" : "JoinCluster",
              "Bootstrap", "%s", reason);
  bootstrap_decision_free(&d);
  return d.expect;
}

struct step wrapper_launch(struct wrapper *w, long bootstrap_expect)
{
  const struct wrapper_config *cfg = w->cfg;
  char config_file[4096];
  const struct server_argv_params p = {.dkron = cfg->dkron,
                                       .node_name = cfg->pod_name,
                                       .self_fqdn = cfg->self_fqdn,
                                       .pod_ip = cfg->pod_ip,
                                       .serf_port = cfg->serf_port,
                                       .rpc_port = cfg->rpc_port,
                                       .http_port = cfg->http_port,
                                       .data_dir = cfg->data_dir,
                                       .config_file = config_file,
                                       .peers = (const char *const *)cfg->peers,
                                       .n_peers = cfg->n_peers,
                                       .retry_interval = cfg->retry_interval,
                                       .bootstrap_expect = bootstrap_expect,
                                       .extra = cfg->dkron_args,
                                       .n_extra = cfg->n_dkron_args};
  struct dk_err err;
  char **argv;
  enum dk_code rc;

  dk_err_clear(&err);
  /* written by wrapper_start */
  snprintf(config_file, sizeof(config_file), "%s/%s", cfg->data_dir,
           DKRON_CONFIG_NAME);
  dkron_config_warn_hidden();
  argv = server_argv_build(&p, &err);
  if (!argv) {
    LOG_ERRORF("%s", err.msg);
    return step_exit(CFG_EXIT_INVALID); /* dkron arguments refused */
  }
  rc = child_start(&w->child, argv, &err);
  argv_free(argv);
  w->launched = clock_ms();
  w->first_election_pending = rc == DK_OK && bootstrap_expect > 0;
  w->bootstrap_expect = bootstrap_expect;
  metric_set(w->metrics.common.dkron_up, NULL, rc == DK_OK);
  w->next_first_election = w->launched;
  if (rc != DK_OK)
    return step_exit(child_wait(&w->child)); /* a failed exec: 127/126 */
  return step_go_on();
}
