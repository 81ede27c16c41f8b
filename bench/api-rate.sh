#!/usr/bin/env bash
# The launcher's Kubernetes API request rate against a misbehaving API
# server (bench/fake-api.py, no cluster, no root): one that ends every watch
# at once (200, empty body) and one that answers 410 Gone to every watch
# while its lists succeed. The built dkron-agent-launcher runs against each
# for BENCH_API_SECONDS (default 20), with a fake dkron that only sleeps;
# the requests the fake server saw (pod lists and watches) are divided by
# the time. Target: at most one request a second per launcher (no hot
# loop). Prints the figures and writes them to bench/results.md (this
# benchmark's section).
#
# Usage: bench/api-rate.sh   (needs python3 and a built launcher: make;
# BENCH_LAUNCHER=/path/to/dkron-agent-launcher measures another build)
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash" # HERE, REPO, bench_write_section
SECONDS_EACH=${BENCH_API_SECONDS:-20}
LAUNCHER=${BENCH_LAUNCHER:-$REPO/build/dkron-agent-launcher}

[ -x "$LAUNCHER" ] || {
	echo "bench/api-rate.sh: $LAUNCHER is missing; run make" >&2
	exit 1
}
command -v python3 >/dev/null || {
	echo "bench/api-rate.sh: skipped: no python3" >&2
	exit 77
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dkron-api-rate.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf 'bench-token-not-a-secret\n' >"$WORK/token"
printf '#!/bin/sh\nexec sleep 3600\n' >"$WORK/dkron"
chmod +x "$WORK/dkron"

# The sum of the pod requests (lists and watches) the fake server saw.
pod_requests() {
	curl -fsS "http://127.0.0.1:$1/_counts" |
		python3 -c 'import json, sys; c = json.load(sys.stdin); print(c["list"] + c["watch"], c["list"], c["watch"])'
}

# run_mode <mode>: prints "<requests> <lists> <watches> <seconds> <per second>".
run_mode() {
	local mode=$1 port api launcher t0 t1 counts
	rm -f "$WORK/port"
	python3 "$HERE/fake-api.py" "$mode" "$WORK/port" &
	api=$!
	PIDS+=("$api")
	for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
	[ -s "$WORK/port" ] || {
		echo "bench/api-rate.sh: the fake API server did not start" >&2
		exit 1
	}
	port=$(cat "$WORK/port")
	t0=$(date +%s.%N)
	POD_NAME=bench-worker POD_IP=127.0.0.1 POD_NAMESPACE=bench \
		"$LAUNCHER" --kube-api-url="http://127.0.0.1:$port" \
		--kube-token-file="$WORK/token" --server-namespace=bench \
		--status-port=0 --server-status-port=0 --server-http-port="$port" \
		--join-spread=0 --dkron="$WORK/dkron" >"$WORK/$mode.log" 2>&1 &
	launcher=$!
	PIDS+=("$launcher")
	sleep "$SECONDS_EACH"
	counts=$(pod_requests "$port")
	t1=$(date +%s.%N)
	kill -TERM "$launcher" 2>/dev/null || true
	wait "$launcher" 2>/dev/null || true
	kill "$api" 2>/dev/null || true
	wait "$api" 2>/dev/null || true
	# shellcheck disable=SC2086 # three numbers
	set -- $counts
	awk -v n="$1" -v l="$2" -v w="$3" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%d %d %d %.1f %.2f\n", n, l, w, t1 - t0, n / (t1 - t0) }'
}

STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
read -r END_N END_L END_W END_T END_RATE < <(run_mode end)
printf 'api-rate: every watch ended at once: %s pod requests (%s lists, %s watches) in %s s = %s/s\n' \
	"$END_N" "$END_L" "$END_W" "$END_T" "$END_RATE"
read -r GONE_N GONE_L GONE_W GONE_T GONE_RATE < <(run_mode gone)
printf 'api-rate: every watch answered 410 Gone: %s pod requests (%s lists, %s watches) in %s s = %s/s\n' \
	"$GONE_N" "$GONE_L" "$GONE_W" "$GONE_T" "$GONE_RATE"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

verdict() { verdict_at_most "$1" 1; }
section=$(
	cat <<SECTION
<!-- bench:api-rate:begin -->
## The launcher's API request rate against a misbehaving API server

\`bench/api-rate.sh\` with BENCH_API_SECONDS=$SECONDS_EACH (\`bench/run api-rate\`; no cluster,
no root: bench/fake-api.py), $STARTED, $(nproc) cores, load average $LOAD_BEFORE before and
$LOAD_AFTER after. One launcher, a fake dkron.

| the fake API server | pod requests (lists, watches) | seconds | per second | target |
|---|---|---|---|---|
| ends every watch at once (200, empty body) | $END_N ($END_L, $END_W) | $END_T | $END_RATE | ≤ 1: $(verdict "$END_RATE") |
| answers 410 Gone to every watch, lists succeed | $GONE_N ($GONE_L, $GONE_W) | $GONE_T | $GONE_RATE | ≤ 1: $(verdict "$GONE_RATE") |
<!-- bench:api-rate:end -->
SECTION
)
printf '%s\n' "$section" | sed '/^<!--/d'
bench_write_section api-rate "$section"
[ "$(verdict "$END_RATE")" = met ] && [ "$(verdict "$GONE_RATE")" = met ]
