# shellcheck shell=bash
# What the two local clusters share (sourced by tests/bed/bed and
# tests/cluster/cluster): the state directory's settings and resources, the
# processes recorded by PID and start time, free ports and subnets, the PKI
# and kubeconfig, etcd and kube-apiserver. The sourcing script sets S (the
# state directory), RUN_ID, TIER (bed or cluster: names and the CA's
# subject), BRIDGE_IP and API_PORT (where kube-apiserver listens),
# SUBNET_BASE, CLUSTER_DOMAIN and DKRON_TOOLS_BIN, and defines say and die.
# API_AUTHZ is kube-apiserver's --authorization-mode (default RBAC).

save_setting() { printf '%s=%q\n' "$1" "$2" >>"$S/settings"; }

# Every resource is written down BEFORE it is created, so that `down` can
# remove it even when the step that created it failed halfway.
note_resource() { printf '%s %s\n' "$1" "$2" >>"$S/resources"; }

# ------------------------------------------------------------ processes ---

# Start time of a process in clock ticks since boot (field 22 of stat); the
# pair (pid, start time) identifies a process even after its PID is reused.
proc_start_time() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	printf '%s\n' "${20}"
}

proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	printf '%s\n' "${stat%% *}"
}

# True when pid is still the process recorded with that start time (and not
# a zombie waiting for its parent).
proc_is() {
	local pid=$1 start=$2 t st
	t=$(proc_start_time "$pid") || return 1
	[ "$t" = "$start" ] || return 1
	st=$(proc_state "$pid") || return 1
	[ "$st" != Z ] && [ "$st" != X ]
}

record_pid() {
	local role=$1 pid=$2 start
	start=$(proc_start_time "$pid") || start=gone
	printf '%s %s %s\n' "$role" "$pid" "$start" >>"$S/pids"
	printf '%s\n' "$start"
}

# Sends SIGTERM, waits up to <grace> seconds, then SIGKILL; only to the
# recorded process. Returns once it is gone.
stop_proc() {
	local pid=$1 start=$2 grace=${3:-10} deadline
	proc_is "$pid" "$start" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	kill -CONT "$pid" 2>/dev/null || true # a frozen one must see the TERM
	deadline=$((SECONDS + grace))
	while proc_is "$pid" "$start" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
	if proc_is "$pid" "$start"; then
		kill -KILL "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 10))
		while proc_is "$pid" "$start" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
	fi
	! proc_is "$pid" "$start" || say "warning: pid $pid did not exit after SIGKILL"
}

# Ends what is left of a container's process group (its own children), like
# the kubelet ending the container's cgroup. A process group ID can't be
# reused while the group has members, so this reaches only them.
kill_group_rest() {
	kill -KILL -- "-$1" 2>/dev/null || true
}

# Starts a long-running process in its own session, output to a log.
# Prints "pid start".
start_daemon() {
	local role=$1 log=$2
	shift 2
	setsid "$@" >>"$log" 2>&1 </dev/null &
	local pid=$! start
	start=$(record_pid "$role" "$pid")
	printf '%s %s\n' "$pid" "$start"
}

wait_for() { # wait_for <seconds> <what> cmd...: polls cmd until it succeeds
	local limit=$1 deadline
	shift 2
	deadline=$((SECONDS + limit))
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}


# A free loopback port below the kernel's ephemeral range (so no outgoing
# connection can be holding it), not used by any TCP socket in any state.
pick_port() {
	local low p
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$low" -gt 12000 ] || low=32768
	while :; do
		p=$((10000 + RANDOM % (low - 10000)))
		[ -z "$(ss -Htan "sport = :$p")" ] && break
	done
	printf '%s\n' "$p"
}

# Picks a /24 in $SUBNET_BASE.0.0/16 that no interface or route uses yet.
pick_subnet() {
	local used k i
	used=$( (ip -o -4 addr show; ip -4 route show table all) 2>/dev/null | grep -o "$SUBNET_BASE\.[0-9]*\." | sort -u || true)
	k=$((RANDOM % 256))
	for ((i = 0; i < 256; i++)); do
		if ! grep -qx "$SUBNET_BASE\.$k\." <<<"$used"; then
			printf '%s.%s\n' "$SUBNET_BASE" "$k"
			return 0
		fi
		k=$(((k + 1) % 256))
	done
	die "no free /24 left in $SUBNET_BASE.0.0/16"
}

# The switch: a bridge in a network namespace of its own (SWITCH_NS), and
# one veth whose root-netns end (HOST_LINK) carries BRIDGE_IP, the .1 of a
# free /24 of SUBNET_BASE (PREFIX). Sets PREFIX and BRIDGE_IP.
make_switch() {
	note_resource netns "$SWITCH_NS"
	note_resource link "$HOST_LINK"
	ip netns add "$SWITCH_NS"
	ip -n "$SWITCH_NS" link add br0 type bridge
	ip -n "$SWITCH_NS" link set br0 up
	ip link add "$HOST_LINK" type veth peer name up0 netns "$SWITCH_NS"
	ip -n "$SWITCH_NS" link set up0 master br0 up
	# Picking the subnet and taking it (the host link's address) happen under
	# one lock so that two clusters starting at once don't pick the same /24.
	exec 8>"$ROOT/.subnet.lock"
	flock 8
	PREFIX=$(pick_subnet)
	BRIDGE_IP=$PREFIX.1
	ip addr add "$BRIDGE_IP/24" dev "$HOST_LINK"
	ip link set "$HOST_LINK" up
	flock -u 8
	exec 8>&-
}

make_pki() {
	local d=$S/pki
	mkdir -p "$d"
	(
		cd "$d" || exit
		local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
		openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 7 -subj "/CN=dkron-$TIER-ca-$RUN_ID" 2>/dev/null
		openssl req -new "${ec[@]}" -keyout apiserver.key -out apiserver.csr -subj /CN=kube-apiserver 2>/dev/null
		{
			printf 'subjectAltName=IP:%s,IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,' "$BRIDGE_IP"
			printf 'DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.%s\n' "$CLUSTER_DOMAIN"
			printf 'extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
		} >apiserver.ext
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
			-extfile apiserver.ext -out apiserver.crt 2>/dev/null
		openssl ecparam -name prime256v1 -genkey -noout -out sa.key
		openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null
		printf '%s,admin,bed-admin,"system:masters"\n' "$ADMIN_TOKEN" >tokens.csv
		printf 'Authorization: Bearer %s\n' "$ADMIN_TOKEN" >auth-header
		chmod 600 ./*.key tokens.csv auth-header
	)
}

write_kubeconfig() {
	cat >"$S/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: dkron-$TIER-$RUN_ID
  cluster:
    server: https://$BRIDGE_IP:$API_PORT
    certificate-authority: $S/pki/ca.crt
users:
- name: admin
  user:
    token: $ADMIN_TOKEN
contexts:
- name: dkron-$TIER-$RUN_ID
  context:
    cluster: dkron-$TIER-$RUN_ID
    user: admin
    namespace: default
current-context: dkron-$TIER-$RUN_ID
EOF
	chmod 600 "$S/kubeconfig"
}

# Starts etcd on two free loopback ports; a port taken between the check and
# the bind (another program's race) gets another try on new ports.
start_etcd() {
	local cport pport try pid start
	for try in 1 2 3; do
		cport=$(pick_port)
		pport=$(pick_port)
		[ "$cport" != "$pport" ] || continue
		ETCD_URL=http://127.0.0.1:$cport
		rm -rf "$S/etcd"
		mkdir -p "$S/etcd"
		read -r pid start < <(start_daemon etcd "$S/logs/etcd.log" "$DKRON_TOOLS_BIN/etcd" --name "$TIER" \
			--data-dir "$S/etcd" --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
			--listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
			--initial-cluster "$TIER=http://127.0.0.1:$pport" --unsafe-no-fsync --log-level warn)
		if wait_for 30 etcd etcd_up_or_dead "$pid" "$start" && etcd_healthy; then
			save_setting ETCD_URL "$ETCD_URL"
			return 0
		fi
		proc_is "$pid" "$start" && break # running but not healthy: no point retrying
		say "etcd failed to start (try $try); retrying on other ports"
	done
	fail_with_log "etcd did not become healthy in 30 s" etcd
}
etcd_up_or_dead() { etcd_healthy || ! proc_is "$1" "$2"; }
etcd_healthy() { curl -sf --max-time 2 "$ETCD_URL/health" 2>/dev/null | grep -q '"health":"true"'; }

start_apiserver() {
	local p=$S/pki
	start_daemon kube-apiserver "$S/logs/kube-apiserver.log" "$DKRON_TOOLS_BIN/kube-apiserver" \
		--etcd-servers="$ETCD_URL" \
		--bind-address="$BRIDGE_IP" --advertise-address="$BRIDGE_IP" --secure-port="$API_PORT" \
		--tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
		--client-ca-file="$p/ca.crt" --token-auth-file="$p/tokens.csv" \
		--authorization-mode="${API_AUTHZ:-RBAC}" \
		--service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
		--service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
		--service-cluster-ip-range=10.96.0.0/24 --allow-privileged=true \
		--cert-dir="$p/generated" --profiling=false "$@" >/dev/null
	wait_for 90 kube-apiserver apiserver_ready || fail_with_log "kube-apiserver not ready in 90 s" kube-apiserver
}
apiserver_ready() { [ "$(curl -sk --max-time 2 "https://$BRIDGE_IP:$API_PORT/readyz" 2>/dev/null)" = ok ]; }

fail_with_log() {
	say "$1; last lines of $S/logs/$2.log:"
	tail -n 25 "$S/logs/$2.log" >&2 || true
	exit 1
}
