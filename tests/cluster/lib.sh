# shellcheck shell=bash
# Helpers of the real-cluster scenarios (tests/cluster/scenarios), sourced
# after tests/e2e/lib.sh and the bed scenarios' fixtures (wrapper-lib.sh,
# launcher-lib.sh), whose views of dkron they reuse: on this tier a pod's IP
# comes from the API and is reached from the host through the cluster's
# routes, kubectl is the cluster's, and the job receiver runs on the host at
# the cluster's host IP as on the bed. Every scenario works on the staging
# overlay deployed by 01 in namespace $CL_NS, and leaves it healthy.

CLUSTER=$E2E_REPO/tests/cluster/cluster
CL_NS=dkron-staging
CL_SERVERS=(dkron-server-0 dkron-server-1 dkron-server-2)
CL_TOKEN=cluster-every-second
# shellcheck disable=SC2034 # used by rollout-lib.sh (the job its report counts)
RO_TOKEN=$CL_TOKEN
export CLUSTER_WATCH_NAMESPACE=$CL_NS
# The bed helpers read the host IP from here (ln_receiver_start).
# shellcheck disable=SC2034 # used by launcher-lib.sh
DKRON_BED=$DKRON_CLUSTER

kc() { "$DKRON_TOOLS_BIN/kubectl" --kubeconfig "$DKRON_CLUSTER/kubeconfig" -n "$CL_NS" "$@"; }
kca() { "$DKRON_TOOLS_BIN/kubectl" --kubeconfig "$DKRON_CLUSTER/kubeconfig" "$@"; }
cluster() { "$CLUSTER" "$@"; }

# pod_field POD ip|log: the pod's IP, or a file holding its container's
# log (as `kubectl logs` gives it now).
pod_field() {
	case $2 in
	ip) kc get pod "$1" -o jsonpath='{.status.podIP}{"\n"}' 2>/dev/null || true ;;
	log)
		mkdir -p "$E2E_WORK/logs"
		kc logs "$1" >"$E2E_WORK/logs/$1.log" 2>&1 || true
		printf '%s\n' "$E2E_WORK/logs/$1.log"
		;;
	*) fail "pod_field: '$2' is known on the bed only" ;;
	esac
}

# The receiver on the host (one per scenario) and the job, @every 1s on one
# worker; jobs from an earlier scenario are replaced.
cl_job_start() {
	ln_receiver_start
	ln_job_tagged every-second '{"pool":"workers:1"}' "$CL_TOKEN" "@every 1s"
	wait_until 60 "the @every 1s job runs" ln_count_above "$CL_TOKEN" 3
}

cl_workers() { kc get pods -l "$LN_WORKER_SELECTOR" -o jsonpath='{range .items[?(@.status.phase=="Running")]}{.metadata.name}{"\n"}{end}'; }
cl_workers_alive() {
	local w n=0
	for w in $(cl_workers); do
		ln_alive "$w" || return 1
		n=$((n + 1))
	done
	[ "$n" -eq "$1" ]
}

# The leader Service's EndpointSlices hold exactly the labelled leader's IP,
# ready (the real endpoint-slice controller reading the label).
cl_leader_slice_ok() {
	local leader ip got
	leader=$(wr_labelled)
	[ -n "$leader" ] && [ "${leader// /}" = "$leader" ] || return 1
	ip=$(pod_field "$leader" ip)
	got=$(kc get endpointslices -l kubernetes.io/service-name=dkron-server-leader -o json |
		jq -r '[.items[].endpoints[]? | select(.conditions.ready == true) | .addresses[]] | sort | join(" ")')
	[ "$got" = "$ip" ]
}

# The healthy end state: N servers, one labelled leader all agree on, every
# server a voter at its current IP, the leader slice right, W workers alive.
cl_assert_healthy() {
	local w=$1 within=${2:-120}
	wr_wait "$within" "${#CL_SERVERS[@]} servers: one labelled leader, every server a voter at its current IP" "${CL_SERVERS[@]}"
	wait_until "$within" "the leader Service's EndpointSlice holds exactly the labelled leader" cl_leader_slice_ok
	wait_until "$within" "$w workers are alive members" cl_workers_alive "$w"
}

# The watcher of leaders, voters and ready servers (tests/e2e/cluster_watch.py
# in API mode) and its report, as rollout-lib.sh does on the bed.
cl_watch_start() {
	# shellcheck disable=SC2034 # used by rollout-lib.sh
	RO_PODS=("${CL_SERVERS[@]}")
	ro_watch_start
}
cl_report() { # cl_report START END: RESULT lines (and $E2E_WORK/report)
	ro_watch_stop
	ro_report "$1" "$2"
}

# Seconds from pod P's creation to its wrapper's "ready: a voter" line (the
# first after that creation), from the API and the container's log.
cl_voter_after_create() {
	local p=$1 created ready
	created=$(kc get pod "$p" -o jsonpath='{.metadata.creationTimestamp}')
	ready=$(kc logs "$p" 2>/dev/null | sed -n 's/^\([0-9T:.-]*Z\) INFO  dkron-server-wrapper: ready: a voter.*/\1/p' | sed -n 1p)
	[ -n "$ready" ] || return 1
	awk -v a="$(date -d "$created" +%s.%N)" -v b="$(date -d "$ready" +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }'
}

# RESULT lines of each server's time to a voter since its pod was made.
cl_report_voter_times() {
	local p t
	for p in "${CL_SERVERS[@]}"; do
		t=$(cl_voter_after_create "$p") || t=none
		printf 'RESULT voter_after_create_s %s %s\n' "$p" "$t" | tee -a "$E2E_WORK/report"
	done
}
