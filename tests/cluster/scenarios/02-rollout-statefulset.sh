# shellcheck shell=bash
# Scenario 02 (cluster): `kubectl rollout restart statefulset` under the
# real StatefulSet controller (OrderedReady, highest ordinal first, the next
# pod once the kubelet's readiness probe passes on the new one), an @every
# 1s job running. When `kubectl rollout status` reports done, every server
# must be a voter at its current IP, one labelled leader; at every moment
# with a leader a quorum in Raft with it. Prints missed runs, the longest
# gap, seconds without a leader and each server's time to a voter.
# timeout: 900

cl_assert_healthy 3
cl_job_start
cl_watch_start
t0=$(date +%s.%N)
kc rollout restart statefulset/dkron-server >/dev/null
kc rollout status statefulset/dkron-server --timeout=600s >/dev/null || fail "the rollout did not finish in 600 s"
t1=$(date +%s.%N)
if ! wr_peers_are "${CL_SERVERS[@]}"; then
	wr_dump "${CL_SERVERS[@]}"
	fail "when the rollout reported done, not every server was a voter at its current IP"
fi
pass "when the rollout reported done, every server was a voter at its current IP"
sleep 1
cl_report "$t0" "$t1"
cl_report_voter_times
voters_min=$(ro_result voters_min)
[ "$voters_min" -ge 2 ] || fail "only $voters_min of 3 servers were in Raft with the leader at one point"
pass "at least $voters_min of 3 servers were in Raft with the leader throughout"
cl_assert_healthy 3
