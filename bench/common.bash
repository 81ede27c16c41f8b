# shellcheck shell=bash
# Shared start of the benchmarks (sourced, not run: bench/run only runs
# bench/*.sh). bench_start <name> <binary> <fixture lib>: checks root, sets
# up the e2e helpers and a work dir removed on exit (with the bench's bed),
# skips (exit 77) without dkron, and makes sure the tools are built.

HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RESULTS=$HERE/results.md
BED_STATE=

bench_cleanup() {
	[ -z "$BED_STATE" ] || DKRON_BED=$BED_STATE "$E2E_BED" down >/dev/null 2>&1 || true
	rm -rf "$E2E_WORK" "${REPO:?}/${BENCH_BEFORE_BUILD:?}"
}

# bench_build_before REV: the three binaries as they were at commit REV,
# built from git into $REPO/$BENCH_BEFORE_BUILD (removed on exit), for a
# "before" measured in the same run as "after": a bed takes its binaries
# from $DKRON_BED_BUILD. Fails when git or the build cannot.
BENCH_BEFORE_BUILD=build/bench-before
bench_build_before() {
	local src=$E2E_WORK/before-src
	mkdir -p "$src" "$REPO/$BENCH_BEFORE_BUILD"
	git -C "$REPO" archive "$1" 2>/dev/null | tar -x -C "$src" 2>/dev/null || return 1
	make -C "$src" -j"$(nproc)" all >"$E2E_WORK/before-build.log" 2>&1 || return 1
	cp -f "$src"/build/dkron-server-wrapper "$src"/build/dkron-agent-launcher \
		"$src"/build/dkron-webhook-receiver "$REPO/$BENCH_BEFORE_BUILD/"
}

# bench_before NAME REV RUNS WHAT FUNCTION [ARGS...]: the "before" of a
# benchmark: FUNCTION before RUNS [ARGS...] on beds that run the binaries
# of REV (bench_build_before). Sets BENCH_BEFORE_NOTE to what "before"
# was ("the binaries of REV, RUNS WHAT", or why it was not measured).
bench_before() {
	local name=$1 rev=$2 runs=$3 what=$4 fn=$5
	shift 5
	if [ "$runs" -le 0 ]; then
		BENCH_BEFORE_NOTE="not measured (BENCH_BEFORE_RUNS=0)"
	elif ! bench_build_before "$rev"; then
		BENCH_BEFORE_NOTE="not measured: $rev could not be built from git here"
	else
		printf 'bench: %s, %s %s with the binaries of %s\n' "$name" "$runs" "$what" "$rev"
		DKRON_BED_BUILD=$BENCH_BEFORE_BUILD "$fn" before "$runs" "$@"
		BENCH_BEFORE_NOTE="the binaries of $rev, $runs $what"
	fi
}

bench_start() { # bench_start <name> <binary> <fixture lib>
	[ "$(id -u)" -eq 0 ] || {
		echo "bench/$1.sh: needs root (the local cluster); run it as root" >&2
		exit 1
	}
	E2E_DIR=$REPO/tests/e2e
	E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/dkron-bench.XXXXXX")
	export DKRON_BED_ROOT=${DKRON_BED_ROOT:-/dev/shm/dkron-bed.$(id -u)}
	# shellcheck source=tests/e2e/lib.sh
	. "$E2E_DIR/lib.sh"
	# shellcheck disable=SC1090 # the fixture lib is the caller's
	. "$(fixture "$3")"
	on_exit bench_cleanup
	trap 'exit 130' INT TERM
	if ! (dkron_or_skip) >"$E2E_WORK/skip" 2>&1; then
		cat "$E2E_WORK/skip"
		exit 77
	fi
	[ -x "$REPO/build/$2" ] || {
		echo "bench/$1.sh: build/$2 is missing; run make" >&2
		exit 1
	}
	"$REPO/tests/bed/tools.sh" >/dev/null 2>&1
}

now() { date +%s.%N; }

# record <figure> <value>: one measured value of a figure. A value that is
# no number ("?": the run never got there) is counted apart, and shown by
# `all` as "not reached", never as a figure.
record() {
	if [[ $2 =~ ^-?[0-9]+([.][0-9]+)?$ ]]; then
		printf '%s\n' "$2" >>"$E2E_WORK/fig.$1"
	else
		printf '%s\n' "$2" >>"$E2E_WORK/unmeasured.$1"
	fi
}

# A fresh bed for this benchmark (torn down on exit by bench_cleanup).
bed_up() {
	local id
	id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	BED_STATE=$DKRON_BED_ROOT/$id
	DKRON_BED_RUN_ID=$id "$E2E_BED" up --no-pointer >"$E2E_WORK/up.log" 2>&1 || {
		cat "$E2E_WORK/up.log" >&2
		fail "bed up failed"
	}
	export DKRON_BED=$BED_STATE
}
# The figures recorded so far: one value a line; their median; all of them
# sorted on one line; how many.
fig() { cat "$E2E_WORK/fig.$1" 2>/dev/null || true; }
m() { fig "$1" | median; }
all() {
	local missing
	fig "$1" | sort -g | tr '\n' ' ' | sed 's/ $//'
	missing=$(cat "$E2E_WORK/unmeasured.$1" 2>/dev/null | wc -l)
	[ "$missing" -eq 0 ] || printf ' (%s not reached)' "$missing"
}
count() { fig "$1" | wc -l; }
# "met" or "MISSED": verdict_below V LIMIT (V < LIMIT), verdict_at_most
# V LIMIT (V <= LIMIT); a figure that was not measured ("n/a") misses.
verdict_below() { awk -v v="$1" -v lim="$2" 'BEGIN { print (v != "n/a" && v < lim) ? "met" : "MISSED" }'; }
verdict_at_most() { awk -v v="$1" -v lim="$2" 'BEGIN { print (v != "n/a" && v <= lim) ? "met" : "MISSED" }'; }

# bench_runs <name> <runs> <function>: runs the function that many times,
# with the load average before and after in LOAD_BEFORE / LOAD_AFTER and
# the start in STARTED.
bench_runs() {
	local r
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
	for ((r = 1; r <= $2; r++)); do
		printf 'bench: %s run %s/%s\n' "$1" "$r" "$2"
		"$3"
	done
	LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
}

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# bench_write_section <name> <section>: replaces the benchmark's section
# (<!-- bench:<name>:begin --> to :end -->) of bench/results.md, or adds
# it; everything else in the file stays.
bench_write_section() {
	local name=$1 section=$2
	touch "$RESULTS"
	awk -v sec="$section" -v b="<!-- bench:$name:begin -->" -v e="<!-- bench:$name:end -->" '
		$0 == b { skip = 1; if (!done) { print sec; done = 1 } next }
		$0 == e { skip = 0; next }
		!skip { print }
		END { if (!done) { if (NR > 0) print ""; print sec } }' "$RESULTS" >"$RESULTS.tmp"
	grep -q '^# ' "$RESULTS.tmp" || { printf '# Benchmark results\n\n' | cat - "$RESULTS.tmp" >"$RESULTS.tmp2" && mv "$RESULTS.tmp2" "$RESULTS.tmp"; }
	mv "$RESULTS.tmp" "$RESULTS"
	printf 'bench: %s figures written to %s\n' "$name" "$RESULTS"
}

# The API server's own counts (admin credential): pod requests with the
# given verbs (apiserver_request_total), and its open pod watches.
pod_requests() {
	kc get --raw /metrics | awk -v verbs="$1" '
		/^apiserver_request_total\{/ && /resource="pods"/ {
			if (match($0, /verb="[A-Z]+"/)) { v = substr($0, RSTART + 6, RLENGTH - 7); if (index(" " verbs " ", " " v " ")) s += $NF }
		} END { printf "%d\n", s }'
}
open_pod_watches() {
	kc get --raw /metrics | awk '/^apiserver_longrunning_requests\{/ && /resource="pods"/ && /verb="WATCH"/ {s += $NF} END {printf "%d\n", s}'
}

# Epoch seconds of the first launcher log line in pod $1.
launcher_started() {
	local first
	first=$(grep -m1 'dkron-agent-launcher: ' "$(pod_field "$1" log)" | cut -d' ' -f1)
	date -d "$first" +%s.%N
}
