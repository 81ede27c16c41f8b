# shellcheck shell=bash
# Scenario 14 (issue 4, 5): a server is SIGKILLed (no leave, no self-removal:
# its Raft entry stays) and then scaled away. The leader's wrapper sees a Raft
# peer whose pod is not among the desired replicas and whose member has been
# failed longer than --dead-peer-after (5 s here), and removes it: three
# voters remain, no stale peer.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

three=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")
four=("${three[@]}" "$(wr_pod 3)")
wr_apply
wr_set_env WRAPPER_DEAD_PEER_AFTER=5s WRAPPER_DEAD_PEER_INTERVAL=2s
wr_create_pods 0 2
wr_wait 180 "cluster of three formed" "${three[@]}"
kc scale sts "$WR_STS" --replicas=4 >/dev/null
wr_create_pods 3 3
wr_wait 180 "four voters" "${four[@]}"

victim=${four[3]}
[ "$(wr_leader_of "${three[0]}")" != "$victim" ] || skip "the new pod became leader; the scenario needs it to be a follower"
bed kill "$victim" KILL >/dev/null 2>&1
gone() { [ "$(pod_field "$victim" alive)" = false ]; }
wait_until 20 "$victim's wrapper and dkron killed" gone
t0=$(date +%s.%N)
bed scale "$WR_STS" 3 >/dev/null 2>&1
kc get pod "$victim" >/dev/null 2>&1 && fail "$victim still in the API after scale 3"
pass "$victim scaled away without a graceful stop"

still_listed() { wr_peers "${three[0]}" | grep -q "^$victim "; }
still_listed || fail "$victim already left Raft: the scenario needs a stale entry"
pass "$victim is still a Raft peer right after the scale-down"
wr_wait 120 "dead-peer cleanup: three voters, $victim gone" "${three[@]}"
log "measured: $victim removed from Raft $(wr_secs "$t0" "$(date +%s.%N)") s after the scale-down"
leader=$(wr_leader_of "${three[0]}")
f=$(pod_field "$leader" log)
grep -q "removing stale peer $victim" "$f" || fail "the leader's wrapper did not log the removal (see $f)"
grep -q "removed stale peer $victim from Raft" "$f" || fail "no 'removed stale peer' line in $f"
pass "the leader's wrapper removed $victim: $(grep -m1 -o "removing stale peer $victim.*" "$f")"
