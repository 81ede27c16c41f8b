#!/usr/bin/env bash
# Benchmark of a server lost with its node: a follower's wrapper and dkron
# SIGKILLed (no leave), its pod made again at once at a new IP, as the
# StatefulSet controller does after a force-delete (tests/e2e/fixtures/
# rollout-lib.sh ro_node_loss). One bed of 3 servers (the kustomize base),
# one worker and an @every 1s job; BENCH_RUNS losses in turn, each once the
# cluster is healthy again. Measured per loss:
#   - the new dkron's start to its wrapper's "ready: a voter" (the issue's
#     goal: < 10 s), and the same from the wrapper's first step;
#   - the SIGKILL to every server a voter at its current IP;
#   - missed runs of the job, seconds without a leader.
# The same with the wrapper of BENCH_BEFORE_REV (default: the last commit
# before the wrapper freed its name in the peers' gossip, reclaim.h),
# built here from git, BENCH_BEFORE_RUNS times with a limit of
# BENCH_BEFORE_LIMIT s each, so that before and after come from one run.
# Medians are printed and written to bench/results.md.
#
# Usage: bench/node-loss.sh   (root; dkron from the tool cache or DKRON_BIN).
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
RUNS=${BENCH_RUNS:-5}
BEFORE_REV=${BENCH_BEFORE_REV:-c1e2468}
BEFORE_RUNS=${BENCH_BEFORE_RUNS:-2}
BEFORE_LIMIT=${BENCH_BEFORE_LIMIT:-300}
bench_start node-loss dkron-server-wrapper wrapper-lib.sh
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

# val FIGURE: the follower_FIGURE RESULT of the last loss ($out).
val() { awk -v k="follower_$1" '$1 == "RESULT" && $2 == k {print $3}' "$out"; }

# losses VARIANT N LIMIT: a fresh bed, then N follower losses, recorded
# as VARIANT_<figure>.
losses() {
	local variant=$1 n=$2 limit=$3 r leader victim
	bed_up
	ro_setup 3 > >(sed 's/^/  set-up: /')
	for ((r = 1; r <= n; r++)); do
		leader=$(wr_labelled)
		victim=
		for p in "${RO_PODS[@]}"; do [ "$p" = "$leader" ] || victim=$p; done
		out=$E2E_WORK/loss.$variant.$r
		ro_node_loss follower "$victim" "$limit" >"$out" 2>&1 || true
		record "${variant}_start" "$(val dkron_start_to_voter_s)"
		record "${variant}_wrapper" "$(val wrapper_start_to_voter_s)"
		record "${variant}_kill" "$(val kill_to_voter_s | tr -d '>')"
		record "${variant}_missed" "$(val job_missed)"
		record "${variant}_leaderless" "$(val leaderless_s)"
		printf '%s loss %s/%s (%s): dkron start to voter %s s, kill to every server a voter %s s, %s missed runs, %s s without a leader\n' \
			"$variant" "$r" "$n" "$victim" "$(val dkron_start_to_voter_s)" "$(val kill_to_voter_s)" \
			"$(val job_missed)" "$(val leaderless_s)"
		if ! (wr_wait 300 "healthy again" "${RO_PODS[@]}" >/dev/null 2>&1); then
			printf '%s: the cluster was not healthy again within 300 s; no more losses of this variant\n' "$variant"
			break
		fi
		sleep 5
	done
	ln_receiver_stop
	"$E2E_BED" down >/dev/null 2>&1 || true
	BED_STATE=
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
printf 'bench: node-loss, %s losses with this build\n' "$RUNS"
losses after "$RUNS" 120
bench_before node-loss "$BEFORE_REV" "$BEFORE_RUNS" losses losses "$BEFORE_LIMIT"
case $BENCH_BEFORE_NOTE in "the binaries"*) BENCH_BEFORE_NOTE="$BENCH_BEFORE_NOTE, each cut at $BEFORE_LIMIT s" ;; esac
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

section=$(
	cat <<EOF
<!-- bench:node-loss:begin -->
## A server lost with its node

\`bench/node-loss.sh\` with BENCH_RUNS=$RUNS (\`make bench\` or \`bench/run node-loss\`), $STARTED, dkron v4.0.9,
$(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after. 3 servers (kustomize base), one
worker, an \`@every 1s\` job. A follower's wrapper and dkron are SIGKILLed and its pod made again at
once at a new IP (a force-delete after a node loss); the next loss once the cluster is healthy.
Medians (all values in brackets), seconds. Before: $BENCH_BEFORE_NOTE.

| figure | this build | runs | before | runs | target |
|---|---|---|---|---|---|
| new dkron started → its wrapper "ready: a voter" | $(m after_start) | $(all after_start) | $(m before_start) | $(all before_start) | < 10: $(verdict_below "$(m after_start)" 10) |
| new wrapper's first step (DNS wait) → "ready: a voter" | $(m after_wrapper) | $(all after_wrapper) | $(m before_wrapper) | $(all before_wrapper) | |
| SIGKILL → every server a voter at its current IP | $(m after_kill) | $(all after_kill) | $(m before_kill) | $(all before_kill) | |
| missed runs of the @every 1s job | $(m after_missed) | $(all after_missed) | $(m before_missed) | $(all before_missed) | |
| seconds without a leader | $(m after_leaderless) | $(all after_leaderless) | $(m before_leaderless) | $(all before_leaderless) | 0 |
<!-- bench:node-loss:end -->
EOF
)
printf '%s\n' "$section" | sed '/^<!--/d'
bench_write_section node-loss "$section"
