# shellcheck shell=bash
# Scenario 44 (issue 24): a rollout of the workers the Deployment
# controller's way (maxSurge 1, maxUnavailable 0: a new worker, once it is
# an alive member the old one is deleted, one at a time), while an
# @every 1s job pinned to one of the workers runs. dkron's agent exits on
# SIGTERM before its Serf leave goes out, so the leader went on sending
# runs to a gone worker until memberlist's probes failed (about 4 lost
# runs per worker); the launcher now tells the servers it has left
# (leave_announce.h). Prints missed runs, the longest gap and the
# rollout's duration; every replaced worker's launcher must have found
# the servers told or already knowing.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"
# shellcheck source=tests/e2e/fixtures/fleet-lib.sh
. "$(fixture fleet-lib.sh)"

ro_setup 3
ro_second_worker
ro_worker_rollout
for old in $RO_OLD_WORKERS; do
	grep -qE 'told [0-9]+ of [0-9]+ servers it has left|already know this worker has left' "$E2E_WORK/$old.log" ||
		fail "$old's launcher did not say whether the servers know it left: $(tail -n 5 "$E2E_WORK/$old.log")"
	pass "$old: $(grep -oE 'told [0-9]+ of [0-9]+ servers it has left|already know this worker has left' "$E2E_WORK/$old.log" | head -n1)"
done
