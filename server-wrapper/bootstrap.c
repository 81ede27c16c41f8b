/* bootstrap.c: see bootstrap.h. */
#include "bootstrap.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* "a: no leader, b: unreachable" for the log line. */
static void summarize(const struct peer_probe *probes, size_t n, char *buf,
                      size_t len)
{
  size_t pos = 0;

  buf[0] = '\0';
  for (size_t i = 0; i < n && pos < len; i++) {
    int w = snprintf(buf + pos, len - pos, "%s%s: %s", i ? ", " : "",
                     probes[i].peer, dkron_leader_state_name(probes[i].answer));
    if (w < 0)
      break;
    pos += (size_t)w;
  }
  if (n == 0)
    snprintf(buf, len, "no other peers");
}

void bootstrap_decide(const struct peer_probe *probes, size_t n_probes,
                      bool has_raft_state, long cluster_size, long ordinal,
                      struct bootstrap_decision *out)
{
  char peers[512];

  summarize(probes, n_probes, peers, sizeof(peers));
  out->expect = 0;
  for (size_t i = 0; i < n_probes; i++) {
    if (probes[i].answer == DKRON_LEADER_FOUND) {
      out->why = "peer_reports_leader";
      snprintf(out->reason, sizeof(out->reason),
               "no --bootstrap-expect: %s reports leader %s; joining the "
               "existing cluster",
               probes[i].peer, probes[i].leader ? probes[i].leader : "?");
      return;
    }
  }
  if (has_raft_state) {
    out->why = "raft_state_on_disk";
    snprintf(out->reason, sizeof(out->reason),
             "no --bootstrap-expect: the data dir holds Raft state, so this "
             "server rejoins its cluster (%s)",
             peers);
    return;
  }
  if (cluster_size == 1 && ordinal != 0) {
    out->why = "single_server_not_ordinal_0";
    snprintf(out->reason, sizeof(out->reason),
             "no --bootstrap-expect: the initial cluster size is 1 and only "
             "ordinal 0 may bootstrap a single-server cluster");
    return;
  }
  out->expect = cluster_size;
  out->why = "no_leader_no_raft_state";
  snprintf(out->reason, sizeof(out->reason),
           "--bootstrap-expect=%ld: no peer reports a leader (%s) and the "
           "data dir holds no Raft state",
           cluster_size, peers);
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
