# shellcheck shell=bash
# Scenario 42 (issue 11): a rolling restart of 3 servers with a node drain
# in the middle. The rollout is staged with the StatefulSet's partition,
# as a canary: first only dkron-server-2 (partition 2; the others must keep
# their revision). Then a drain evicts dkron-server-0 (bed drain: through
# the PDB, maxUnavailable 1), and as soon as it does, the partition drops
# to 0 and the rollout goes on (it acts once the drain has created the pod
# again: the two take turns, as the API server serialises them). The StatefulSet controller looks only at
# the pods above the one it replaces, so it deletes dkron-server-1 while
# dkron-server-0 is still out: the PDB does not stop a controller.
# dkron-server-1's wrapper does: its quorum guard waits for dkron-server-0
# to be a voter again before it leaves. At no moment with a leader are
# fewer than a quorum of the servers in Raft with it.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

ro_setup 3
revision() { kc get pod "$1" -o jsonpath='{.metadata.labels.controller-revision-hash}'; }
before0=$(revision "$(wr_pod 0)")
set_partition() {
	kc patch sts "$WR_STS" --type=merge -p "{\"spec\": {\"updateStrategy\": {\"rollingUpdate\": {\"partition\": $1}}}}" >/dev/null
}

ro_watch_start
t0=$(date +%s.%N)
set_partition 2
bed rollout-restart "$WR_STS" 2>&1 | grep -v '^bed: pod ' || fail "the canary rollout failed"
assert_eq "revision of $(wr_pod 1) (below the partition)" "$before0" "$(revision "$(wr_pod 1)")"
assert_ne "revision of $(wr_pod 2) (at the partition)" "$before0" "$(revision "$(wr_pod 2)")"
old1_log=$(pod_field "$(wr_pod 1)" log)
log "draining $(wr_pod 0); the rollout goes on as soon as the eviction began"
bed drain "$(wr_pod 0)" >"$E2E_WORK/drain.out" 2>&1 &
drainer=$!
terminating() { [ -n "$(kc get pod "$1" -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; }
wait_until 60 "$(wr_pod 0) is being evicted" terminating "$(wr_pod 0)"
set_partition 0
bed rollout "$WR_STS" 2>&1 | grep -v '^bed: pod ' || fail "the rollout failed"
wait "$drainer" || {
	cat "$E2E_WORK/drain.out"
	fail "the drain failed"
}
grep -v '^bed: pod ' "$E2E_WORK/drain.out"
t1=$(date +%s.%N)
sleep 1 # one more round of samples after the end
ro_watch_stop
ro_report "$t0" "$t1"
log "$(wr_pod 1)'s $(grep -o 'quorum guard: .*\|waiting before leaving: .*\|quorum is safe after .*' "$old1_log" | tr '\n' ' ')"
ro_assert_end
