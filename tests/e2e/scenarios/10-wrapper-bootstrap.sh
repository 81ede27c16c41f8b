# shellcheck shell=bash
# Scenario 10 (issue 4, 1): three dkron-server pods started at once by the
# wrapper form one cluster: one leader, three voters at the pods' IPs as every
# server sees them (`dkron raft list-peers` in each pod), exactly one pod
# labelled dkron-leader=true and it is the leader dkron names; the others are
# labelled false; all three pods turn Ready (working voters).

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

pods=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")
wr_apply
t0=$(date +%s.%N)
wr_create_pods 0 2
wr_wait 180 "one leader, three voters, the leader labelled" "${pods[@]}"
log "cluster formed $(wr_secs "$t0" "$(date +%s.%N)") s after the pods were created"

leader=$(wr_leader_of "${pods[0]}")
assert_eq "pods labelled dkron-leader=true" "$leader" "$(wr_labelled)"
followers=$(kc get pods -l app.kubernetes.io/component=server,dkron-leader=false -o jsonpath='{.items[*].metadata.name}' |
	tr ' ' '\n' | sort | tr '\n' ' ')
want=$(printf '%s\n' "${pods[@]}" | grep -vx "$leader" | sort | tr '\n' ' ')
assert_eq "pods labelled dkron-leader=false" "$want" "$followers"
for p in "${pods[@]}"; do
	assert_eq "raft peers seen by $p" "$(wr_expected_peers "${pods[@]}" | tr '\n' ';')" "$(wr_peers "$p" | tr '\n' ';')"
done
# Exactly one pod bootstrapped the cluster with --bootstrap-expect=3 each.
for p in "${pods[@]}"; do
	grep -q -- '--bootstrap-expect=3' "$(pod_field "$p" log)" || fail "$p did not start dkron with --bootstrap-expect=3"
done
pass "every pod started dkron with --bootstrap-expect=3 (no cluster existed)"
kc wait --for=condition=Ready pod -l app.kubernetes.io/component=server --timeout=120s >/dev/null
pass "all three pods Ready (each a voter at its current address: /readyz)"
