# shellcheck shell=bash
# Scenario 15 (issue 4, 6): all three server pods are deleted at once and
# created again with new IPs, their data kept. No pod bootstraps (each has
# Raft state), the servers find each other under their new addresses and
# elect a leader: three voters at the new addresses, one labelled leader.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

pods=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")
wr_apply
wr_create_pods 0 2
wr_wait 180 "cluster formed" "${pods[@]}"
declare -A old_ip=()
for p in "${pods[@]}"; do old_ip[$p]=$(wr_ip "$p"); done

log "restarting all three pods at once"
t0=$(date +%s.%N)
rs=()
for p in "${pods[@]}"; do
	bed pod-restart "$p" >"$E2E_WORK/restart-$p.log" 2>&1 &
	rs+=($!)
done
for r in "${rs[@]}"; do wait "$r" || {
	cat "$E2E_WORK"/restart-*.log >&2
	fail "pod-restart failed"
}; done
for p in "${pods[@]}"; do assert_ne "IP of $p" "${old_ip[$p]}" "$(wr_ip "$p")"; done
labelled_leader() { wr_one_labelled_leader "${pods[@]}"; }
wait_until 180 "a leader elected and labelled" labelled_leader
log "measured: leader elected and labelled $(wr_secs "$t0" "$(date +%s.%N)") s after the restart began"
wr_wait 240 "three voters at the new addresses, one labelled leader" "${pods[@]}"
log "measured: Raft configuration at the new addresses $(wr_secs "$t0" "$(date +%s.%N)") s after the restart began"
for p in "${pods[@]}"; do
	last=$(grep 'dkron-server-wrapper: starting: ' "$(pod_field "$p" log)" | tail -n 1)
	case $last in *--bootstrap-expect=*) fail "$p passed --bootstrap-expect although its data dir holds Raft state: $last" ;; esac
done
pass "no pod passed --bootstrap-expect on the restart"
