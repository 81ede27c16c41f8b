#!/usr/bin/env bash
# Benchmark of a rolling restart of the dkron servers at the StatefulSet
# controller's pace (tests/bed `rollout-restart`: highest ordinal first,
# the next pod once the new one is Ready), with an @every 1s job running on
# a worker. Each run gets a fresh bed with 3 servers (the kustomize base),
# one worker and the job, and measures with tests/e2e/cluster_watch.py
# (every 100 ms: who leads, which servers are Ready and in Raft with the
# leader) and the job receiver:
#   - seconds without a leader, in all and the longest stretch;
#   - leader changes;
#   - missed runs of the job;
#   - whether every server is a voter at its current IP when it ends;
#   - the rollout's duration.
# Medians over BENCH_RUNS runs are printed and written to bench/results.md
# (this benchmark's section).
#
# Usage: bench/rollout.sh   (root; dkron from the tool cache or DKRON_BIN).
# BENCH_RUNS (default 5).
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
RUNS=${BENCH_RUNS:-5}
bench_start rollout dkron-server-wrapper wrapper-lib.sh
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

one_run() {
	local t0 t1 voters=no
	bed_up
	ro_setup 3 > >(sed 's/^/  set-up: /')
	ro_watch_start >/dev/null
	t0=$(now)
	bed rollout-restart "$WR_STS" >"$E2E_WORK/rollout.log" 2>&1 || {
		cat "$E2E_WORK/rollout.log" >&2
		fail "the rollout failed"
	}
	t1=$(now)
	! wr_peers_are "${RO_PODS[@]}" || voters=yes
	sleep 1 # one more round of samples after the end
	ro_watch_stop
	ro_report "$t0" "$t1" >/dev/null
	ln_receiver_stop
	record leaderless "$(ro_result leaderless_s)"
	record leaderless_max "$(ro_result leaderless_max_s)"
	record changes "$(ro_result leader_changes)"
	record missed "$(ro_result job_missed)"
	record duration "$(ro_result rollout_s)"
	record voters_min "$(ro_result voters_min)"
	record voters_at_end "$voters"
	printf 'run: %s s, %s s without a leader (longest %s s), %s leader changes, %s missed runs, voters at current IPs at the end: %s\n' \
		"$(ro_result rollout_s)" "$(ro_result leaderless_s)" "$(ro_result leaderless_max_s)" \
		"$(ro_result leader_changes)" "$(ro_result job_missed)" "$voters"
	rm -f "$RO_SAMPLES"
	"$E2E_BED" down >/dev/null 2>&1 || true
	BED_STATE=
}

bench_runs rollout "$RUNS" one_run

at_end=$(fig voters_at_end | grep -c '^yes$' || true)
per_change() { # per_change <figure>: the median per leader change
	paste -d' ' "$E2E_WORK/fig.$1" "$E2E_WORK/fig.changes" |
		awk '{ print ($2 > 0) ? $1 / $2 : 0 }' | median
}
section=$(
	cat <<EOF
<!-- bench:rollout:begin -->
## Rolling restart of the servers

\`bench/rollout.sh\` with BENCH_RUNS=$RUNS (\`make bench\` or \`bench/run rollout\`), $STARTED, dkron v4.0.9,
$(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after. 3 servers (kustomize base), one
worker, an \`@every 1s\` job; \`bed rollout-restart\` replaces the pods as the StatefulSet controller does.
Medians of $RUNS runs (all values in brackets), seconds unless noted; "without a leader" is sampled
every 100 ms.

| figure | median | runs | target |
|---|---|---|---|
| seconds without a leader, in all | $(m leaderless) | $(all leaderless) | |
| seconds without a leader, per leader change | $(per_change leaderless) | | ≤ 2: $(verdict_at_most "$(per_change leaderless)" 2) |
| leader changes | $(m changes) | $(all changes) | ≤ 2: $(verdict_at_most "$(m changes)" 2) |
| missed runs of the @every 1s job | $(m missed) | $(all missed) | ≤ 2: $(verdict_at_most "$(m missed)" 2) |
| missed runs per leader change | $(per_change missed) | | ≤ 1: $(verdict_at_most "$(per_change missed)" 1) |
| every server a voter at its current IP when the rollout ends | $at_end of $RUNS runs | | all, at once |
| fewest servers in Raft with the leader at once | $(m voters_min) | $(all voters_min) | ≥ 2 (quorum) |
| rollout duration | $(m duration) | $(all duration) | < 60: $(verdict_at_most "$(m duration)" 60) |
<!-- bench:rollout:end -->
EOF
)
printf '%s\n' "$section" | sed '/^<!--/d'
bench_write_section rollout "$section"
