# shellcheck shell=bash
# Scenario 07 (cluster): `kubectl scale` of the servers 3 → 5 → 3. The
# staging overlay's Role names the pods dkron-server-0..2 (least privilege),
# so the Role is widened to five names first, as rbac/kustomization.yaml says
# to do for more servers. At 5, five voters at their IPs; back at 3, three (the
# scaled-down servers removed from Raft by their wrappers).
# timeout: 900

cl_assert_healthy 3
five=(dkron-server-0 dkron-server-1 dkron-server-2 dkron-server-3 dkron-server-4)
names=$(printf '%s\n' "${five[@]}" | jq -R . | jq -sc .)
rule=$(kc get role dkron-server -o json | jq '[.rules | to_entries[] | select(.value.resources == ["pods"] and (.value.resourceNames // [] | length) > 0) | .key][0]')
[ "$rule" != null ] || fail "the dkron-server Role has no rule naming the server pods"
kc patch role dkron-server --type=json -p "[{\"op\": \"replace\", \"path\": \"/rules/$rule/resourceNames\", \"value\": $names}]" >/dev/null
cl_job_start
cl_watch_start
t0=$(date +%s.%N)
kc scale statefulset/dkron-server --replicas=5 >/dev/null
kc rollout status statefulset/dkron-server --timeout=600s >/dev/null || fail "5 servers not ready in 600 s"
wr_wait 120 "5 servers: every one a voter at its current IP, one labelled leader" "${five[@]}"
t1=$(date +%s.%N)
printf 'RESULT scale_up_s %s\n' "$(wr_secs "$t0" "$t1")"
kc scale statefulset/dkron-server --replicas=3 >/dev/null
gone() { [ -z "$(kc get pods dkron-server-3 dkron-server-4 -o name 2>/dev/null)" ]; }
wait_until 300 "dkron-server-3 and -4 are gone" gone
wr_wait 120 "3 servers: every one a voter at its current IP (3 and 4 removed from Raft)" "${CL_SERVERS[@]}"
t2=$(date +%s.%N)
printf 'RESULT scale_down_s %s\n' "$(wr_secs "$t1" "$t2")"
cl_report "$t0" "$t2"
cl_assert_healthy 3
