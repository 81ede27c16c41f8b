# shellcheck shell=bash
# Scenario 06 (cluster): a node is lost. Its link goes down and its kubelet,
# kube-proxy, containers and containerd are killed; once the node controller
# marks it NotReady its pods are force-deleted (what an operator, or the
# cloud's node lifecycle, does), and the StatefulSet and Deployment
# controllers recreate them on the nodes left, with new IPs. The node holds
# one server (so that a quorum stays). Prints the time from the force-delete
# to every server a voter at its current IP, missed runs and seconds
# without a leader; then the node comes back. Then the same again with the
# node cordoned and its pods force-deleted at once, before the node
# controller notices (the
# peers' gossip and the leader's Raft replication still hold the old
# incarnation: the wrapper frees its name and its Raft seat); prints the
# new dkron's start to its wrapper's "ready: a voter" too.
# timeout: 1200

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
not_ready() { [ "$(kca get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" != True ]; }
new_ip_voter() { # new_ip_voter POD OLD_IP
	local ip
	ip=$(pod_field "$1" ip)
	[ -n "$ip" ] && [ "$ip" != "$2" ] && wr_healthy "${CL_SERVERS[@]}"
}

# lose_node WHEN PREFIX: WHEN is "notready" (force-delete once the node is
# NotReady) or "now" (at once); RESULT keys get PREFIX.
lose_node() {
	local when=$1 prefix=$2 node lost server old_ip role try leader victim t0 t_nr t_del t1
	cl_assert_healthy 3
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
	log "losing $node: $lost (server $server, the $role, at $old_ip); force-delete: $when"
	cl_job_start
	cl_watch_start
	t0=$(date +%s.%N)
	cluster node-stop "$node"
	on_exit "'$CLUSTER' node-start '$node' >/dev/null 2>&1 || true"
	if [ "$when" = notready ]; then
		wait_until 120 "the node controller marks $node NotReady" not_ready "$node"
		t_nr=$(date +%s.%N)
		printf 'RESULT %snode_notready_after_s %s\n' "$prefix" "$(wr_secs "$t0" "$t_nr")"
	else
		# Still Ready to the scheduler for its grace period: an operator
		# who force-deletes at once cordons the node first, or the pods
		# come back on it.
		kca cordon "$node" >/dev/null
		on_exit "'$DKRON_TOOLS_BIN/kubectl' --kubeconfig '$DKRON_CLUSTER/kubeconfig' uncordon '$node' >/dev/null 2>&1 || true"
	fi
	# shellcheck disable=SC2086 # one argument per pod
	kc delete pod $lost --force --grace-period=0 >/dev/null 2>&1
	t_del=$(date +%s.%N)
	if ! (wait_until 300 "$server is back elsewhere at a new IP and every server is a voter at its current IP" \
		new_ip_voter "$server" "$old_ip"); then
		kc get pods -o wide
		wr_dump "${CL_SERVERS[@]}"
		fail "$server was not a voter at a new IP within 300 s of the force-delete ($when)"
	fi
	t1=$(date +%s.%N)
	printf 'RESULT %sforce_delete_to_voter_s %s (%s, the %s, %s -> %s on %s)\n' "$prefix" "$(wr_secs "$t_del" "$t1")" \
		"$server" "$role" "$old_ip" "$(pod_field "$server" ip)" "$(kc get pod "$server" -o jsonpath='{.spec.nodeName}')"
	kc logs "$server" >"$E2E_WORK/$server.$prefix.log" 2>&1 || true
	printf 'RESULT %sdkron_start_to_voter_s %s\n' "$prefix" \
		"$(wr_log_secs 'starting: ' 'ready: a voter' "$E2E_WORK/$server.$prefix.log")"
	grep -o 'our last incarnation did not leave[^;]*' "$E2E_WORK/$server.$prefix.log" | sed "s/^/  $server: /" || true
	grep -o 'gave up our Raft seat at [0-9.:]*' "$E2E_WORK/$server.$prefix.log" | sed "s/^/  $server: /" || true
	kc rollout status deployment/dkron-agent --timeout=300s >/dev/null
	cl_report "$t0" "$(date +%s.%N)" | sed "s/^RESULT /RESULT $prefix/"
	cluster node-start "$node"
	[ "$when" = notready ] || kca uncordon "$node" >/dev/null
	cl_assert_healthy 3
}

lose_node notready ""
lose_node now at_once_
