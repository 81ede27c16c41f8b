/* launcher_config.c: see launcher_config.h. */
#include "launcher_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_argv.h"
#include "config.h"
#include "k8s.h"
#include "podinfo.h"

static struct launcher_config g; /* the table's targets */

#define MS_MAX 86400000L

static const struct cfg_option options[] = {
  {.name = "server-selector",
   .env = "LAUNCHER_SERVER_SELECTOR",
   .type = CFG_STRING,
   .def = "app.kubernetes.io/name=dkron,app.kubernetes.io/component=server",
   .help =
     "Label selector of the dkron server pods (equality- or set-based, e.g. "
     "\"app in (dkron),tier!=worker\").",
   .target = &g.selector},
  {.name = "server-namespace",
   .env = "LAUNCHER_SERVER_NAMESPACE",
   .type = CFG_STRING,
   .help = "Namespace of the server pods. Default: this pod's namespace "
           "(POD_NAMESPACE, else the service account's).",
   .target = &g.namespace},
  {.name = "require-ready",
   .env = "LAUNCHER_REQUIRE_READY",
   .type = CFG_BOOL,
   .def = "true",
   .help = "Join only servers whose Ready condition is true.",
   .target = &g.require_ready},
  {.name = "serf-port",
   .env = "LAUNCHER_SERF_PORT",
   .type = CFG_INT,
   .def = "8946",
   .help = "Serf port of the servers, and of this worker.",
   .target = &g.serf_port,
   .min = 1,
   .max = CFG_PORT_MAX},
  {.name = "server-http-port",
   .env = "LAUNCHER_SERVER_HTTP_PORT",
   .type = CFG_INT,
   .def = "8080",
   .help = "HTTP API port of the servers (asked for /v1/members and /v1/busy).",
   .target = &g.http_port,
   .min = 1,
   .max = CFG_PORT_MAX},
  {.name = "fallback-service",
   .env = "LAUNCHER_FALLBACK_SERVICE",
   .type = CFG_STRING,
   .help =
     "Headless Service FQDN of the servers, resolved through DNS when the "
     "Kubernetes API is unreachable at start-up. Default: no fallback.",
   .target = &g.fallback_service},
  CFG_POD_NAME_OPTION(
    "This pod's name, used as the dkron node name. Default: the host name.",
    &g.pod_name),
  CFG_POD_IP_OPTION(&g.pod_ip),
  CFG_DKRON_OPTION(&g.dkron),
  {.name = "check-interval",
   .env = "LAUNCHER_CHECK_INTERVAL",
   .type = CFG_DURATION,
   .def = "5s",
   .help = "How often to check that this worker is an alive member.",
   .target = &g.check_interval,
   .min = 200,
   .max = 600000},
  {.name = "check-interval-max",
   .env = "LAUNCHER_CHECK_INTERVAL_MAX",
   .type = CFG_DURATION,
   .def = "60s",
   .help = "While this worker stays an alive member and the live servers do "
           "not change, the check slows down, doubling (with jitter) up to "
           "this; it is back to --check-interval at once when they change or "
           "a check does not say alive. Below --check-interval: no slowing "
           "down.",
   .target = &g.check_interval_max,
   .min = 200,
   .max = 3600000},
  {.name = "server-status-port",
   .env = "LAUNCHER_SERVER_STATUS_PORT",
   .type = CFG_INT,
   .def = "8081",
   .help = "The servers' status port: its GET /members/<name> answers the "
           "membership check in a few bytes, however many workers there are. "
           "A server without it (an older wrapper) is asked GET /v1/members. "
           "0: always /v1/members.",
   .target = &g.server_status_port,
   .min = 0,
   .max = CFG_PORT_MAX},
  {.name = "rejoin-after",
   .env = "LAUNCHER_REJOIN_AFTER",
   .type = CFG_DURATION,
   .def = "30s",
   .help =
     "Restart the worker with a fresh --join list when it has not been an "
     "alive member this long while live servers exist; at once when none of "
     "the servers it joined is live any more (all replaced).",
   .target = &g.rejoin_after,
   .min = 1000,
   .max = MS_MAX},
  {.name = "drain-limit",
   .env = "LAUNCHER_DRAIN_LIMIT",
   .type = CFG_DURATION,
   .def = "10m",
   .help = "Before a re-join, wait at most this long while /v1/busy shows jobs "
           "running on this worker.",
   .target = &g.drain_limit,
   .max = MS_MAX},
  {.name = "join-spread",
   .env = "LAUNCHER_JOIN_SPREAD",
   .type = CFG_DURATION,
   .def = "1s",
   .help = "Start dkron (and restart it after a re-join) at a random moment "
           "within this long, so that a fleet starting or re-joining at once "
           "reaches the servers spread out; each start also lists the servers "
           "from a random one on. Raise it with the fleet (10s for a "
           "thousand workers). 0: at once.",
   .target = &g.join_spread,
   .max = 600000},
  {.name = "relaunch-backoff-max",
   .env = "LAUNCHER_RELAUNCH_BACKOFF_MAX",
   .type = CFG_DURATION,
   .def = "60s",
   .help =
     "When dkron exits on its own, relaunch after 1 s doubling up to this.",
   .target = &g.relaunch_backoff_max,
   .min = 1000,
   .max = MS_MAX},
  {.name = "member-query-timeout",
   .env = "LAUNCHER_MEMBER_QUERY_TIMEOUT",
   .type = CFG_DURATION,
   .def = "3s",
   .help = "Timeout of each GET /v1/members or /v1/busy to a server.",
   .target = &g.member_query_timeout,
   .min = 100,
   .max = 60000},
  {.name = "status-port",
   .env = "LAUNCHER_STATUS_PORT",
   .type = CFG_INT,
   .def = "8081",
   .help =
     "Port of the status endpoint: /readyz (200 when this worker is an alive "
     "member, else 503 with the reason) and /healthz (200 while the "
     "launcher's loop runs; also during a shutdown, however long dkron's "
     "jobs take) and /metrics (Prometheus; README, \"Metrics\"). 0 turns it "
     "off.",
   .target = &g.status_port,
   .max = CFG_PORT_MAX},
  CFG_KUBE_OPTIONS(&g.kube_api_url, &g.kube_token_file, &g.kube_ca_file),
  {.name = "dns-server",
   .env = "LAUNCHER_DNS_SERVER",
   .type = CFG_STRING,
   .help =
     "DNS server \"ip:port\" for the fallback lookup. Default: the system's.",
   .target = &g.dns_server},
  CFG_LOG_OPTIONS("LAUNCHER_", &g.log_level, &g.log_format),
};

static const struct cfg_spec spec = {
  .prog = "dkron-agent-launcher",
  .summary =
    "Runs a dkron worker (`dkron agent`) as a Deployment pod: finds the live\n"
    "dkron servers through the Kubernetes API (Running, Ready, not being\n"
    "deleted, with an IP), joins them, checks that the worker stays an alive\n"
    "member, and restarts it with a fresh --join list when it is cut off,\n"
    "after its running jobs finish.",
  .passthrough =
    "arguments passed to `dkron agent` verbatim (flags the launcher sets are "
    "refused).",
  .opts = options,
  .n_opts = sizeof(options) / sizeof(options[0])};

/* Fills the defaults that come from the pod; 0 or -1 with err. */
static int fill_pod_defaults(struct launcher_config *cfg, char *err, size_t len)
{
  static char ns[256];
  const char *env_ns = getenv("POD_NAMESPACE");

  if (pod_fill_name(&cfg->pod_name, err, len) != 0)
    return -1;
  /* empty is unset, as for every variable (config.h) */
  cfg->pod_namespace = env_ns && *env_ns ? env_ns : NULL;
  if (!cfg->namespace)
    cfg->namespace = cfg->pod_namespace;
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

/* The arguments after --: a flag the launcher sets itself would be
 * refused at every launch, and the launch retried forever. */
static int check_dkron_args(const struct launcher_config *cfg, char *err,
                            size_t len)
{
  struct dk_err e;

  dk_err_clear(&e);
  if (agent_argv_check_extra(cfg->dkron_args, cfg->n_dkron_args, &e) == DK_OK)
    return 0;
  snprintf(err, len, "%s", e.msg);
  return -1;
}

/* The Kubernetes API settings, checked as the server watch will use
 * them (URL, token and CA files, namespace): a launcher that cannot use
 * the API would retry at every backoff and never work. 0, or -1 with
 * err. */
static int check_kube(const struct launcher_config *cfg, char *err, size_t len)
{
  const struct k8s_overrides ov = {.api_url = cfg->kube_api_url,
                                   .token_file = cfg->kube_token_file,
                                   .ca_file = cfg->kube_ca_file,
                                   .namespace = cfg->namespace};
  struct k8s_config kc;
  struct dk_err e;
  enum dk_code rc;

  dk_err_clear(&e);
  rc = k8s_config_in_cluster(&ov, &kc, &e);
  k8s_config_free(&kc);
  if (rc == DK_OK)
    return 0;
  snprintf(err, len, "%s", e.msg);
  return -1;
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
  if (fill_pod_defaults(cfg, err, sizeof(err)) != 0 ||
      check_dkron_args(cfg, err, sizeof(err)) != 0 ||
      check_kube(cfg, err, sizeof(err)) != 0)
    return cfg_handle(&spec, CFG_INVALID, DKRON_K8S_VERSION, err);
  return step_go_on();
}
