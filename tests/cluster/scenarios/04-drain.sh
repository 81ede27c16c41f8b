# shellcheck shell=bash
# Scenario 04 (cluster): `kubectl drain` of a node holding a server and a
# worker, through the eviction API with the PodDisruptionBudget shipped
# (maxUnavailable 1 for the servers): its pods move to the other node(s).
# Prints missed runs, the longest gap, seconds without a leader; afterwards
# the node is uncordoned and the cluster must be healthy with every server
# a voter at its new IP.
# timeout: 900

cl_assert_healthy 3
node=""
for n in $(kca get nodes -o jsonpath='{.items[*].metadata.name}'); do
	s=$(kc get pods -l app.kubernetes.io/component=server --field-selector "spec.nodeName=$n" -o name | wc -l)
	w=$(kc get pods -l app.kubernetes.io/component=worker --field-selector "spec.nodeName=$n" -o name | wc -l)
	if [ "$s" -ge 1 ] && [ "$w" -ge 1 ]; then
		node=$n
		break
	fi
done
[ -n "$node" ] || skip "no node holds both a server and a worker: $(kc get pods -o wide)"
log "draining $node: $(kc get pods --field-selector "spec.nodeName=$node" -o jsonpath='{.items[*].metadata.name}')"
cl_job_start
cl_watch_start
t0=$(date +%s.%N)
kca drain "$node" --ignore-daemonsets --delete-emptydir-data --timeout=600s >"$E2E_WORK/drain.log" 2>&1 ||
	{
		tail -n 20 "$E2E_WORK/drain.log"
		fail "kubectl drain $node failed"
	}
kc rollout status statefulset/dkron-server --timeout=600s >/dev/null
kc rollout status deployment/dkron-agent --timeout=600s >/dev/null
t1=$(date +%s.%N)
on_exit "kca uncordon $node >/dev/null 2>&1 || true"
pass "$node drained, the workloads ready again in $(wr_secs "$t0" "$t1") s"
[ -z "$(kc get pods --field-selector "spec.nodeName=$node" -o name)" ] || fail "pods of $CL_NS are still on $node"
pass "no pod of $CL_NS is left on $node"
wr_wait 120 "every server a voter at its new IP, one labelled leader" "${CL_SERVERS[@]}"
cl_report "$t0" "$(date +%s.%N)"
kca uncordon "$node" >/dev/null
cl_assert_healthy 3
