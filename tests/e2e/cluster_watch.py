#!/usr/bin/env python3
"""Watches a dkron server StatefulSet on the bed while it is disrupted, and
reports what a user of the cluster saw.

  cluster_watch.py watch <bed-state> <statefulset> <replicas> <samples-file>
      Every 100 ms asks each server pod (at its current IP, read from the
      bed's pod directory, or for a tests/cluster state directory from its
      API server, namespace $CLUSTER_WATCH_NAMESPACE) GET :8080/v1/isleader, GET :8080/v1/leader and
      GET :8081/readyz, all pods at once, and appends one line per round:
          <unix time> <pods leading> <leader name or -> <pods ready>
          <pods in Raft with the leader>
      The last counts the pods whose dkron names a leader on /v1/leader: its
      Raft runs and hears from a leader (it voted it in or it is fed by
      it), so it is one of the voters the cluster is working with; a
      server that left, or is back but not yet added, answers 500.
      Runs until SIGTERM or SIGINT.

  cluster_watch.py report <samples-file> <start> <end> <job-times-file>
      Over [start, end] (Unix times), prints RESULT lines:
          leaderless_s         seconds with no pod leading, in all
          leaderless_max_s     the longest such stretch
          leader_changes       times the leader's name changed
          ready_min            the fewest pods ready at once
          voters_min           the fewest pods in Raft with the leader at
                               once (rounds without any leader excluded:
                               leaderless_s counts those; so are the
                               rounds of a leader's first SETTLE_S: a
                               follower that voted it in learns of it
                               only from its first heartbeat)
          job_missed           runs of an @every 1s job that did not happen
                               (from the receiver's call times, one a line)
          job_gap_max_s        the longest time between two runs (or an
                               end of the window and the run nearest it)
      A stretch counts from the first round that saw no leader to the first
      that saw one again; the resolution is one round (about 0.1 s).
"""
import json
import os
import signal
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request

ROUND_S = 0.1
SETTLE_S = 0.5
TIMEOUT_S = 0.4


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return 0


def knows_leader(ip):
    """GET /v1/leader names a leader with an rpc address (while Raft knows
    none, dkron names any member that has not published one yet)."""
    try:
        with urllib.request.urlopen("http://%s:8080/v1/leader" % ip,
                                    timeout=TIMEOUT_S) as r:
            body = json.loads(r.read() or b"null")
            return bool(body and (body.get("Tags") or {}).get("rpc_addr"))
    except Exception:
        return False


def bed_pod_ip(state, name):
    try:
        with open(os.path.join(state, "pods", "default_" + name, "ip")) as f:
            return f.read().strip()
    except OSError:
        return None


class ApiPodIps:
    """Pod IPs of a real cluster (tests/cluster), from its API server: the
    server pods of namespace $CLUSTER_WATCH_NAMESPACE (default "default"),
    listed every 0.25 s in a thread of their own."""

    def __init__(self, state, stop):
        settings = {}
        with open(os.path.join(state, "settings")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                settings[k] = v
        with open(os.path.join(state, "pki", "auth-header")) as f:
            self.auth = f.read().split(":", 1)[1].strip()
        ns = os.environ.get("CLUSTER_WATCH_NAMESPACE", "default")
        self.url = ("https://%s:%s/api/v1/namespaces/%s/pods"
                    "?labelSelector=app.kubernetes.io%%2Fcomponent%%3Dserver"
                    % (settings["BRIDGE_IP"], settings["API_PORT"], ns))
        self.ctx = ssl.create_default_context(
            cafile=os.path.join(state, "pki", "ca.crt"))
        self.ips = {}
        self.stop = stop
        self.refresh()
        threading.Thread(target=self.loop, daemon=True).start()

    def refresh(self):
        req = urllib.request.Request(self.url,
                                     headers={"Authorization": self.auth})
        try:
            with urllib.request.urlopen(req, timeout=2, context=self.ctx) as r:
                items = json.loads(r.read()).get("items", [])
        except Exception:
            return
        self.ips = {i["metadata"]["name"]: i.get("status", {}).get("podIP")
                    for i in items}

    def loop(self):
        while not self.stop.wait(0.25):
            self.refresh()

    def get(self, name):
        return self.ips.get(name)


def watch(state, sts, replicas, out_path):
    names = ["%s-%d" % (sts, i) for i in range(replicas)]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if os.path.isdir(os.path.join(state, "pods")):
        def pod_ip(name):
            return bed_pod_ip(state, name)
    else:
        pod_ip = ApiPodIps(state, stop).get
    with open(out_path, "a", buffering=1) as out:
        while not stop.is_set():
            t0 = time.time()
            leading, ready, voting = [], [], []
            threads = []

            def ask(name):
                ip = pod_ip(name)
                if not ip:
                    return
                if status_of("http://%s:8080/v1/isleader" % ip) == 200:
                    leading.append(name)
                if knows_leader(ip):
                    voting.append(name)
                if status_of("http://%s:8081/readyz" % ip) == 200:
                    ready.append(name)

            for n in names:
                th = threading.Thread(target=ask, args=(n,))
                th.start()
                threads.append(th)
            for th in threads:
                th.join()
            out.write("%.3f %d %s %d %d\n" % (t0, len(leading),
                                              leading[0] if leading else "-",
                                              len(ready), len(voting)))
            stop.wait(max(0.0, ROUND_S - (time.time() - t0)))


def report(samples_path, start, end, times_path):
    rows = []
    with open(samples_path) as f:
        for line in f:
            p = line.split()
            if len(p) == 5 and start <= float(p[0]) <= end:
                rows.append((float(p[0]), int(p[1]), p[2], int(p[3]),
                             int(p[4])))
    if not rows:
        sys.exit("cluster_watch: no samples between %.3f and %.3f" % (start, end))
    leaderless = longest = 0.0
    gap_start = None
    changes = 0
    last_leader = None
    for t, n, name, _, _ in rows:
        if n == 0:
            if gap_start is None:
                gap_start = t
        else:
            if gap_start is not None:
                leaderless += t - gap_start
                longest = max(longest, t - gap_start)
                gap_start = None
            if last_leader is not None and name != last_leader:
                changes += 1
            last_leader = name
    if gap_start is not None:
        leaderless += rows[-1][0] - gap_start
        longest = max(longest, rows[-1][0] - gap_start)
    stamps = []
    with open(times_path) as f:
        for line in f:
            line = line.strip()
            if line and start <= float(line) <= end:
                stamps.append(float(line))
    stamps.sort()
    missed = 0
    gap = 0.0
    edges = [start] + stamps + [end]
    for a, b in zip(edges, edges[1:]):
        missed += max(0, int(b - a + 0.5) - 1)
        gap = max(gap, b - a)
    print("RESULT leaderless_s %.2f" % leaderless)
    print("RESULT leaderless_max_s %.2f" % longest)
    print("RESULT leader_changes %d" % changes)
    print("RESULT ready_min %d" % min(r[3] for r in rows))
    led = []
    # When the current leader was first seen; one leading when the window
    # opens has settled already.
    since = float("-inf")
    for i, (t, n, name, _, voting) in enumerate(rows):
        if n == 0:
            since = None
            continue
        if since is None or (i > 0 and name != rows[i - 1][2]):
            since = t
        if t - since >= SETTLE_S:
            led.append(voting)
    print("RESULT voters_min %d" % (min(led) if led else 0))
    print("RESULT job_runs %d" % len(stamps))
    print("RESULT job_missed %d" % missed)
    print("RESULT job_gap_max_s %.2f" % gap)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "watch":
        watch(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 6 and sys.argv[1] == "report":
        report(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
