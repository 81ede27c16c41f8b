/* launcher_config.c: see launcher_config.h. */
#include "launcher_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "k8s.h"
#include "podinfo.h"

static struct launcher_config g; /* the table's targets */

#define MS_MAX 86400000L

static const struct cfg_option options[] = {
  {"server-selector", "LAUNCHER_SERVER_SELECTOR", CFG_STRING,
   "app.kubernetes.io/name=dkron,app.kubernetes.io/component=server",
   "Label selector of the dkron server pods (equality- or set-based, e.g. "
   "\"app in (dkron),tier!=worker\").",
   &g.selector, 0, 0, NULL, NULL},
  {"server-namespace", "LAUNCHER_SERVER_NAMESPACE", CFG_STRING, NULL,
   "Namespace of the server pods. Default: this pod's namespace "
   "(POD_NAMESPACE, else the service account's).",
   &g.namespace, 0, 0, NULL, NULL},
  {"require-ready", "LAUNCHER_REQUIRE_READY", CFG_BOOL, "true",
   "Join only servers whose Ready condition is true.", &g.require_ready, 0, 0,
   NULL, NULL},
  {"serf-port", "LAUNCHER_SERF_PORT", CFG_INT, "8946",
   "Serf port of the servers, and of this worker.", &g.serf_port, 1, 65535,
   NULL, NULL},
  {"server-http-port", "LAUNCHER_SERVER_HTTP_PORT", CFG_INT, "8080",
   "HTTP API port of the servers (asked for /v1/members and /v1/busy).",
   &g.http_port, 1, 65535, NULL, NULL},
  {"fallback-service", "LAUNCHER_FALLBACK_SERVICE", CFG_STRING, NULL,
   "Headless Service FQDN of the servers, resolved through DNS when the "
   "Kubernetes API is unreachable at start-up. Default: no fallback.",
   &g.fallback_service, 0, 0, NULL, NULL},
  CFG_POD_NAME_OPTION(
    "This pod's name, used as the dkron node name. Default: the host name.",
    &g.pod_name),
  CFG_POD_IP_OPTION(&g.pod_ip),
  CFG_DKRON_OPTION(&g.dkron),
  {"check-interval", "LAUNCHER_CHECK_INTERVAL", CFG_DURATION, "5s",
   "How often to check that this worker is an alive member.", &g.check_interval,
   200, 600000, NULL, NULL},
  {"rejoin-after", "LAUNCHER_REJOIN_AFTER", CFG_DURATION, "30s",
   "Restart the worker with a fresh --join list when it has not been an "
   "alive member this long while live servers exist; at once when none of "
   "the servers it joined is live any more (all replaced).",
   &g.rejoin_after, 1000, MS_MAX, NULL, NULL},
  {"drain-limit", "LAUNCHER_DRAIN_LIMIT", CFG_DURATION, "10m",
   "Before a re-join, wait at most this long while /v1/busy shows jobs "
   "running on this worker.",
   &g.drain_limit, 0, MS_MAX, NULL, NULL},
  {"relaunch-backoff-max", "LAUNCHER_RELAUNCH_BACKOFF_MAX", CFG_DURATION, "60s",
   "When dkron exits on its own, relaunch after 1 s doubling up to this.",
   &g.relaunch_backoff_max, 1000, MS_MAX, NULL, NULL},
  {"member-query-timeout", "LAUNCHER_MEMBER_QUERY_TIMEOUT", CFG_DURATION, "3s",
   "Timeout of each GET /v1/members or /v1/busy to a server.",
   &g.member_query_timeout, 100, 60000, NULL, NULL},
  {"status-port", "LAUNCHER_STATUS_PORT", CFG_INT, "8081",
   "Port of the status endpoint: /readyz (200 when this worker is an alive "
   "member, else 503 with the reason) and /healthz (200 while the "
   "launcher's loop runs; also during a shutdown, however long dkron's "
   "jobs take) and /metrics (Prometheus; README, \"Metrics\"). 0 turns it "
   "off.",
   &g.status_port, 0, 65535, NULL, NULL},
  CFG_KUBE_OPTIONS(&g.kube_api_url, &g.kube_token_file, &g.kube_ca_file),
  {"dns-server", "LAUNCHER_DNS_SERVER", CFG_STRING, NULL,
   "DNS server \"ip:port\" for the fallback lookup. Default: the system's.",
   &g.dns_server, 0, 0, NULL, NULL},
  CFG_LOG_OPTIONS("LAUNCHER_", &g.log_level, &g.log_format),
};

static const struct cfg_spec spec = {
  "dkron-agent-launcher",
  "Runs a dkron worker (`dkron agent`) as a Deployment pod: finds the live\n"
  "dkron servers through the Kubernetes API (Running, Ready, not being\n"
  "deleted, with an IP), joins them, checks that the worker stays an alive\n"
  "member, and restarts it with a fresh --join list when it is cut off,\n"
  "after its running jobs finish.",
  "arguments passed to `dkron agent` verbatim (flags the launcher sets are "
  "refused).",
  options, sizeof(options) / sizeof(options[0])};

/* Fills the defaults that come from the pod; 0 or -1 with err. */
static int fill_pod_defaults(struct launcher_config *cfg, char *err, size_t len)
{
  static char ns[256];
  const char *env_ns = getenv("POD_NAMESPACE");

  if (pod_fill_name(&cfg->pod_name, err, len) != 0)
    return -1;
  if (!cfg->namespace && env_ns && *env_ns)
    cfg->namespace = env_ns;
  if (!cfg->namespace) {
    if (pod_default_namespace(ns, sizeof(ns)) != 0) {
      snprintf(err, len,
               "the server namespace is unknown: set POD_NAMESPACE (downward "
               "API metadata.namespace) or --server-namespace (%s/namespace "
               "cannot be read)",
               K8S_SA_DIR);
      return -1;
    }
    cfg->namespace = ns;
  }
  if (pod_check_ip(cfg->pod_ip, err, len) != 0)
    return -1;
  if (!*cfg->selector) {
    snprintf(err, len,
             "--server-selector is empty: it would match every "
             "pod in the namespace; set the servers' labels");
    return -1;
  }
  return 0;
}

struct step launcher_config_load(struct launcher_config *cfg, int argc,
                                 char **argv)
{
  struct cfg_rest rest;
  char err[768];
  struct step s;

  memset(&g, 0, sizeof(g));
  s = cfg_handle(&spec, cfg_parse(&spec, argc, argv, &rest, err, sizeof(err)),
                 DKRON_K8S_VERSION, err);
  if (!step_goes_on(s))
    return s;
  g.dkron_args = rest.argv;
  g.n_dkron_args = rest.argc;
  *cfg = g;
  if (fill_pod_defaults(cfg, err, sizeof(err)) != 0)
    return cfg_handle(&spec, CFG_INVALID, DKRON_K8S_VERSION, err);
  return step_go_on();
}
