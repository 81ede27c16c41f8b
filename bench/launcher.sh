#!/usr/bin/env bash
# Benchmark of dkron-agent-launcher on the local cluster (tests/bed), with a
# real dkron, on one bed (three dkron-server pods run by the wrapper):
#   - join latency: launcher start (its first log line) until its node is an
#     alive member as the servers see it (servers already up), BENCH_RUNS
#     times (a fresh worker pod each time);
#   - recovery in the dkron #1253 scenario: all three server pods replaced
#     at once (new IPs); from the replacement until the launcher's worker,
#     and a plain `dkron agent --retry-join "provider=k8s ..."` measured in
#     the same run, are alive members again (BENCH_RECOVERY_RUNS times,
#     "never" past BENCH_RECOVERY_LIMIT s);
#   - API requests per minute per launcher at steady state, counted at the
#     API server (apiserver_request_total for pods, before and after a
#     BENCH_STEADY s window, admin credential), and the open watches;
#   - launcher VmRSS (the launcher process, not dkron).
# Medians are printed and written to bench/results.md (this benchmark's
# section).
#
# Usage: bench/launcher.sh   (root; DKRON_BIN=/path/to/dkron v4.0.9 unless
# the tool cache has one). BENCH_RUNS (default 5), BENCH_RECOVERY_RUNS
# (default 3), BENCH_RECOVERY_LIMIT (default 180), BENCH_STEADY (default 120).
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
RUNS=${BENCH_RUNS:-5}
RECOVERY_RUNS=${BENCH_RECOVERY_RUNS:-3}
RECOVERY_LIMIT=${BENCH_RECOVERY_LIMIT:-180}
STEADY=${BENCH_STEADY:-120}
bench_start launcher dkron-agent-launcher launcher-lib.sh



# Polls every 0.2 s until node $1 is alive; prints the time it was seen.
alive_at() {
	local deadline=$((SECONDS + $2))
	until ln_alive "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$1 not an alive member after $2 s"
		sleep 0.2
	done
	now
}

join_latency() {
	local r pod
	for ((r = 1; r <= RUNS; r++)); do
		bed pod-create deploy/dkron-agent >/dev/null 2>&1
		pod=$(ln_worker)
		at=$(alive_at "$pod" 120)
		record join "$(ln_secs "$(launcher_started "$pod")" "$at")"
		printf 'bench: join run %s/%s: %s s\n' "$r" "$RUNS" "$(tail -n1 "$E2E_WORK/fig.join")"
		[ "$r" -eq "$RUNS" ] || bed pod-delete "$pod" >/dev/null 2>&1
	done
}


# Established TCP connections from the launcher process (pid $2, pod $1)
# to the API server: its one open watch.
launcher_api_connections() {
	local port
	port=$(sed -n 's/^API_PORT=//p' "$DKRON_BED/settings")
	ip netns exec "$(pod_field "$1" netns)" ss -Htnp state established "( dport = :$port )" |
		grep -c "pid=$2," || true
}

steady_state() {
	local pod pid before after t0 t1
	pod=$(ln_worker)
	pid=$(pod_field "$pod" pid)
	before=$(pod_requests "LIST WATCH")
	t0=$(now)
	sleep "$STEADY" # the measurement window itself, not a wait for a condition
	t1=$(now)
	after=$(pod_requests "LIST WATCH")
	REQ_PER_MIN=$(awk -v a="$before" -v b="$after" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", (b - a) / ((t1 - t0) / 60) }')
	REQ_RAW="$((after - before)) in $(ln_secs "$t0" "$t1") s"
	OPEN_WATCHES=$(open_pod_watches)
	API_CONNS=$(launcher_api_connections "$pod" "$pid")
	RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
	RSS_ANON_KB=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status")
	RSS_FILE_KB=$(awk '/^RssFile:/ {print $2}' "/proc/$pid/status")
	printf 'bench: steady state: %s pod LIST/WATCH requests (%s/min), %s open pod watches in the API server, %s launcher connection(s) to it, launcher VmRSS %s kB\n' \
		"$REQ_RAW" "$REQ_PER_MIN" "$OPEN_WATCHES" "$API_CONNS" "$RSS_KB"
}

recovery() {
	local r ours builtin t0 ours_at builtin_at deadline
	bed apply "$(fixture launcher-builtin.yaml)" >/dev/null
	bed pod-create deploy/dkron-agent-builtin >/dev/null 2>&1
	for ((r = 1; r <= RECOVERY_RUNS; r++)); do
		ours=$(ln_worker)
		builtin=$(ln_pod_of app.kubernetes.io/component=worker-builtin)
		alive_at "$ours" 180 >/dev/null
		alive_at "$builtin" 180 >/dev/null
		t0=$(now)
		ln_replace_servers
		ours_at="" builtin_at="" deadline=$((SECONDS + RECOVERY_LIMIT))
		while { [ -z "$ours_at" ] || [ -z "$builtin_at" ]; } && [ "$SECONDS" -lt "$deadline" ]; do
			[ -n "$ours_at" ] || ! ln_alive "$ours" || ours_at=$(now)
			[ -n "$builtin_at" ] || ! ln_alive "$builtin" || builtin_at=$(now)
			sleep 0.2
		done
		if [ -n "$ours_at" ]; then record rec_ours "$(ln_secs "$t0" "$ours_at")"; else record rec_ours_never 1; fi
		if [ -n "$builtin_at" ]; then record rec_builtin "$(ln_secs "$t0" "$builtin_at")"; else record rec_builtin_never 1; fi
		printf 'bench: recovery run %s/%s: launcher %s, built-in provider %s\n' "$r" "$RECOVERY_RUNS" \
			"$([ -n "$ours_at" ] && ln_secs "$t0" "$ours_at" || echo "never (>$RECOVERY_LIMIT s)")" \
			"$([ -n "$builtin_at" ] && ln_secs "$t0" "$builtin_at" || echo "never (>$RECOVERY_LIMIT s)")"
		if [ -z "$builtin_at" ]; then # give the next run a joined built-in worker
			bed pod-delete "$builtin" >/dev/null 2>&1
			bed pod-create deploy/dkron-agent-builtin >/dev/null 2>&1
		fi
		wait_until 240 "the servers have a leader and three alive servers" ln_cluster_ok >/dev/null
	done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%MZ)
bed_up
ln_apply
ln_servers_up >/dev/null
join_latency
steady_state
recovery
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

never() { if [ -f "$E2E_WORK/fig.$1_never" ]; then wc -l <"$E2E_WORK/fig.$1_never"; else echo 0; fi; }
rss_mb=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.2f", k / 1024 }')
section=$(
	cat <<EOF
<!-- bench:launcher:begin -->
## dkron-agent-launcher

\`bench/launcher.sh\` with BENCH_RUNS=$RUNS BENCH_RECOVERY_RUNS=$RECOVERY_RUNS BENCH_STEADY=$STEADY
(\`make bench\` or \`bench/run launcher\`), $started, dkron v4.0.9, $(nproc) cores, load average $load_before
before and $load_after after. Medians (all values in brackets), seconds unless noted.

| figure | median | runs | target |
|---|---|---|---|
| join latency: launcher start → alive member (servers up) | $(m join) | $(all join) | |
| #1253 recovery, launcher: 3 servers replaced → alive member again | $(m rec_ours) | $(all rec_ours); never: $(never rec_ours) of $RECOVERY_RUNS | < 30: $(verdict_below "$(m rec_ours)" 30) |
| #1253 recovery, dkron's built-in provider=k8s, same runs | $(m rec_builtin) | $(all rec_builtin); never: $(never rec_builtin) of $RECOVERY_RUNS | |
| API requests per minute per launcher at steady state (pods LIST and WATCH, counted by the API server) | $REQ_PER_MIN | $REQ_RAW | ≤ 1 + the open watch: $(verdict_below "$REQ_PER_MIN" 1.0001) |
| the launcher's open connections to the API server (its watch) | $API_CONNS | $OPEN_WATCHES pod watches open in the API server in all | 1 |
| launcher VmRSS, MB | $rss_mb | $RSS_KB kB = $RSS_ANON_KB kB anonymous + $RSS_FILE_KB kB file-backed (shared libraries) | < 4 MB: $(verdict_below "$rss_mb" 4) |

Recovery is timed from the start of the replacement (the three server pods deleted, then
created with new IPs: about 10 s on the bed) to the moment a server lists the worker as alive.
On this bed dkron's built-in provider=k8s worker came back too, later and with a wide spread;
the launcher does not wait for that: it restarts dkron with the new servers as soon as none of
the servers it joined is live and its node is not an alive member.
<!-- bench:launcher:end -->
EOF
)
printf '%s\n' "$section" | sed '/^<!--/d'
bench_write_section launcher "$section"
