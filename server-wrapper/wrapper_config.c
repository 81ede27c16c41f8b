/* wrapper_config.c: see wrapper_config.h. */
#include "wrapper_config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "k8s.h"
#include "podinfo.h"
#include "server_argv.h"

static const char *const remove_modes[] = {"auto", "always", NULL};

static struct wrapper_config g; /* the table's targets */
static const char *remove_mode_text;

#define MS_MAX 86400000L /* one day */

static const struct cfg_option options[] = {
  {.name = "initial-cluster-size",
   .env = "INITIAL_CLUSTER_SIZE",
   .type = CFG_INT,
   .help =
     "Servers in the initial cluster: the StatefulSet's replicas when it was "
     "created. Given to --bootstrap-expect when no cluster exists yet.",
   .target = &g.initial_cluster_size,
   .min = 1,
   .max = WRAPPER_MAX_PEERS},
  {.name = "statefulset-name",
   .env = "STATEFULSET_NAME",
   .type = CFG_STRING,
   .help = "Name of the server StatefulSet. Default: the pod name without its "
           "\"-<ordinal>\" suffix.",
   .target = &g.statefulset},
  {.name = "service-name",
   .env = "WRAPPER_SERVICE_NAME",
   .type = CFG_STRING,
   .help = "Headless Service that gives the pods their DNS names. Default: the "
           "StatefulSet name.",
   .target = &g.service,
   .env_alias = "HEADLESS_SERVICE"},
  {.name = "cluster-domain",
   .env = "CLUSTER_DOMAIN",
   .type = CFG_STRING,
   .def = "cluster.local",
   .help = "Cluster DNS domain.",
   .target = &g.cluster_domain},
  CFG_POD_NAME_OPTION(
    "This pod's name (downward API metadata.name). Default: the host name.",
    &g.pod_name),
  {.name = "pod-namespace",
   .env = "POD_NAMESPACE",
   .type = CFG_STRING,
   .help =
     "This pod's namespace. Default: the service account's namespace file.",
   .target = &g.pod_namespace},
  CFG_POD_IP_OPTION(&g.pod_ip),
  CFG_DKRON_OPTION(&g.dkron),
  {.name = "data-dir",
   .env = "WRAPPER_DATA_DIR",
   .type = CFG_STRING,
   .def = "/dkron.data",
   .help = "dkron's data dir; put it on the StatefulSet's volume.",
   .target = &g.data_dir},
  {.name = "serf-port",
   .env = "WRAPPER_SERF_PORT",
   .type = CFG_INT,
   .def = "8946",
   .help = "Serf (gossip) port.",
   .target = &g.serf_port,
   .min = 1,
   .max = CFG_PORT_MAX},
  {.name = "rpc-port",
   .env = "WRAPPER_RPC_PORT",
   .type = CFG_INT,
   .def = "6868",
   .help = "gRPC and Raft port.",
   .target = &g.rpc_port,
   .min = 1,
   .max = CFG_PORT_MAX},
  {.name = "http-port",
   .env = "WRAPPER_HTTP_PORT",
   .type = CFG_INT,
   .def = "8080",
   .help = "dkron HTTP API port.",
   .target = &g.http_port,
   .min = 1,
   .max = CFG_PORT_MAX},
  {.name = "status-port",
   .env = "WRAPPER_STATUS_PORT",
   .type = CFG_INT,
   .def = "8081",
   .help =
     "Port of the status endpoint: /readyz (200 when this server is a "
     "working voter: it knows the leader, whose Raft configuration lists it "
     "as a voter at its current address and whose Serf members list it "
     "alive; else 503 with the reason) and /healthz (503 until dkron's HTTP "
     "API first answers, for a startupProbe; then 200 while the wrapper's "
     "loop runs) and /metrics (Prometheus; README, \"Metrics\"). 0 turns it "
     "off.",
   .target = &g.status_port,
   .max = CFG_PORT_MAX},
  {.name = "retry-join-interval",
   .env = "WRAPPER_RETRY_JOIN_INTERVAL",
   .type = CFG_STRING,
   .def = "500ms",
   .help =
     "dkron's --retry-interval between attempts to join the peers (at a first "
     "bootstrap every server waits for the slowest one to listen).",
   .target = &g.retry_interval,
   .env_alias = "WRAPPER_RETRY_INTERVAL"},
  {.name = "peer-dns-timeout",
   .env = "WRAPPER_PEER_DNS_TIMEOUT",
   .type = CFG_DURATION,
   .def = "10m",
   .help =
     "How long to wait for every peer's DNS name to resolve before giving up.",
   .target = &g.peer_dns_timeout,
   .min = 1000,
   .max = MS_MAX},
  {.name = "leader-query-timeout",
   .env = "WRAPPER_LEADER_QUERY_TIMEOUT",
   .type = CFG_DURATION,
   .def = "2s",
   .help = "Timeout of each peer's GET /v1/leader (asked concurrently).",
   .target = &g.leader_query_timeout,
   .min = 100,
   .max = 60000},
  {.name = "api-warn-after",
   .env = "WRAPPER_API_WARN_AFTER",
   .type = CFG_DURATION,
   .def = "3m",
   .help =
     "Warn loudly when dkron's HTTP API is still down this long after start.",
   .target = &g.api_warn_after,
   .min = 1000,
   .max = MS_MAX},
  {.name = "quorum-wait",
   .env = "WRAPPER_QUORUM_WAIT",
   .type = CFG_DURATION,
   .def = "20s",
   .help =
     "On SIGTERM, while leaving would leave the Raft configuration short of "
     "a working majority (another server is down, e.g. drained or "
     "crashed), wait this long at most for it to come back first. 0 turns "
     "the guard off.",
   .target = &g.quorum_wait,
   .max = 600000},
  {.name = "leave-timeout",
   .env = "WRAPPER_LEAVE_TIMEOUT",
   .type = CFG_DURATION,
   .def = "15s",
   .help = "Bound on POST /v1/leave at shutdown.",
   .target = &g.leave_timeout,
   .min = 1000,
   .max = 600000},
  {.name = "stop-timeout",
   .env = "WRAPPER_STOP_TIMEOUT",
   .type = CFG_DURATION,
   .def = "25s",
   .help = "After the leave, how long dkron may take to exit after SIGTERM (it "
           "waits for its running jobs) before SIGKILL.",
   .target = &g.stop_timeout,
   .min = 1000,
   .max = MS_MAX},
  {.name = "remove-timeout",
   .env = "WRAPPER_REMOVE_TIMEOUT",
   .type = CFG_DURATION,
   .def = "15s",
   .help = "Bound on removing this node from Raft at shutdown.",
   .target = &g.remove_timeout,
   .min = 1000,
   .max = 600000},
  {.name = "remove-on-exit",
   .env = "WRAPPER_REMOVE_ON_EXIT",
   .type = CFG_CHOICE,
   .def = "auto",
   .help =
     "auto: remove this node from Raft only when the pod goes away for good "
     "(scaled down, or the leave failed). always: on every stop (no "
     "persistent volumes, or dkron v3).",
   .target = &remove_mode_text,
   .choices = remove_modes},
  {.name = "isleader-interval",
   .env = "WRAPPER_ISLEADER_INTERVAL",
   .type = CFG_DURATION,
   .def = "1s",
   .help = "How often to poll GET /v1/isleader for the leader label.",
   .target = &g.isleader_interval,
   .min = 100,
   .max = 600000},
  {.name = "dead-peer-after",
   .env = "WRAPPER_DEAD_PEER_AFTER",
   .type = CFG_DURATION,
   .def = "30s",
   .help = "Remove a Raft peer whose pod should not exist after its member has "
           "been failed or left this long (only while leader).",
   .target = &g.dead_peer_after,
   .max = MS_MAX},
  {.name = "dead-peer-interval",
   .env = "WRAPPER_DEAD_PEER_INTERVAL",
   .type = CFG_DURATION,
   .def = "10s",
   .help = "How often the leader looks for dead peers.",
   .target = &g.dead_peer_interval,
   .min = 1000,
   .max = MS_MAX},
  {.name = "reconcile-interval",
   .env = "WRAPPER_RECONCILE_INTERVAL",
   .type = CFG_DURATION,
   .def = "2s",
   .help =
     "How often dkron's leader brings the Serf members into Raft (dkron's "
     "ReconcileInterval, 60 s by default, given in the config file the "
     "wrapper passes with --config). dkron v4.0.9 drops the member events "
     "that should trigger it, so this run is what gives a restarted server "
     "its Raft seat back at its new address.",
   .target = &g.reconcile_interval,
   .min = 500,
   .max = 600000},
  {.name = "label-key",
   .env = "WRAPPER_LABEL_KEY",
   .type = CFG_STRING,
   .def = "dkron-leader",
   .help = "Pod label that tells the leader apart (select it in the leader "
           "Service).",
   .target = &g.label_key},
  {.name = "label-leader",
   .env = "WRAPPER_LABEL_LEADER",
   .type = CFG_STRING,
   .def = "true",
   .help = "Label value on the leader.",
   .target = &g.label_leader},
  {.name = "label-follower",
   .env = "WRAPPER_LABEL_FOLLOWER",
   .type = CFG_STRING,
   .def = "false",
   .help = "Label value on the other servers.",
   .target = &g.label_follower},
  CFG_KUBE_OPTIONS(&g.kube_api_url, &g.kube_token_file, &g.kube_ca_file),
  {.name = "dns-server",
   .env = "WRAPPER_DNS_SERVER",
   .type = CFG_STRING,
   .help =
     "DNS server \"ip:port\" for the peer lookups. Default: the system's.",
   .target = &g.dns_server},
  CFG_LOG_OPTIONS("WRAPPER_", &g.log_level, &g.log_format),
};

static const struct cfg_spec spec = {
  .prog = "dkron-server-wrapper",
  .summary =
    "Runs `dkron agent --server` as a StatefulSet pod: waits until the peers'\n"
    "DNS names resolve, passes --bootstrap-expect only when no cluster exists\n"
    "yet, supervises dkron as PID 1, keeps a leader label on the pod, removes\n"
    "dead peers while leader, and leaves Raft for good only when the pod goes\n"
    "away for good.",
  .passthrough =
    "arguments passed to `dkron agent` verbatim (flags the wrapper sets are "
    "refused).",
  .opts = options,
  .n_opts = sizeof(options) / sizeof(options[0])};

/* Fills defaults that come from the pod rather than from constants. */
static int fill_pod_defaults(struct wrapper_config *cfg, char *err, size_t len)
{
  static char ns[256];
  static char sts[256];

  if (pod_fill_name(&cfg->pod_name, err, len) != 0)
    return -1;
  if (!cfg->pod_namespace) {
    if (pod_default_namespace(ns, sizeof(ns)) != 0) {
      snprintf(err, len,
               "POD_NAMESPACE is not set and %s/namespace cannot be read; "
               "set POD_NAMESPACE from the downward API metadata.namespace",
               K8S_SA_DIR);
      return -1;
    }
    cfg->pod_namespace = ns;
  }
  if (!cfg->statefulset) {
    const char *dash = strrchr(cfg->pod_name, '-');
    size_t n = dash ? (size_t)(dash - cfg->pod_name) : 0;
    if (!n || n >= sizeof(sts)) {
      snprintf(err, len,
               "cannot derive the StatefulSet name from pod name "
               "\"%s\"; set STATEFULSET_NAME",
               cfg->pod_name);
      return -1;
    }
    memcpy(sts, cfg->pod_name, n);
    sts[n] = '\0';
    cfg->statefulset = sts;
  }
  if (!cfg->service)
    cfg->service = cfg->statefulset;
  return 0;
}

/* "<sts>-<i>.<svc>.<ns>.svc.<domain>", or NULL when out of memory. */
static char *peer_fqdn(const struct wrapper_config *cfg, long ordinal)
{
  char *out = NULL;

  if (asprintf(&out, "%s-%ld.%s.%s.svc.%s", cfg->statefulset, ordinal,
               cfg->service, cfg->pod_namespace, cfg->cluster_domain) < 0)
    return NULL;
  return out;
}

long wrapper_peer_ordinal(const struct wrapper_config *cfg, size_t i)
{
  return (long)i < cfg->ordinal ? (long)i : (long)i + 1;
}

int wrapper_config_derive(struct wrapper_config *cfg, char *err, size_t len)
{
  size_t sts_len = strlen(cfg->statefulset);
  if (pod_check_ip(cfg->pod_ip, err, len) != 0)
    return -1;
  if (strncmp(cfg->pod_name, cfg->statefulset, sts_len) != 0 ||
      cfg->pod_name[sts_len] != '-' ||
      (cfg->ordinal = k8s_ordinal_from_name(cfg->pod_name)) < 0 ||
      strspn(cfg->pod_name + sts_len + 1, "0123456789") !=
        strlen(cfg->pod_name + sts_len + 1)) {
    snprintf(err, len,
             "pod name \"%s\" is not \"%s-<ordinal>\": is this a "
             "pod of StatefulSet \"%s\"? (set STATEFULSET_NAME)",
             cfg->pod_name, cfg->statefulset, cfg->statefulset);
    return -1;
  }
  cfg->self_fqdn = peer_fqdn(cfg, cfg->ordinal);
  if (!cfg->self_fqdn) {
    snprintf(err, len, "out of memory");
    return -1;
  }
  for (long i = 0; i < cfg->initial_cluster_size; i++) {
    if (i == cfg->ordinal)
      continue;
    cfg->peers[cfg->n_peers] = peer_fqdn(cfg, i);
    if (!cfg->peers[cfg->n_peers]) {
      snprintf(err, len, "out of memory");
      return -1;
    }
    cfg->n_peers++;
  }
  return 0;
}

/* Whether text is a Go duration (dkron parses --retry-interval with
 * time.ParseDuration) above zero: numbers with an optional fraction, each
 * with a unit of ns, us, µs, ms, s, m or h ("500ms", "1.5s", "1m30s"). */
static bool go_duration_positive(const char *text)
{
  static const char *const units[] = {"ns", "us", "\xc2\xb5s", "\xce\xbcs",
                                      "ms", "s",  "m",         "h"};
  const char *p = text;
  bool nonzero = false;

  if (!*p)
    return false;
  while (*p) {
    size_t digits = strspn(p, "0123456789"), frac = 0, u;

    nonzero = nonzero || strspn(p, "0") < digits;
    p += digits;
    if (*p == '.') {
      frac = strspn(p + 1, "0123456789");
      nonzero = nonzero || strspn(p + 1, "0") < frac;
      p += 1 + frac;
    }
    if (digits + frac == 0)
      return false;
    for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
      size_t len = strlen(units[u]);

      /* "m" must not take the "m" of "ms" */
      if (strncmp(p, units[u], len) == 0 &&
          !(len == 1 && p[0] == 'm' && p[1] == 's'))
        break;
    }
    if (u == sizeof(units) / sizeof(units[0]))
      return false;
    p += strlen(units[u]);
  }
  return nonzero;
}

static bool label_char(char c, bool inner)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') ||
         (inner && (c == '-' || c == '_' || c == '.'));
}

/* A Kubernetes label value (or a key's name part, which must not be
 * empty): up to 63 of A-Z a-z 0-9 - _ ., letters or digits at the ends. */
static bool label_name_ok(const char *s, size_t n, bool may_be_empty)
{
  if (n == 0)
    return may_be_empty;
  if (n > 63 || !label_char(s[0], false) || !label_char(s[n - 1], false))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!label_char(s[i], true))
      return false;
  return true;
}

/* A label key: an optional DNS-subdomain prefix (up to 253 of a-z 0-9 - .)
 * and '/', then a name. */
static bool label_key_ok(const char *key)
{
  const char *slash = strchr(key, '/');
  const char *name = slash ? slash + 1 : key;

  if (slash) {
    size_t n = (size_t)(slash - key);

    if (n == 0 || n > 253 ||
        strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-.") != n)
      return false;
  }
  return label_name_ok(name, strlen(name), false);
}

/* The values the wrapper hands on unparsed (to dkron, or to the API in
 * every label patch) are checked now, so that a typo fails the start, not
 * dkron's launch after the DNS wait, nor every patch after it. */
static int check_handed_on(const struct wrapper_config *cfg, char *err,
                           size_t len)
{
  static const char value_rule[] =
    "a label value is up to 63 of A-Z a-z 0-9 - _ ., beginning and ending "
    "with a letter or digit";
  const struct {
    const char *flag, *value;
  } values[] = {{"label-leader", cfg->label_leader},
                {"label-follower", cfg->label_follower}};

  if (!go_duration_positive(cfg->retry_interval)) {
    snprintf(err, len,
             "invalid value \"%s\" for --retry-join-interval: expected a "
             "positive Go duration such as 500ms, 2s or 1m30s",
             cfg->retry_interval);
    return -1;
  }
  if (!label_key_ok(cfg->label_key)) {
    snprintf(err, len,
             "invalid value \"%s\" for --label-key: a label key is "
             "[prefix/]name, the prefix a DNS subdomain, the name up to 63 of "
             "A-Z a-z 0-9 - _ ., beginning and ending with a letter or digit",
             cfg->label_key);
    return -1;
  }
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
    if (!label_name_ok(values[i].value, strlen(values[i].value), true)) {
      snprintf(err, len, "invalid value \"%s\" for --%s: %s", values[i].value,
               values[i].flag, value_rule);
      return -1;
    }
  }
  if (strcmp(cfg->label_leader, cfg->label_follower) == 0) {
    snprintf(err, len,
             "--label-leader and --label-follower are both \"%s\": the "
             "leader Service could not tell the leader apart",
             cfg->label_leader);
    return -1;
  }
  return 0;
}

/* dkron's arguments after --: a flag the wrapper owns is refused now,
 * before any wait, not once the command line is built. */
static int check_dkron_args(const struct wrapper_config *cfg, char *err,
                            size_t len)
{
  struct dk_err e;

  dk_err_clear(&e);
  if (server_argv_check(cfg->dkron_args, cfg->n_dkron_args, &e) == DK_OK)
    return 0;
  snprintf(err, len, "%s", e.msg);
  return -1;
}

/* INITIAL_CLUSTER_SIZE has no default: say exactly what is missing. */
static int check_cluster_size(const struct wrapper_config *cfg, char *err,
                              size_t len)
{
  const char *typo = getenv("INITIAL_CLUSTER_SUZE");

  if (cfg->initial_cluster_size > 0)
    return 0;
  if (typo && *typo)
    snprintf(err, len,
             "INITIAL_CLUSTER_SIZE is not set, but "
             "INITIAL_CLUSTER_SUZE=\"%s\" is: that name is "
             "misspelt (SUZE); rename it to INITIAL_CLUSTER_SIZE",
             typo);
  else
    snprintf(err, len,
             "INITIAL_CLUSTER_SIZE (--initial-cluster-size) is not "
             "set; set it to the StatefulSet's replicas");
  return -1;
}

struct step wrapper_config_load(struct wrapper_config *cfg, int argc,
                                char **argv)
{
  struct cfg_rest rest;
  char err[768];
  enum cfg_result res;
  struct step s;

  memset(&g, 0, sizeof(g));
  res = cfg_parse(&spec, argc, argv, &rest, err, sizeof(err));
  s = cfg_handle(&spec, res, DKRON_K8S_VERSION, err);
  if (!step_goes_on(s))
    return s;
  remove_mode_parse(remove_mode_text, &g.remove_mode);
  g.dkron_args = rest.argv;
  g.n_dkron_args = rest.argc;
  *cfg = g;
  if (check_dkron_args(cfg, err, sizeof(err)) != 0 ||
      check_handed_on(cfg, err, sizeof(err)) != 0 ||
      check_cluster_size(cfg, err, sizeof(err)) != 0 ||
      fill_pod_defaults(cfg, err, sizeof(err)) != 0 ||
      wrapper_config_derive(cfg, err, sizeof(err)) != 0) {
    wrapper_config_free(cfg);
    return cfg_handle(&spec, CFG_INVALID, DKRON_K8S_VERSION, err);
  }
  return step_go_on();
}

void wrapper_config_free(struct wrapper_config *cfg)
{
  for (size_t i = 0; i < cfg->n_peers; i++)
    free(cfg->peers[i]);
  cfg->n_peers = 0;
  free(cfg->self_fqdn);
  cfg->self_fqdn = NULL;
}
