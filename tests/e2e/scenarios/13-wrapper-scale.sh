# shellcheck shell=bash
# Scenario 13 (issue 4, 4): scale 3 → 5 → 3. The two new pods join as
# voters (five voters at current addresses); scaled back to 3, the removed
# ordinals see spec.replicas=3, leave and remove themselves from Raft: the
# three remaining servers list exactly three voters, no stale peer.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

three=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")
five=("${three[@]}" "$(wr_pod 3)" "$(wr_pod 4)")
wr_apply
wr_create_pods 0 2
wr_wait 180 "cluster of three formed" "${three[@]}"

kc scale sts "$WR_STS" --replicas=5 >/dev/null
wr_create_pods 3 4
wr_wait 240 "scaled to 5: five voters at current addresses" "${five[@]}"

logs=("$(pod_field "${five[3]}" log)" "$(pod_field "${five[4]}" log)")
t0=$(date +%s.%N)
bed scale "$WR_STS" 3 >/dev/null 2>&1
log "measured: scale 5 → 3 done (both pods gone) $(wr_secs "$t0" "$(date +%s.%N)") s after it began"
for f in "${logs[@]}"; do
	grep -q 'at or above spec.replicas=3 (scaled down)' "$f" || fail "no scale-down decision in $f"
	grep -Eq 'removed dkron-server-[34] from Raft|was already out of the Raft configuration' "$f" ||
		fail "the scaled-down pod did not leave Raft (see $f)"
done
pass "both scaled-down pods decided to leave Raft for good"
wr_wait 120 "scaled to 3: three voters, no stale peer" "${three[@]}"
for p in "${three[@]}"; do
	wr_peers "$p" | grep -Eq '^dkron-server-[34] ' && fail "$p still lists a removed ordinal"
done
pass "no server lists dkron-server-3 or dkron-server-4"
