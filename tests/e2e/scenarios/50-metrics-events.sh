# shellcheck shell=bash
# Scenario 50 (issue 12): what an operator sees. Three servers and a worker
# from the kustomize base:
#   - both binaries' /metrics pass `promtool check metrics`;
#   - a leader change moves dkron_k8s_leader_changes_total by exactly one on
#     the new leader and leaves the other follower's alone;
#   - a re-join (all servers replaced, #1253) counts exactly one re-join of
#     reason joined_servers_gone and a second start of dkron;
#   - `kubectl get events` shows each server's bootstrap decision and the
#     worker's re-join, with their reasons;
#   - 50 slow clients (from another pod's network namespace) on a status
#     port: /readyz still answers within 1 s, and SIGTERM is handled within
#     1 s, for the launcher and for the wrapper.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

PROMTOOL=$DKRON_TOOLS_BIN/promtool
[ -x "$PROMTOOL" ] || fail "no promtool at $PROMTOOL (tests/bed/tools.sh fetches it)"

metrics_of() { curl -sf --max-time 2 "http://$(pod_field "$1" ip):8081/metrics"; }
# metric <pod> <series>: the sample's value ("" when absent); series as
# exposed, e.g. 'dkron_k8s_rejoins_total{reason="not_alive"}'.
metric() { metrics_of "$1" | awk -v s="$2" '$1 == s {print $2}'; }
metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }
events_json() { kc get events.events.k8s.io -o json; }
# True once an Event with reason $2 about pod $1 exists (asked anew each time).
has_event() { [ -n "$(event_note "$1" "$2")" ]; }
# The note of the latest Event with reason $2 about pod $1 ("" if none).
event_note() {
	events_json | jq -r --arg p "$1" --arg r "$2" \
		'[.items[] | select(.regarding.name == $p and .reason == $r)] | last | .note // empty'
}

ln_apply
ln_servers_up
bed pod-create deploy/dkron-agent >/dev/null
worker=$(ln_worker)
wait_until 120 "worker $worker is an alive member" ln_alive "$worker"
wait_until 60 "one labelled leader" wr_one_labelled_leader "${LN_SERVERS[@]}"

# promtool on both programs' outputs.
for p in "${LN_SERVERS[0]}" "$worker"; do
	metrics_of "$p" >"$E2E_WORK/$p.metrics" || fail "no /metrics from $p"
	"$PROMTOOL" check metrics <"$E2E_WORK/$p.metrics" >"$E2E_WORK/$p.promtool" 2>&1 ||
		fail "promtool check metrics on $p: $(cat "$E2E_WORK/$p.promtool")"
	pass "promtool check metrics passes on $p ($(grep -c '^dkron_k8s_' "$E2E_WORK/$p.metrics") samples)"
done

# Each server's bootstrap decision: one info series, and the same as an Event.
for p in "${LN_SERVERS[@]}"; do
	info=$(metrics_of "$p" | grep '^dkron_k8s_bootstrap_info{' || true)
	assert_eq "bootstrap_info series on $p" 1 "$(grep -c ' 1$' <<<"$info")"
	case "$info" in
	*'decision="expect",reason="no_leader_no_raft_state"'*) want=BootstrapExpect ;;
	*'decision="join"'*) want=JoinCluster ;;
	*) fail "unexpected bootstrap_info on $p: $info" ;;
	esac
	wait_until 30 "the $want Event about $p" has_event "$p" "$want"
	pass "$p: $(event_note "$p" "$want" | cut -c1-120)"
done

# A leader change: +1 on the new leader, nothing on the other follower.
old=$(wr_labelled)
mapfile -t rest < <(printf '%s\n' "${LN_SERVERS[@]}" | grep -vx "$old")
assert_eq "leader gauge on $old" 1 "$(metric "$old" dkron_k8s_leader)"
declare -A before
for p in "${rest[@]}"; do before[$p]=$(metric "$p" dkron_k8s_leader_changes_total); done
log "deleting the leader $old (changes before: ${rest[0]}=${before[${rest[0]}]}, ${rest[1]}=${before[${rest[1]}]})"
bed pod-delete "$old"
new_leader() { wr_one_labelled_leader "${rest[@]}"; }
wait_until 120 "a new leader among ${rest[*]}" new_leader
new=$(wr_labelled)
for p in "${rest[@]}"; do
	if [ "$p" = "$new" ]; then
		wait_until 10 "$p counts its leadership" metric_is "$p" dkron_k8s_leader_changes_total $((before[$p] + 1))
		assert_eq "leader gauge on $p" 1 "$(metric "$p" dkron_k8s_leader)"
	else
		assert_eq "leader changes on the follower $p" "${before[$p]}" "$(metric "$p" dkron_k8s_leader_changes_total)"
		assert_eq "leader gauge on $p" 0 "$(metric "$p" dkron_k8s_leader)"
	fi
done
wait_until 30 "the LeaderElected Event about $new" has_event "$new" LeaderElected
pass "leader change counted once, on $new only"
bed pod-create "sts/$LN_STS" "${old##*-}" >/dev/null 2>&1
wait_until 240 "$old back: a leader and three alive servers" ln_cluster_ok

# A re-join: every server replaced (#1253).
assert_eq "dkron starts on $worker before" 1 "$(metric "$worker" dkron_k8s_dkron_starts_total)"
ln_replace_servers
wait_until 240 "the replaced servers have a leader and three alive servers" ln_cluster_ok
if ! (wait_until 180 "worker $worker re-joined and is an alive member" ln_alive "$worker"); then
	tail -n 40 "$(pod_field "$worker" log)" | cut -c1-300
	fail "worker $worker not an alive member 180 s after the servers were replaced"
fi
assert_eq "re-joins (servers gone) on $worker" 1 \
	"$(metric "$worker" 'dkron_k8s_rejoins_total{reason="joined_servers_gone"}')"
assert_eq "re-joins (not alive) on $worker" "" "$(metric "$worker" 'dkron_k8s_rejoins_total{reason="not_alive"}')"
assert_eq "dkron starts on $worker after" 2 "$(metric "$worker" dkron_k8s_dkron_starts_total)"
note=$(event_note "$worker" Rejoin)
case "$note" in *"none of the servers it joined is live"*) ;; *) fail "Rejoin Event note: '$note'" ;; esac
pass "re-join counted once with its reason; Event: $(cut -c1-120 <<<"$note")"
kc get events --field-selector "involvedObject.name=$worker" >"$E2E_WORK/events.txt"
grep -q Rejoin "$E2E_WORK/events.txt" || fail "kubectl get events does not show the Rejoin: $(cat "$E2E_WORK/events.txt")"
pass "kubectl get events shows the re-join"

# Slow clients against a status port, from another pod; then SIGTERM.
# attack <from-pod> <target-pod> <seconds>: in the background (a child of
# this shell, for wait); its pid in ATTACK_PID.
# The script is copied into the bed's state dir: a checkout under /tmp is
# hidden inside a pod, whose /tmp is an emptyDir.
cp "$E2E_DIR/slow_clients.py" "$DKRON_BED/slow_clients.py"
attack() {
	bed exec "$1" -- python3 "$DKRON_BED/slow_clients.py" "$(pod_field "$2" ip)" 8081 50 "$3" \
		>"$E2E_WORK/attack-$2.log" 2>&1 &
	ATTACK_PID=$!
}
readyz_ms() { # the slowest of 10 /readyz answers, in ms ("fail" if one had none)
	local ip=$1 worst=0 t i
	for ((i = 0; i < 10; i++)); do
		t=$(curl -s -o /dev/null --max-time 3 -w '%{http_code} %{time_total}' "http://$ip:8081/readyz") || true
		case "$t" in 200* | 503*) ;; *) echo fail && return ;; esac
		t=$(awk -v s="${t#* }" 'BEGIN { printf "%d", s * 1000 }')
		[ "$t" -le "$worst" ] || worst=$t
		sleep 0.1
	done
	echo "$worst"
}
# sigterm_delay <pod> <log line>: SIGTERM to the pod's entrypoint; prints
# the seconds until it logged the line.
sigterm_delay() {
	local pid log t0 stamp
	pid=$(pod_field "$1" pid)
	log=$(pod_field "$1" log)
	t0=$(date +%s.%N)
	kill -TERM "$pid"
	wait_until 10 "$1 logs '$2'" grep -q "$2" "$log" >&2
	stamp=$(grep -m1 "$2" "$log" | cut -d' ' -f1)
	# the log's stamps have milliseconds: a delay below 1 ms shows as 0
	awk -v a="$t0" -v b="$(date -d "$stamp" +%s.%N)" 'BEGIN { d = b - a; printf "%.3f", (d < 0 ? 0 : d) }'
}
check_under_attack() { # check_under_attack <from> <target> <log line>
	local worst delay
	attack "$1" "$2" 12
	sleep 3
	worst=$(readyz_ms "$(pod_field "$2" ip)")
	[ "$worst" != fail ] || fail "/readyz of $2 went unanswered under 50 slow clients"
	[ "$worst" -lt 1000 ] || fail "/readyz of $2 took $worst ms under 50 slow clients"
	pass "/readyz of $2 answered within $worst ms under 50 slow clients"
	delay=$(sigterm_delay "$2" "$3")
	awk -v d="$delay" 'BEGIN { exit !(d < 1.0) }' || fail "$2 handled SIGTERM $delay s after it was sent, under attack"
	pass "$2 handled SIGTERM $delay s after it was sent, under attack"
	wait "$ATTACK_PID" || fail "the slow clients failed: $(cat "$E2E_WORK/attack-$2.log")"
	log "$(cat "$E2E_WORK/attack-$2.log")"
}
check_under_attack "${LN_SERVERS[0]}" "$worker" "received Terminated: stopping dkron"
check_under_attack "${LN_SERVERS[0]}" "${LN_SERVERS[2]}" "received Terminated: leaving the cluster"
