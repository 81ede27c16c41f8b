# shellcheck shell=bash
# Scenario 12 (issue 4, 3): the leader pod is deleted. Its wrapper labels it
# follower and leaves; the two others elect a new leader, the leader label
# moves to it (exactly one pod labelled, the right one), and the old pod,
# created again with a new IP, comes back as a follower of the new leader.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

pods=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")
wr_apply
wr_create_pods 0 2
wr_wait 180 "cluster formed" "${pods[@]}"

old=$(wr_leader_of "${pods[0]}")
mapfile -t rest < <(printf '%s\n' "${pods[@]}" | grep -vx "$old")
old_log=$(pod_field "$old" log)
log "deleting the leader $old"
t0=$(date +%s.%N)
bed pod-delete "$old"
log "measured: $old gone $(wr_secs "$t0" "$(date +%s.%N)") s after the delete"
sed -n '/received Terminated/,$p' "$old_log" | grep -q "labelled pod $old dkron-leader=false" ||
	fail "the old leader's wrapper did not label itself follower on SIGTERM"
pass "the old leader labelled itself follower on SIGTERM"

new_leader() { wr_one_labelled_leader "${rest[@]}"; }
wait_until 120 "a new leader among ${rest[*]}, and only it labelled" new_leader
log "measured: new leader labelled $(wr_secs "$t0" "$(date +%s.%N)") s after the delete began"
new=$(wr_leader_of "${rest[0]}")
assert_ne "new leader" "$old" "$new"
assert_eq "pods labelled dkron-leader=true" "$new" "$(wr_labelled)"

bed pod-create "sts/$WR_STS" "${old##*-}" >/dev/null 2>&1
wr_wait 180 "$old back: three voters at current addresses, one labelled leader" "${pods[@]}"
assert_eq "leader after $old came back" "$new" "$(wr_leader_of "$old")"
assert_eq "label of $old" false "$(kc get pod "$old" -o jsonpath='{.metadata.labels.dkron-leader}')"
