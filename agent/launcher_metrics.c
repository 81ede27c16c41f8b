/* launcher_metrics.c: see launcher_metrics.h. */
#include "launcher_metrics.h"

#include <string.h>

void launcher_metrics_init(struct launcher_metrics *m)
{
  struct metrics *r = metrics_new();

  memset(m, 0, sizeof(*m));
  m->registry = r;
  metrics_add_common(r, "dkron-agent-launcher",
                     "Failed membership checks against dkron servers' HTTP "
                     "API, by path and error.",
                     &m->common);
  m->live_servers =
    metrics_add(r, METRIC_GAUGE, "dkron_k8s_live_servers",
                "Live dkron servers the launcher knows of.", NULL);
  m->member_status =
    metrics_add(r, METRIC_GAUGE, "dkron_k8s_member_status",
                "1 for this worker's membership as the last check saw it "
                "(alive, not_alive, unknown: no server answered).",
                "status");
  m->last_alive_check = metrics_add(
    r, METRIC_AGE, "dkron_k8s_last_alive_check_age_seconds",
    "Seconds since a server last answered the membership check.", NULL);
  m->rejoins = metrics_add(r, METRIC_COUNTER, "dkron_k8s_rejoins_total",
                           "Re-joins (dkron stopped and started with fresh "
                           "servers), by reason.",
                           "reason");
  m->drain_waits = metrics_add(
    r, METRIC_COUNTER, "dkron_k8s_drain_waits_total",
    "Re-joins that first waited for jobs running on this worker.", NULL);
  m->watch_restarts =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_watch_restarts_total",
                "Watches of the server pods re-opened after the API server "
                "ended them.",
                NULL);
  m->watch_relists =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_watch_relists_total",
                "Lists of the server pods after the first, by reason (gone: "
                "410, the watch expired; error: a failed list or watch).",
                "reason");
  m->dkron_starts =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_dkron_starts_total",
                "Times the launcher started dkron (1 + restarts).", NULL);
  m->dkron_exit_code =
    metrics_add(r, METRIC_GAUGE, "dkron_k8s_dkron_last_exit_code",
                "dkron's last exit code (-1 before it first exited).", NULL);
  metric_set(m->dkron_exit_code, NULL, -1);
  m->checks = metrics_add(r, METRIC_COUNTER, "dkron_k8s_member_checks_total",
                          "Membership checks answered, by the way they were "
                          "asked (wrapper: GET /members/<name>; dkron: GET "
                          "/v1/members).",
                          "via");
  m->check_bytes =
    metrics_add(r, METRIC_COUNTER, "dkron_k8s_member_check_bytes_total",
                "Bytes of the membership checks' answers (/v1/members "
                "counted at 350 bytes a member).",
                NULL);
  m->check_interval = metrics_add(
    r, METRIC_GAUGE, "dkron_k8s_member_check_interval_seconds",
    "Seconds until the next membership check: --check-interval, growing "
    "(with jitter) up to --check-interval-max while the worker stays alive "
    "and the servers do not change.",
    NULL);
}

void launcher_metrics_free(struct launcher_metrics *m)
{
  metrics_free(m->registry);
  memset(m, 0, sizeof(*m));
}
