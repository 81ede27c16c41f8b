#!/usr/bin/env bash
# Benchmark of a rollout of the workers the Deployment controller's way
# (maxSurge 1, maxUnavailable 0; tests/e2e/fixtures/rollout-lib.sh
# ro_worker_rollout) with an @every 1s job pinned to one of two workers.
# One bed of 3 servers (the kustomize base) and two workers; BENCH_RUNS
# rollouts in turn. Measured per rollout: missed runs of the job, the
# longest gap between two runs, the rollout's duration. The same with the
# launcher of BENCH_BEFORE_REV (default: the last commit before the
# launcher told the servers its worker left, leave_announce.h), built here
# from git, so that before and after come from one run. Medians are
# printed and written to bench/results.md.
#
# Usage: bench/worker-rollout.sh   (root; dkron from the tool cache or DKRON_BIN).
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
RUNS=${BENCH_RUNS:-5}
BEFORE_REV=${BENCH_BEFORE_REV:-c1e2468}
BEFORE_RUNS=${BENCH_BEFORE_RUNS:-3}
bench_start worker-rollout dkron-agent-launcher launcher-lib.sh
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/fleet-lib.sh
. "$(fixture fleet-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

# val FIGURE: that RESULT of the last rollout ($out).
val() { awk -v k="$1" '$1 == "RESULT" && $2 == k {print $3}' "$out"; }

# rollouts VARIANT N: a fresh bed, then N worker rollouts, recorded as
# VARIANT_<figure>.
rollouts() {
	local variant=$1 n=$2 r
	bed_up
	{ ro_setup 3 && ro_second_worker; } > >(sed 's/^/  set-up: /')
	for ((r = 1; r <= n; r++)); do
		out=$E2E_WORK/rollout.$variant.$r
		ro_worker_rollout >"$out" 2>&1
		record "${variant}_missed" "$(val job_missed)"
		record "${variant}_gap" "$(val job_gap_max_s)"
		record "${variant}_duration" "$(val workers_rollout_s)"
		printf '%s rollout %s/%s: %s missed runs, longest gap %s s, %s s\n' "$variant" "$r" "$n" \
			"$(val job_missed)" "$(val job_gap_max_s)" "$(val workers_rollout_s)"
		sleep 3
	done
	ln_receiver_stop
	"$E2E_BED" down >/dev/null 2>&1 || true
	BED_STATE=
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
printf 'bench: worker-rollout, %s rollouts with this build\n' "$RUNS"
rollouts after "$RUNS"
bench_before worker-rollout "$BEFORE_REV" "$BEFORE_RUNS" rollouts rollouts
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

section=$(
	cat <<EOF2
<!-- bench:worker-rollout:begin -->
## A rollout of the workers

\`bench/worker-rollout.sh\` with BENCH_RUNS=$RUNS (\`make bench\` or \`bench/run worker-rollout\`), $STARTED, dkron v4.0.9,
$(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after. 3 servers (kustomize base), two
workers, an \`@every 1s\` job on one of them (\`pool: launcher:1\`); each rollout replaces both workers
one at a time, a new one first (maxSurge 1, maxUnavailable 0). Medians (all values in brackets).
Before: $BENCH_BEFORE_NOTE.

| figure | this build | runs | before | runs | target |
|---|---|---|---|---|---|
| missed runs of the job, per rollout (2 workers replaced) | $(m after_missed) | $(all after_missed) | $(m before_missed) | $(all before_missed) | 0: $(verdict_at_most "$(m after_missed)" 0) |
| longest gap between two runs (s) | $(m after_gap) | $(all after_gap) | $(m before_gap) | $(all before_gap) | |
| rollout duration (s) | $(m after_duration) | $(all after_duration) | $(m before_duration) | $(all before_duration) | |
<!-- bench:worker-rollout:end -->
EOF2
)
printf '%s\n' "$section" | sed '/^<!--/d'
bench_write_section worker-rollout "$section"
