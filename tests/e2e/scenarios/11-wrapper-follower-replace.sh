# shellcheck shell=bash
# Scenario 11 (issue 4, 2): a follower pod is deleted (SIGTERM after the API
# marks it terminating) and created again with a new IP and its data kept.
# Its wrapper leaves and stops dkron well within the grace period (the
# measured time is logged; the 75 s sleep of older wrappers is gone), treats
# it as a restart (no remove-peer of its own, not a scale-down), and the new
# pod rejoins: every server lists three voters at their current addresses,
# no stale entry.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

pods=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")
wr_apply
wr_create_pods 0 2
wr_wait 180 "cluster formed" "${pods[@]}"

leader=$(wr_leader_of "${pods[0]}")
victim=$(printf '%s\n' "${pods[@]}" | grep -vx "$leader" | head -n 1)
old_ip=$(wr_ip "$victim")
old_log=$(pod_field "$victim" log)
grace=$(kc get sts "$WR_STS" -o jsonpath='{.spec.template.spec.terminationGracePeriodSeconds}')
log "deleting follower $victim ($old_ip); leader is $leader"
t0=$(date +%s.%N)
bed pod-delete "$victim"
t1=$(date +%s.%N)
gone=$(wr_secs "$t0" "$t1")
log "measured: $victim terminated and removed $gone s after the delete (grace period ${grace} s)"
awk -v g="$gone" -v lim="$grace" 'BEGIN { exit !(g < lim) }' || fail "termination took $gone s, not within the grace period of $grace s"
pass "terminated within the grace period"
grep -q 'left the cluster in' "$old_log" || fail "the wrapper did not leave gracefully (see $old_log)"
grep -q 'a restart (ordinal' "$old_log" || fail "the wrapper did not treat the delete as a restart"
pass "graceful leave, treated as a restart (no remove-peer)"
grep -q 'shutdown finished' "$old_log" || fail "no 'shutdown finished' line"
log "wrapper: $(grep -o 'shutdown finished in [0-9]* ms' "$old_log" | tail -n 1)"

t2=$(date +%s.%N)
bed pod-create "sts/$WR_STS" "${victim##*-}" >/dev/null 2>&1
new_ip=$(wr_ip "$victim")
assert_ne "IP of the new $victim" "$old_ip" "$new_ip"
wr_wait 180 "$victim rejoined: three voters at current addresses, no stale entry" "${pods[@]}"
log "measured: $victim a voter at its new address $(wr_secs "$t2" "$(date +%s.%N)") s after it was created"
last=$(grep 'dkron-server-wrapper: starting: ' "$(pod_field "$victim" log)" | tail -n 1)
case $last in *--bootstrap-expect=*) fail "the new $victim passed --bootstrap-expect: $last" ;; esac
pass "the new $victim joined the existing cluster without --bootstrap-expect"
for p in "${pods[@]}"; do
	wr_peers "$p" | grep -q "$old_ip" && fail "$p still lists the old address $old_ip"
done
pass "no server lists the old address $old_ip"
