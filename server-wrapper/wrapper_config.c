/* wrapper_config.c: see wrapper_config.h. */
#include "wrapper_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "k8s.h"
#include "podinfo.h"

static const char *const remove_modes[] = {"auto", "always", NULL};

static struct wrapper_config g; /* the table's targets */
static const char *remove_mode_text;

#define MS_MAX 86400000L /* one day */

static const struct cfg_option options[] = {
  {"initial-cluster-size", "INITIAL_CLUSTER_SIZE", CFG_INT, NULL,
   "Servers in the initial cluster: the StatefulSet's replicas when it was "
   "created. Given to --bootstrap-expect when no cluster exists yet.",
   &g.initial_cluster_size, 1, WRAPPER_MAX_PEERS, NULL, NULL},
  {"statefulset-name", "STATEFULSET_NAME", CFG_STRING, NULL,
   "Name of the server StatefulSet. Default: the pod name without its "
   "\"-<ordinal>\" suffix.",
   &g.statefulset, 0, 0, NULL, NULL},
  {"service-name", "HEADLESS_SERVICE", CFG_STRING, NULL,
   "Headless Service that gives the pods their DNS names. Default: the "
   "StatefulSet name.",
   &g.service, 0, 0, NULL, NULL},
  {"cluster-domain", "CLUSTER_DOMAIN", CFG_STRING, "cluster.local",
   "Cluster DNS domain.", &g.cluster_domain, 0, 0, NULL, NULL},
  CFG_POD_NAME_OPTION(
    "This pod's name (downward API metadata.name). Default: the host name.",
    &g.pod_name),
  {"pod-namespace", "POD_NAMESPACE", CFG_STRING, NULL,
   "This pod's namespace. Default: the service account's namespace file.",
   &g.pod_namespace, 0, 0, NULL, NULL},
  CFG_POD_IP_OPTION(&g.pod_ip),
  CFG_DKRON_OPTION(&g.dkron),
  {"data-dir", "WRAPPER_DATA_DIR", CFG_STRING, "/dkron.data",
   "dkron's data dir; put it on the StatefulSet's volume.", &g.data_dir, 0, 0,
   NULL, NULL},
  {"serf-port", "WRAPPER_SERF_PORT", CFG_INT, "8946", "Serf (gossip) port.",
   &g.serf_port, 1, 65535, NULL, NULL},
  {"rpc-port", "WRAPPER_RPC_PORT", CFG_INT, "6868", "gRPC and Raft port.",
   &g.rpc_port, 1, 65535, NULL, NULL},
  {"http-port", "WRAPPER_HTTP_PORT", CFG_INT, "8080", "dkron HTTP API port.",
   &g.http_port, 1, 65535, NULL, NULL},
  {"status-port", "WRAPPER_STATUS_PORT", CFG_INT, "8081",
   "Port of the status endpoint: /readyz (200 when this server is a "
   "working voter: it knows the leader, whose Raft configuration lists it "
   "as a voter at its current address and whose Serf members list it "
   "alive; else 503 with the reason) and /healthz (503 until dkron's HTTP "
   "API first answers, for a startupProbe; then 200 while the wrapper's "
   "loop runs) and /metrics (Prometheus; README, \"Metrics\"). 0 turns it "
   "off.",
   &g.status_port, 0, 65535, NULL, NULL},
  {"retry-join-interval", "WRAPPER_RETRY_INTERVAL", CFG_STRING, "500ms",
   "dkron's --retry-interval between attempts to join the peers (at a first "
   "bootstrap every server waits for the slowest one to listen).",
   &g.retry_interval, 0, 0, NULL, NULL},
  {"peer-dns-timeout", "WRAPPER_PEER_DNS_TIMEOUT", CFG_DURATION, "10m",
   "How long to wait for every peer's DNS name to resolve before giving up.",
   &g.peer_dns_timeout, 1000, MS_MAX, NULL, NULL},
  {"leader-query-timeout", "WRAPPER_LEADER_QUERY_TIMEOUT", CFG_DURATION, "2s",
   "Timeout of each peer's GET /v1/leader (asked concurrently).",
   &g.leader_query_timeout, 100, 60000, NULL, NULL},
  {"api-warn-after", "WRAPPER_API_WARN_AFTER", CFG_DURATION, "3m",
   "Warn loudly when dkron's HTTP API is still down this long after start.",
   &g.api_warn_after, 1000, MS_MAX, NULL, NULL},
  {"quorum-wait", "WRAPPER_QUORUM_WAIT", CFG_DURATION, "20s",
   "On SIGTERM, while leaving would leave the Raft configuration short of "
   "a working majority (another server is down, e.g. drained or "
   "crashed), wait this long at most for it to come back first. 0 turns "
   "the guard off.",
   &g.quorum_wait, 0, 600000, NULL, NULL},
  {"leave-timeout", "WRAPPER_LEAVE_TIMEOUT", CFG_DURATION, "15s",
   "Bound on POST /v1/leave at shutdown.", &g.leave_timeout, 1000, 600000, NULL,
   NULL},
  {"stop-timeout", "WRAPPER_STOP_TIMEOUT", CFG_DURATION, "25s",
   "After the leave, how long dkron may take to exit after SIGTERM (it "
   "waits for its running jobs) before SIGKILL.",
   &g.stop_timeout, 1000, MS_MAX, NULL, NULL},
  {"remove-timeout", "WRAPPER_REMOVE_TIMEOUT", CFG_DURATION, "15s",
   "Bound on removing this node from Raft at shutdown.", &g.remove_timeout,
   1000, 600000, NULL, NULL},
  {"remove-on-exit", "WRAPPER_REMOVE_ON_EXIT", CFG_CHOICE, "auto",
   "auto: remove this node from Raft only when the pod goes away for good "
   "(scaled down, or the leave failed). always: on every stop (no "
   "persistent volumes, or dkron v3).",
   &remove_mode_text, 0, 0, remove_modes, NULL},
  {"isleader-interval", "WRAPPER_ISLEADER_INTERVAL", CFG_DURATION, "1s",
   "How often to poll GET /v1/isleader for the leader label.",
   &g.isleader_interval, 100, 600000, NULL, NULL},
  {"dead-peer-after", "WRAPPER_DEAD_PEER_AFTER", CFG_DURATION, "30s",
   "Remove a Raft peer whose pod should not exist after its member has "
   "been failed or left this long (only while leader).",
   &g.dead_peer_after, 0, MS_MAX, NULL, NULL},
  {"dead-peer-interval", "WRAPPER_DEAD_PEER_INTERVAL", CFG_DURATION, "10s",
   "How often the leader looks for dead peers.", &g.dead_peer_interval, 1000,
   MS_MAX, NULL, NULL},
  {"reconcile-interval", "WRAPPER_RECONCILE_INTERVAL", CFG_DURATION, "2s",
   "How often dkron's leader brings the Serf members into Raft (dkron's "
   "ReconcileInterval, 60 s by default, given in the config file the "
   "wrapper passes with --config). dkron v4.0.9 drops the member events "
   "that should trigger it, so this run is what gives a restarted server "
   "its Raft seat back at its new address.",
   &g.reconcile_interval, 500, 600000, NULL, NULL},
  {"label-key", "WRAPPER_LABEL_KEY", CFG_STRING, "dkron-leader",
   "Pod label that tells the leader apart (select it in the leader "
   "Service).",
   &g.label_key, 0, 0, NULL, NULL},
  {"label-leader", "WRAPPER_LABEL_LEADER", CFG_STRING, "true",
   "Label value on the leader.", &g.label_leader, 0, 0, NULL, NULL},
  {"label-follower", "WRAPPER_LABEL_FOLLOWER", CFG_STRING, "false",
   "Label value on the other servers.", &g.label_follower, 0, 0, NULL, NULL},
  CFG_KUBE_OPTIONS(&g.kube_api_url, &g.kube_token_file, &g.kube_ca_file),
  {"dns-server", "WRAPPER_DNS_SERVER", CFG_STRING, NULL,
   "DNS server \"ip:port\" for the peer lookups. Default: the system's.",
   &g.dns_server, 0, 0, NULL, NULL},
  CFG_LOG_OPTIONS("WRAPPER_", &g.log_level, &g.log_format),
};

static const struct cfg_spec spec = {
  "dkron-server-wrapper",
  "Runs `dkron agent --server` as a StatefulSet pod: waits until the peers'\n"
  "DNS names resolve, passes --bootstrap-expect only when no cluster exists\n"
  "yet, supervises dkron as PID 1, keeps a leader label on the pod, removes\n"
  "dead peers while leader, and leaves Raft for good only when the pod goes\n"
  "away for good.",
  "arguments passed to `dkron agent` verbatim (flags the wrapper sets are "
  "refused).",
  options, sizeof(options) / sizeof(options[0])};

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
  if (check_cluster_size(cfg, err, sizeof(err)) != 0 ||
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
