# shellcheck shell=bash
# Scenario 43: a follower's node is lost, the bed's way (the bed has no
# nodes): every process of the server's container is SIGKILLed at once (no
# leave, no shutdown), then the pod is deleted and made again with a new IP,
# as the StatefulSet controller does after a force-delete. The same fault as
# the real tier's scenario 06 from its force-delete on; prints the time from
# the new pod to every server a voter at its current IP, missed runs of the
# @every 1s job and seconds without a leader.
# timeout: 600

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

ro_setup 3
leader=$(wr_labelled)
for p in "${RO_PODS[@]}"; do [ "$p" = "$leader" ] || victim=$p; done
old_ip=$(wr_ip "$victim")
ro_watch_start
t0=$(date +%s.%N)
pid=$(pod_field "$victim" pid)
kill -KILL -- "-$pid" # the container's process group: the wrapper and dkron
log "SIGKILLed $victim's container (the follower, at $old_ip)"
t_del=$(date +%s.%N)
bed pod-restart "$victim" 2>&1 | grep -v '^bed: pod ' || fail "pod-restart of $victim failed"
new_ip_voter() {
	local ip
	ip=$(wr_ip "$victim")
	[ -n "$ip" ] && [ "$ip" != "$old_ip" ] && wr_healthy "${RO_PODS[@]}"
}
wait_until 300 "$victim is back at a new IP and every server is a voter at its current IP" new_ip_voter
t1=$(date +%s.%N)
printf 'RESULT force_delete_to_voter_s %s (%s, %s -> %s)\n' "$(wr_secs "$t_del" "$t1")" "$victim" "$old_ip" "$(wr_ip "$victim")"
sleep 1
ro_watch_stop
ro_report "$t0" "$t1"
ro_assert_end
