# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted sh -c scripts expand in that shell
# Scenario 1: smoke test of the bed with plain dkron (no project binaries).
# Three dkron servers, started by the pod runner from a StatefulSet manifest,
# join each other by their pod DNS names, elect exactly one leader and list
# three alive servers; the IPs they report are the pods' IPs in the API
# (kubectl get pods -o wide) and in the bed; the readiness prober turns the
# pods Ready.

dkron_or_skip

bed apply "$(fixture dkron-smoke.yaml)"
bed scale dkron-smoke 3

pods=(dkron-smoke-0 dkron-smoke-1 dkron-smoke-2)
declare -A ip=()
for p in "${pods[@]}"; do ip[$p]=$(pod_field "$p" ip); done
expected_ips=$(printf '%s\n' "${ip[@]}" | sort | tr '\n' ' ')
log "pod IPs: $expected_ips"

leaders() {
	local p n=0
	for p in "${pods[@]}"; do
		[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://${ip[$p]}:8080/v1/isleader")" = 200 ] && n=$((n + 1))
	done
	echo "$n"
}
one_leader() { [ "$(leaders)" = 1 ]; }
wait_until 120 "a leader is elected" one_leader

alive_servers() { # IPs of the alive servers pod $1 sees
	curl -sf --max-time 2 "http://${ip[$1]}:8080/v1/members" |
		jq -r '.[] | select(.Tags.server == "true" and .Status == 1) | .Addr' | sort | tr '\n' ' '
}
all_see_three() {
	local p
	for p in "${pods[@]}"; do [ "$(alive_servers "$p")" = "$expected_ips" ] || return 1; done
}
wait_until 60 "each server lists the 3 pods as alive servers" all_see_three
assert_eq "servers in /v1/members" "$expected_ips" "$(alive_servers dkron-smoke-0)"
assert_eq "leaders" 1 "$(leaders)"

leader_name=$(curl -sf --max-time 2 "http://${ip[dkron-smoke-1]}:8080/v1/leader" | jq -r .Name)
case " ${pods[*]} " in *" $leader_name "*) pass "leader is $leader_name" ;; *) fail "unexpected leader '$leader_name'" ;; esac

wide=$(kc get pods -l app=dkron-smoke -o wide --no-headers | awk '{print $1 "=" $6}' | sort | tr '\n' ' ')
want=$(for p in "${pods[@]}"; do printf '%s=%s\n' "$p" "${ip[$p]}"; done | sort | tr '\n' ' ')
assert_eq "kubectl get pods -o wide: name=IP" "$want" "$wide"

for p in "${pods[@]}"; do
	assert_eq "DNS $p" "${ip[$p]}" "$(bed resolve "$p.dkron-smoke.default.svc.cluster.local")"
done

kc wait --for=condition=Ready pod -l app=dkron-smoke --timeout=60s
pass "the readiness prober marked all three pods Ready"
