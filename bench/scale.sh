#!/usr/bin/env bash
# Benchmark of the fleet at size (issue 17), on the local cluster: three
# servers, then for each N in SCALE_SIZES (default "10 50 100") N workers,
# each a real dkron agent under the launcher, all started at one moment (as
# after a node-pool upgrade: the pods are made first, waiting at the bed's
# start gate, then the gate opens). For each N:
#   - join latency p50/p99: from each launcher's first log line to the
#     moment a server lists its node alive (/v1/members polled every 0.5 s);
#   - at steady state, over SCALE_STEADY s (default 90) after 80 s (the
#     adaptive check's climb from 5 s to 60 s takes 75 s): the
#     membership checks (count and answer bytes, from the launchers' own
#     counters dkron_k8s_member_checks_total and
#     dkron_k8s_member_check_bytes_total), the servers' CPU (the wrapper and
#     its dkron, from /proc: all of it, gossip included, and the wrappers'
#     alone), the API server's pod LIST/WATCH requests (its own counters)
#     and its open pod watches;
#   - the launcher's and the wrapper's VmRSS (median over the pods);
#   - dkron #1253 recovery p50/p99: all three servers replaced (new IPs),
#     from the start of the replacement (the new servers' own start
#     included) to each worker listed alive again; the workers not back
#     within SCALE_RECOVERY_LIMIT are counted, and the percentiles are over
#     those that came back.
# At the smallest N the same fleet is also run the old way
# (LAUNCHER_SERVER_STATUS_PORT=0: every check reads dkron's whole
# /v1/members; LAUNCHER_CHECK_INTERVAL_MAX=5s: no slowing down). Then a
# model for 1,000 and 5,000 workers, fitted to the measured points, with its
# assumptions. Figures are printed and written to bench/results.md (this
# benchmark's section).
#
# Usage: bench/scale.sh   (root; dkron v4.0.9 from the tool cache or
# DKRON_BIN). SCALE_SIZES, SCALE_STEADY, SCALE_RECOVERY_LIMIT (s, 600),
# SCALE_HERD_LIMIT (s, 600).
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
SIZES=${SCALE_SIZES:-10 50 100}
STEADY=${SCALE_STEADY:-90}
RECOVERY_LIMIT=${SCALE_RECOVERY_LIMIT:-600}
# The herd's bound, from the gate's opening.
HERD_LIMIT=${SCALE_HERD_LIMIT:-600}
bench_start scale dkron-agent-launcher launcher-lib.sh
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

TICKS=$(getconf CLK_TCK)
workers() { kc get pods -l "$LN_WORKER_SELECTOR" -o jsonpath='{.items[*].metadata.name}'; }
# sum <series> <pods...>: the sum of a sample over those workers' /metrics.
sum() {
	local s=$1 w total=0 v
	shift
	for w in "$@"; do
		# a worker that does not answer in 5 s counts 0 (said below)
		v=$(curl -sf --max-time 5 "http://$(pod_field "$w" ip):8081/metrics" | awk -v s="$s" '$1 == s {print $2}') ||
			printf 'bench: %s did not answer /metrics\n' "$w" >&2
		total=$(awk -v a="$total" -v b="${v:-0}" 'BEGIN { print a + b }')
	done
	printf '%s\n' "$total"
}
checks_total() {
	awk -v a="$(sum 'dkron_k8s_member_checks_total{via="wrapper"}' "$@")" \
		-v b="$(sum 'dkron_k8s_member_checks_total{via="dkron"}' "$@")" 'BEGIN { print a + b }'
}
# CPU ticks (user + system) of pid $1, and with $2 = all, of its children too.
cpu_ticks() {
	local p total=0 list=$1
	[ "${2:-}" != all ] || list="$1 $(pgrep -P "$1" | tr '\n' ' ')"
	for p in $list; do
		[ -r "/proc/$p/stat" ] || continue
		total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
	done
	printf '%s\n' "$total"
}
servers_ticks() { # servers_ticks [all]
	local p total=0
	for p in "${LN_SERVERS[@]}"; do total=$((total + $(cpu_ticks "$(pod_field "$p" pid)" "${1:-}"))); done
	printf '%s\n' "$total"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# pct <p> < values: the nearest-rank percentile (p in 0..100).
pct() { sort -g | awk -v p="$1" '{v[NR] = $1} END { if (NR == 0) { print "n/a"; exit } i = int(p * NR / 100); if (i < p * NR / 100) i++; if (i < 1) i = 1; printf "%.2f\n", v[i] }'; }

# The servers' IPs, read from the bed once and again only when none of
# them answers (a bed call costs a second or more while a herd loads the
# machine, and would set the poll's pace instead of the fleet).
SERVER_IPS=()
refresh_server_ips() { read -ra SERVER_IPS <<<"$({ ln_server_ips 2>/dev/null || true; } | tr '\n' ' ')"; }
# The worker nodes the first server that answers lists alive, one a line.
alive_workers_fast() {
	local ip
	for ip in "${SERVER_IPS[@]}"; do
		curl -sf --max-time 2 "http://$ip:8080/v1/members" 2>/dev/null |
			jq -r '.[] | select((.Tags.server // "") != "true" and .Status == 1) | .Name' && return 0
	done
	refresh_server_ips
	return 1
}

# until_all_alive <label> <t0> <limit> <pods...>: polls /v1/members every
# 0.5 s and writes "<pod> <epoch seconds first seen alive>" lines to
# $E2E_WORK/alive.<label>, a name stamped when the answer that lists it
# arrived (an upper bound: on a loaded machine the answer itself can take
# seconds; the slowest poll is recorded as poll_max_<label>); returns 1
# (saying how many) when not all are alive within limit s.
until_all_alive() {
	local label=$1 t0=$2 limit=$3 out=$E2E_WORK/alive.$1 t ask want slowest=0
	shift 3
	want=$#
	: >"$out"
	refresh_server_ips
	while :; do
		ask=$(now)
		{ alive_workers_fast || true; } >"$out.now"
		t=$(now)
		slowest=$(awk -v a="$ask" -v b="$t" -v m="$slowest" 'BEGIN { d = b - a; printf "%.2f\n", (d > m ? d : m) }')
		# the names seen so far, a "--" line, then the names alive now
		{
			cat "$out"
			echo --
			cat "$out.now"
		} | awk -v t="$t" '$0 == "--" { now = 1; next } !now { seen[$1]; next }
			!($1 in seen) { print $1, t; seen[$1] }' >"$out.new"
		cat "$out.new" >>"$out"
		printf '%s\n' "$slowest" >"$E2E_WORK/fig.poll_max_$label"
		[ "$(wc -l <"$out")" -lt "$want" ] || return 0
		if awk -v a="$t0" -v b="$t" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
			log "$label: $(wc -l <"$out") of $want workers alive after $limit s"
			return 1
		fi
		sleep 0.5
	done
}

# dkron_joined <pod> <epoch>: epoch seconds of the first "agent: joined"
# line dkron wrote in the pod's log at or after that moment: its serf join
# went through, so the servers it joined list it alive. dkron stamps whole
# seconds (the figure is floored, up to 1 s early); nothing when it has
# not joined.
dkron_joined() {
	local after=${2%.*} t d
	grep -o '^time="[^"]*" level=info msg="agent: joined' "$(pod_field "$1" log)" | cut -d'"' -f2 |
		while read -r t; do
			d=$(date -d "$t" +%s)
			[ "$d" -lt "$after" ] || {
				echo "$d"
				break
			}
		done
}

# create_workers <label> <n>: n worker pods made, each waiting at the bed's
# start gate; once all wait there, the gate opens and their launchers start
# at one moment (the bed's per-pod set-up, a kubelet's part, is left out of
# the herd). Records the set-up's duration; sets GATE_OPENED, and
# CREATES to the pod-creates still finishing (wait_creates waits for them:
# after the alive poll has started, which must not wait for the bed).
CREATES=() WORKER_PODS=()
create_workers() {
	local label=$1 n=$2 i gate=$E2E_WORK/gate.$1 t0 at
	t0=$(now)
	CREATES=()
	for ((i = 0; i < n; i++)); do
		DKRON_BED_START_GATE=$gate bed pod-create deploy/dkron-agent >/dev/null 2>&1 &
		CREATES+=($!)
	done
	until at=$(find "$DKRON_BED/pods" -path "*_dkron-agent-*" -name at-gate | wc -l) && [ "$at" -ge "$n" ]; do
		for i in "${CREATES[@]}"; do kill -0 "$i" 2>/dev/null || { wait "$i" || fail "$label: a worker's pod-create failed"; }; done
		sleep 0.5
	done
	record "created_$label" "$(ln_secs "$t0" "$(now)")"
	# the pods at the gate (a worker of the last fleet may still be in the
	# API while the bed finishes deleting it)
	read -ra WORKER_PODS <<<"$(find "$DKRON_BED/pods" -path "*_dkron-agent-*" -name at-gate |
		sed 's|/at-gate$||; s|.*/[^_/]*_||' | tr '\n' ' ')"
	GATE_OPENED=$(now)
	: >"$gate"
}
wait_creates() {
	local i
	for i in "${CREATES[@]}"; do wait "$i" || fail "a worker's pod-create failed"; done
	CREATES=()
}
delete_workers() {
	local w pids=()
	for w in $(workers); do
		bed pod-delete "$w" >/dev/null 2>&1 &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w" || true; done
}

# steady <label> <pods...>: the steady-state window.
steady() {
	local label=$1 c0 b0 c1 b1 s0 s1 w0 w1 r0 r1 t0 t1 mins
	shift
	sleep 80 # past the start and the check's climb to its slowest pace
	c0=$(checks_total "$@")
	b0=$(sum dkron_k8s_member_check_bytes_total "$@")
	s0=$(servers_ticks all)
	w0=$(servers_ticks)
	r0=$(pod_requests "LIST WATCH")
	t0=$(now)
	sleep "$STEADY" # the measurement window itself
	t1=$(now)
	r1=$(pod_requests "LIST WATCH")
	s1=$(servers_ticks all)
	w1=$(servers_ticks)
	c1=$(checks_total "$@")
	b1=$(sum dkron_k8s_member_check_bytes_total "$@")
	mins=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 60 }')
	record "checks_min_$label" "$(awk -v a="$c0" -v b="$c1" -v m="$mins" 'BEGIN { printf "%.1f", (b - a) / m }')"
	record "bytes_min_$label" "$(awk -v a="$b0" -v b="$b1" -v m="$mins" 'BEGIN { printf "%.0f", (b - a) / m }')"
	record "bytes_check_$label" "$(awk -v a="$b0" -v b="$b1" -v c="$c0" -v d="$c1" 'BEGIN { printf "%.0f", ((d - c) > 0 ? (b - a) / (d - c) : 0) }')"
	record "cpu_servers_$label" "$(awk -v a="$s0" -v b="$s1" -v t="$TICKS" -v m="$mins" 'BEGIN { printf "%.2f", (b - a) / t / m }')"
	record "cpu_wrappers_$label" "$(awk -v a="$w0" -v b="$w1" -v t="$TICKS" -v m="$mins" 'BEGIN { printf "%.3f", (b - a) / t / m }')"
	record "api_min_$label" "$(awk -v a="$r0" -v b="$r1" -v m="$mins" 'BEGIN { printf "%.1f", (b - a) / m }')"
	record "watches_$label" "$(open_pod_watches)"
}

# fleet <label> <n> [recovery]: n workers at once; the herd, the steady
# state, the RSS and, with "recovery", dkron #1253.
fleet() {
	local label=$1 n=$2 t0 pods w p j
	log "$label: creating $n workers, started at once"
	create_workers "$label" "$n"
	t0=$GATE_OPENED
	pods=("${WORKER_PODS[@]}")
	[ "${#pods[@]}" -eq "$n" ] || fail "$label: ${#pods[@]} worker pods, not $n"
	until_all_alive "join_$label" "$t0" "$HERD_LIMIT" "${pods[@]}" || fail "$label: the herd did not join"
	wait_creates
	record "herd_$label" "$(ln_secs "$t0" "$(awk '{print $2}' "$E2E_WORK/alive.join_$label" | sort -g | tail -n1)")"
	for w in "${pods[@]}"; do
		ln_secs "$(launcher_started "$w")" "$(awk -v w="$w" '$1 == w {print $2}' "$E2E_WORK/alive.join_$label")"
		echo
	done >"$E2E_WORK/join.$label"
	for w in "${pods[@]}"; do launcher_started "$w"; done | sort -g |
		awk -v t0="$t0" '{ b = $1 } END { printf "%.2f\n", b - t0 }' >"$E2E_WORK/fig.started_$label"
	record "join_p50_$label" "$(pct 50 <"$E2E_WORK/join.$label")"
	record "join_p99_$label" "$(pct 99 <"$E2E_WORK/join.$label")"
	for w in "${pods[@]}"; do
		p=$(launcher_started "$w")
		j=$(dkron_joined "$w" "$p")
		[ -z "$j" ] || awk -v a="$p" -v b="$j" 'BEGIN { printf "%.3f\n", b - a }'
	done >"$E2E_WORK/joinlog.$label"
	record "joinlog_p50_$label" "$(pct 50 <"$E2E_WORK/joinlog.$label")"
	record "joinlog_p99_$label" "$(pct 99 <"$E2E_WORK/joinlog.$label")"
	steady "$label" "${pods[@]}"
	for w in "${pods[@]}"; do rss_kb "$(pod_field "$w" pid)"; done | median >"$E2E_WORK/fig.rss_launcher_$label"
	for p in "${LN_SERVERS[@]}"; do rss_kb "$(pod_field "$p" pid)"; done | median >"$E2E_WORK/fig.rss_wrapper_$label"
	if [ "${3:-}" = recovery ]; then
		log "$label: replacing the three servers (dkron #1253)"
		t0=$(now)
		ln_replace_servers
		until_all_alive "rec_$label" "$t0" "$RECOVERY_LIMIT" "${pods[@]}" ||
			record "rec_never_$label" "$((n - $(wc -l <"$E2E_WORK/alive.rec_$label")))"
		awk -v a="$t0" '{ printf "%.3f\n", $2 - a }' "$E2E_WORK/alive.rec_$label" >"$E2E_WORK/rec.$label"
		record "rec_p50_$label" "$(pct 50 <"$E2E_WORK/rec.$label")"
		record "rec_p99_$label" "$(pct 99 <"$E2E_WORK/rec.$label")"
		for w in "${pods[@]}"; do
			j=$(dkron_joined "$w" "$t0")
			[ -z "$j" ] || awk -v a="$t0" -v b="$j" 'BEGIN { printf "%.3f\n", b - a }'
		done >"$E2E_WORK/reclog.$label"
		record "reclog_p50_$label" "$(pct 50 <"$E2E_WORK/reclog.$label")"
		record "reclog_p99_$label" "$(pct 99 <"$E2E_WORK/reclog.$label")"
		wait_until 240 "the servers have a leader and three alive servers" ln_cluster_ok >/dev/null
	fi
	log "$label: herd $(fig "herd_$label") s, join p50/p99 $(fig "join_p50_$label")/$(fig "join_p99_$label") s" \
		"(by dkron's log $(fig "joinlog_p50_$label")/$(fig "joinlog_p99_$label") s; slowest poll $(fig "poll_max_join_$label") s);" \
		"$(fig "checks_min_$label") checks/min, $(fig "bytes_min_$label") B/min ($(fig "bytes_check_$label") B a check);" \
		"servers $(fig "cpu_servers_$label") CPU s/min (wrappers $(fig "cpu_wrappers_$label"));" \
		"API $(fig "api_min_$label") pod LIST/WATCH/min, $(fig "watches_$label") open pod watches;" \
		"RSS launcher $(fig "rss_launcher_$label") kB, wrapper $(fig "rss_wrapper_$label") kB;" \
		"#1253 p50/p99 $(fig "rec_p50_$label")/$(fig "rec_p99_$label") s (by dkron's log $(fig "reclog_p50_$label")/$(fig "reclog_p99_$label") s)"
	delete_workers
}

bed_up
ln_apply
ln_servers_up >/dev/null
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
read -ra sizes <<<"$SIZES"
for n in "${sizes[@]}"; do fleet "new$n" "$n" recovery; done
SMALL=${sizes[0]}
kc set env deploy/dkron-agent LAUNCHER_SERVER_STATUS_PORT=0 LAUNCHER_CHECK_INTERVAL_MAX=5s >/dev/null
fleet "old$SMALL" "$SMALL"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
BIG=${sizes[${#sizes[@]} - 1]}

row() { # row <title> <figure>: one value per size
	local line="| $1 |" n
	for n in "${sizes[@]}"; do line+=" $(fig "$2_new$n") |"; done
	printf '%s\n' "$line"
}
head_row() {
	local line="| figure |" sep="|---|" n
	for n in "${sizes[@]}"; do line+=" $n workers |" sep+="---|"; done
	printf '%s\n%s\n' "$line" "$sep"
}

# The model. Bytes a worker costs the servers each minute: checks a
# worker-minute (measured at the largest N; the pace does not depend on N)
# times bytes a check (the wrapper's answer: constant; the old way: about
# 350 bytes a member). Server CPU: a least-squares line through the
# measured (N, CPU s/min) points, extrapolated.
cpm=$(awk -v c="$(fig "checks_min_new$BIG")" -v n="$BIG" 'BEGIN { printf "%.3f", c / n }')
cpm_old=$(awk -v c="$(fig "checks_min_old$SMALL")" -v n="$SMALL" 'BEGIN { printf "%.3f", c / n }')
bpc=$(fig "bytes_check_new$BIG")
# fit <figure>: "slope intercept" of a least-squares line through the
# measured (N, figure) points.
fit() {
	for n in "${sizes[@]}"; do printf '%s %s\n' "$n" "$(fig "$1_new$n")"; done |
		awk '{ x[NR] = $1; y[NR] = $2; sx += $1; sy += $2 } END {
			mx = sx / NR; my = sy / NR; for (i = 1; i <= NR; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2 }
			b = sxx > 0 ? sxy / sxx : 0; printf "%.6f %.4f\n", b, my - b * mx }'
}
read -r cpu_slope cpu_base <<<"$(fit cpu_servers)"
read -r wr_slope wr_base <<<"$(fit cpu_wrappers)"
model() { # model <workers>: one row of the model table
	awk -v n="$1" -v cpm="$cpm" -v bpc="$bpc" -v old="$cpm_old" -v s="$cpu_slope" -v b="$cpu_base" \
		-v ws="$wr_slope" -v wb="$wr_base" 'BEGIN {
		now = n * cpm * bpc / 60; was = n * old * 350 * (n + 3) / 60; w = wb + ws * n; c = b + s * n
		printf "| %d | %.2f | %.0f B/s (%.1f KB/s) | %.1f MB/s | %.2f s/min (%.2f %% of a core) | %.1f s/min |\n",
			n, n * cpm / 60, now, now / 1000, was / 1e6, w, w / 60 * 100, c }'
}
log "model: checks a worker-minute $cpm, bytes a check $bpc, wrappers' CPU s/min = $wr_base + $wr_slope x N, servers' = $cpu_base + $cpu_slope x N"

bench_write_section scale "<!-- bench:scale:begin -->
## The fleet at size (bench/scale.sh)

Measured $STARTED on the local cluster (2 cores, every pod on this machine):
3 servers, then ${SIZES// /, } workers in turn, each a real dkron agent under
the launcher, all of one size started at once (made first, at the bed's start gate); steady state counted over $STEADY s
after 80 s (load average before: $LOAD_BEFORE; after: $LOAD_AFTER).

$(head_row)
$(row "join latency p50, s (launcher start → listed alive)" join_p50)
$(row "join latency p99, s" join_p99)
$(row "join latency by dkron's log p50, s (launcher start → dkron logs \"joined\"; whole-second stamps)" joinlog_p50)
$(row "join latency by dkron's log p99, s" joinlog_p99)
$(row "slowest answer of the alive poll during the herd, s (the vantage's own lag)" poll_max_join)
$(row "the bed's set-up of all the pods before they start, s (a kubelet's part, not timed below)" created)
$(row "every launcher started after the gate opened, s" started)
$(row "all workers alive after the gate opened, s" herd)
$(row "membership checks a minute, fleet" checks_min)
$(row "check answer bytes a minute, fleet" bytes_min)
$(row "bytes a check" bytes_check)
$(row "servers' CPU s a minute (3 wrappers and their dkron, gossip included)" cpu_servers)
$(row "… of which the 3 wrappers" cpu_wrappers)
$(row "API server pod LIST/WATCH requests a minute" api_min)
$(row "open pod watches in the API server" watches)
$(row "launcher VmRSS, kB (median)" rss_launcher)
$(row "wrapper VmRSS, kB (median)" rss_wrapper)
$(row "#1253 recovery p50, s (3 servers replaced → worker alive again)" rec_p50)
$(row "#1253 recovery p99, s" rec_p99)
$(row "#1253 recovery by dkron's log p50, s (→ the relaunched dkron logs \"joined\")" reclog_p50)
$(row "#1253 recovery by dkron's log p99, s" reclog_p99)
$(row "… workers not back within $RECOVERY_LIMIT s" rec_never)

The old way, $SMALL workers (every check reads dkron's whole /v1/members every
5 s): $(fig "checks_min_old$SMALL") checks a minute, $(fig "bytes_min_old$SMALL") bytes a minute,
$(fig "bytes_check_old$SMALL") bytes a check; servers' CPU $(fig "cpu_servers_old$SMALL") s a minute.

Bytes the servers send a worker each minute at steady state, $BIG workers:
$(awk -v b="$(fig "bytes_min_new$BIG")" -v n="$BIG" 'BEGIN { printf "%.0f", b / n }') (target ≤ 2,000, whatever N).

### Model

Assumptions: a worker's check pace at steady state does not depend on the
fleet ($cpm checks a worker-minute, measured at $BIG workers; the adaptive
interval climbs to 60 s); a check's answer is constant ($bpc bytes); the
old way's answer is about 350 bytes a member; CPU grows linearly with the
fleet (least squares over the measured points): the wrappers', which serve
every check and read their dkron's /v1/members every 2 s, $wr_base + $wr_slope
× N s a minute; the servers' in all (wrappers and dkron: Serf gossip, Raft
and dkron's own work, the same with or without the checks), $cpu_base +
$cpu_slope × N. dkron's own gossip and Raft traffic, the same either way,
are left out of the bytes.

| workers | checks a second | check bytes from the servers | the old way | the wrappers' CPU (the checks) | the servers' CPU in all |
|---|---|---|---|---|---|
$(model 1000)
$(model 5000)
<!-- bench:scale:end -->"
