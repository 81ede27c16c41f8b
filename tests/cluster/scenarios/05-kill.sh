# shellcheck shell=bash
# Scenario 05 (cluster): crashes the kubelet must handle. `kill -9` of dkron
# inside a follower's container (the wrapper sees its child die), then of a
# follower's wrapper, PID 1 of its container (signalled from the host, as
# the OOM killer would). Each time the kubelet restarts the container
# (restartCount + 1) and the server is a voter again; prints the time to
# that.
# timeout: 600

cl_assert_healthy 3
restarts() { kc get pod "$1" -o jsonpath='{.status.containerStatuses[0].restartCount}'; }
restarted() { [ "$(restarts "$1")" -gt "$2" ] && [ "$(kc get pod "$1" -o jsonpath='{.status.containerStatuses[0].ready}')" = true ]; }
# A follower not hit yet (a second crash of the same container would wait
# out the kubelet's crash-loop back-off, 10 s, on top).
hit=" "
pick_follower() {
	local p leader
	leader=$(wr_labelled)
	for p in "${CL_SERVERS[@]}"; do
		[ "$p" = "$leader" ] || [[ $hit == *" $p "* ]] || {
			printf '%s\n' "$p"
			return
		}
	done
}
for what in dkron wrapper; do
	f=$(pick_follower)
	[ -n "$f" ] || fail "no follower left that was not hit yet"
	hit+="$f "
	before=$(restarts "$f")
	t0=$(date +%s.%N)
	if [ "$what" = dkron ]; then
		cluster kill-process "$CL_NS/$f" dkron KILL
	else
		cluster kill-container "$CL_NS/$f" "" KILL
	fi
	wait_until 180 "the kubelet restarted $f's container after the $what SIGKILL and it is Ready" restarted "$f" "$before"
	wr_wait 120 "every server a voter at its current IP after the $what SIGKILL" "${CL_SERVERS[@]}"
	t1=$(date +%s.%N)
	printf 'RESULT kill_%s_to_voter_s %s (%s, restartCount %s -> %s)\n' "$what" "$(wr_secs "$t0" "$t1")" "$f" "$before" "$(restarts "$f")"
done
cl_assert_healthy 3
