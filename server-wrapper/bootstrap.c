/* bootstrap.c: see bootstrap.h. */
#include "bootstrap.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* "a: no leader, b: unreachable" for the log line, allocated for however
 * many peers and long names there are; NULL when out of memory. */
static char *summarize(const struct peer_probe *probes, size_t n)
{
  size_t len = 1, pos = 0;
  char *buf;

  if (n == 0)
    return strdup("no other peers");
  for (size_t i = 0; i < n; i++)
    len += strlen(", ") + strlen(probes[i].peer) + strlen(": ") +
           strlen(dkron_leader_state_name(probes[i].answer));
  buf = malloc(len);
  if (!buf)
    return NULL;
  for (size_t i = 0; i < n; i++)
    pos += (size_t)snprintf(buf + pos, len - pos, "%s%s: %s", i ? ", " : "",
                            probes[i].peer,
                            dkron_leader_state_name(probes[i].answer));
  return buf;
}

/* Sets out->reason from a printf format; NULL when out of memory. */
static void set_reason(struct bootstrap_decision *out, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static void set_reason(struct bootstrap_decision *out, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  if (vasprintf(&out->reason, fmt, ap) < 0)
    out->reason = NULL;
  va_end(ap);
}

void bootstrap_decide(const struct peer_probe *probes, size_t n_probes,
                      bool has_raft_state, long cluster_size, long ordinal,
                      struct bootstrap_decision *out)
{
  char *summary = summarize(probes, n_probes);
  const char *peers = summary ? summary : "(out of memory listing the peers)";

  out->expect = 0;
  out->reason = NULL;
  for (size_t i = 0; i < n_probes; i++) {
    if (probes[i].answer == DKRON_LEADER_FOUND) {
      out->why = "peer_reports_leader";
      set_reason(out,
                 "no --bootstrap-expect: %s reports leader %s; joining the "
                 "existing cluster",
                 probes[i].peer, probes[i].leader ? probes[i].leader : "?");
      goto out;
    }
  }
  if (has_raft_state) {
    out->why = "raft_state_on_disk";
    set_reason(out,
               "no --bootstrap-expect: the data dir holds Raft state, so this "
               "server rejoins its cluster (%s)",
               peers);
    goto out;
  }
  if (cluster_size == 1 && ordinal != 0) {
    out->why = "single_server_not_ordinal_0";
    set_reason(out, "no --bootstrap-expect: the initial cluster size is 1 and "
                    "only ordinal 0 may bootstrap a single-server cluster");
    goto out;
  }
  out->expect = cluster_size;
  out->why = "no_leader_no_raft_state";
  set_reason(out,
             "--bootstrap-expect=%ld: no peer reports a leader (%s) and the "
             "data dir holds no Raft state",
             cluster_size, peers);
out:
  free(summary);
}

void bootstrap_decision_free(struct bootstrap_decision *d)
{
  free(d->reason);
  d->reason = NULL;
}

bool bootstrap_has_raft_state(const char *data_dir)
{
  char path[4096];
  struct stat st;
  DIR *dir;
  bool found = false;

  snprintf(path, sizeof(path), "%s/raft/raft.db", data_dir);
  if (stat(path, &st) == 0 && st.st_size > 0)
    return true;
  snprintf(path, sizeof(path), "%s/raft/snapshots", data_dir);
  dir = opendir(path);
  if (!dir)
    return false;
  for (struct dirent *e; !found && (e = readdir(dir));)
    found = e->d_name[0] != '.';
  closedir(dir);
  return found;
}
