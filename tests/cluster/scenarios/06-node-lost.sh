# shellcheck shell=bash
# Scenario 06 (cluster): a node is lost. Its link goes down and its kubelet,
# kube-proxy, containers and containerd are killed; once the node controller
# marks it NotReady its pods are force-deleted (what an operator, or the
# cloud's node lifecycle, does), and the StatefulSet and Deployment
# controllers recreate them on the nodes left, with new IPs. The node holds
# one server (so that a quorum stays). Prints the time from the force-delete
# to every server a voter at its current IP, missed runs and seconds
# without a leader; then the node comes back.
# timeout: 900

cl_assert_healthy 3
node_with_one_server() {
	local n s
	for n in $(kca get nodes -o jsonpath='{.items[*].metadata.name}'); do
		s=$(kc get pods -l app.kubernetes.io/component=server --field-selector "spec.nodeName=$n" -o name | wc -l)
		if [ "$s" -eq 1 ]; then
			printf '%s\n' "$n"
			return
		fi
	done
}
# After a drain every server may sit on one node. Deleting a follower lets
# the scheduler place its replacement (the default topology spreading
# prefers the emptier node), as a user would rebalance.
node=$(node_with_one_server)
for try in 1 2 3; do
	[ -z "$node" ] || break
	leader=$(wr_labelled)
	for victim in "${CL_SERVERS[@]}"; do [ "$victim" = "$leader" ] || break; done
	log "no node holds exactly one server; deleting $victim to spread them (try $try)"
	kc delete pod "$victim" >/dev/null
	kc rollout status statefulset/dkron-server --timeout=300s >/dev/null
	cl_assert_healthy 3
	node=$(node_with_one_server)
done
[ -n "$node" ] || fail "no node holds exactly one server after 3 reschedules: $(kc get pods -o wide)"
lost=$(kc get pods --field-selector "spec.nodeName=$node" -o jsonpath='{.items[*].metadata.name}')
server=$(kc get pods -l app.kubernetes.io/component=server --field-selector "spec.nodeName=$node" -o jsonpath='{.items[0].metadata.name}')
old_ip=$(pod_field "$server" ip)
role=follower
[ "$(wr_labelled)" != "$server" ] || role=leader
log "losing $node: $lost (server $server, the $role, at $old_ip)"
cl_job_start
cl_watch_start
t0=$(date +%s.%N)
cluster node-stop "$node"
on_exit "'$CLUSTER' node-start '$node' >/dev/null 2>&1 || true"
not_ready() { [ "$(kca get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" != True ]; }
wait_until 120 "the node controller marks $node NotReady" not_ready
t_nr=$(date +%s.%N)
# shellcheck disable=SC2086 # one argument per pod
kc delete pod $lost --force --grace-period=0 >/dev/null 2>&1
t_del=$(date +%s.%N)
new_ip_voter() {
	local ip
	ip=$(pod_field "$server" ip)
	[ -n "$ip" ] && [ "$ip" != "$old_ip" ] && wr_healthy "${CL_SERVERS[@]}"
}
wait_until 300 "$server is back elsewhere at a new IP and every server is a voter at its current IP" new_ip_voter
t1=$(date +%s.%N)
printf 'RESULT node_notready_after_s %s\n' "$(wr_secs "$t0" "$t_nr")"
printf 'RESULT force_delete_to_voter_s %s (%s, the %s, %s -> %s on %s)\n' "$(wr_secs "$t_del" "$t1")" \
	"$server" "$role" "$old_ip" "$(pod_field "$server" ip)" "$(kc get pod "$server" -o jsonpath='{.spec.nodeName}')"
kc rollout status deployment/dkron-agent --timeout=300s >/dev/null
cl_report "$t0" "$(date +%s.%N)"
cluster node-start "$node"
cl_assert_healthy 3
