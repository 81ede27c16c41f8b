#!/usr/bin/env bash
# Benchmark of dkron-server-wrapper on the local cluster (tests/bed), with a
# real dkron. Each run gets a fresh bed and measures:
#   - cold bootstrap: three server pods created at once, until one leader
#     lists three voters at the pods' addresses;
#   - follower replacement: pod-delete of a follower (SIGTERM, leave, stop)
#     until the pod is gone; after it is created again, until it follows the
#     leader, and until the leader lists it at its new address;
#   - leader label convergence after the leader pod is deleted: until
#     exactly one pod is labelled dkron-leader=true and it is the leader
#     dkron names (from the delete, and from the moment a new leader exists);
# and once, at steady state, the wrappers' VmRSS (the wrapper process, not
# dkron; with its anonymous and shared-library parts) and CPU over
# BENCH_STEADY seconds. Medians over BENCH_RUNS runs are
# printed and written to bench/results.md (this benchmark's section).
#
# Usage: bench/wrapper.sh   (root; DKRON_BIN=/path/to/dkron v4.0.9 unless the
# tool cache has one). BENCH_RUNS (default 5), BENCH_STEADY (default 60).
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
RUNS=${BENCH_RUNS:-5}
STEADY=${BENCH_STEADY:-60}
bench_start wrapper dkron-server-wrapper wrapper-lib.sh

# Polls a command every 0.1 s (no fixed wait: a deadline bounds it);
# fails the benchmark on timeout.
poll() { # poll <seconds> <what> cmd...
	poll_or_timeout "$@" || fail "timed out after $1 s waiting for: $2"
}
# Same, but returns 1 on timeout (the caller records it).
poll_or_timeout() {
	local deadline=$((SECONDS + $1))
	shift 2
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
bed_down() {
	"$E2E_BED" down >/dev/null 2>&1 || true
	BED_STATE=
}

pods=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")

# True when pod $1's leader lists the pods as voters at their addresses.
three_voters() {
	local l
	l=$(wr_leader_of "$1")
	[ -n "$l" ] && [ "$(wr_peers "$l")" = "$(wr_expected_peers "${pods[@]}")" ]
}
leader_exists() { [ -n "$(wr_leader_of "$1")" ]; }
# True when the current leader (as pod $1 sees it) lists $1 at address $2.
listed_at() {
	local l
	l=$(wr_leader_of "$1")
	[ -n "$l" ] && wr_peers "$l" | grep -q "^$1 $2:6868 true\$"
}
new_leader_among() { # new_leader_among <old> pods...: prints it
	local old=$1 p l
	shift
	for p in "$@"; do
		l=$(wr_leader_of "$p")
		if [ -n "$l" ] && [ "$l" != "$old" ]; then
			printf '%s\n' "$l"
			return 0
		fi
	done
	return 1
}

# Epoch seconds of the first line of file $1 matching ERE $2 that carries
# a millisecond timestamp (the wrapper's lines); empty when none.
stamp_of() {
	local iso
	iso=$(grep -E "$2" "$1" 2>/dev/null | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z' | head -n 1 || true)
	[ -z "$iso" ] || date -u -d "$iso" +%s.%N
}
# The latest of the stamps given (empty ones skipped), relative to $1.
latest_since() { # latest_since t0 stamps...
	local t0=$1
	shift
	printf '%s\n' "$@" | grep . | sort -g | tail -n 1 | awk -v t0="$t0" '{ printf "%.3f", $1 - t0 }'
}

# The cold bootstrap, step by step: pods created at t0 (the three
# pod-creates start: the API objects, then the bed's kubelet work), each
# wrapper's container running, its peers' names resolved and dkron
# started (the wrappers' log lines, millisecond stamps); then, polled every
# 0.1 s: dkron's HTTP API up on all three (it opens once serf has joined a
# peer), a leader known (GET /v1/leader 200 on any), and the leader listing
# three voters.
bootstrap_run() {
	local t0 p log c=() d=() s=() api=() healthy=() leader_at="" voters_at=""
	t0=$(now)
	wr_create_pods 0 2
	local deadline=$((SECONDS + 180))
	while [ -z "$voters_at" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "no cluster of three voters 180 s after the pods were created"
		for p in "${pods[@]}"; do
			case " ${healthy[*]} " in *" $p "*) continue ;; esac
			if curl -sf -o /dev/null --max-time 0.3 "http://$(wr_ip "$p"):8080/health"; then
				healthy+=("$p")
				api+=("$(now)")
			fi
		done
		if [ -z "$leader_at" ]; then
			for p in "${healthy[@]}"; do
				if [ -n "$(wr_leader_of "$p")" ]; then
					leader_at=$(now)
					break
				fi
			done
		fi
		if [ -n "$leader_at" ] && three_voters "${pods[0]}"; then voters_at=$(now); fi
		[ -n "$voters_at" ] || sleep 0.1
	done
	for p in "${pods[@]}"; do
		log=$(pod_field "$p" log)
		c+=("$(stamp_of "$log" 'dkron-server-wrapper: waiting for [0-9]+ peer name')")
		d+=("$(stamp_of "$log" 'dkron-server-wrapper: all [0-9]+ peer names resolve')")
		s+=("$(stamp_of "$log" 'dkron-server-wrapper: starting: ')")
	done
	record boot_running "$(latest_since "$t0" "${c[@]}")"
	record boot_dns "$(latest_since "$t0" "${d[@]}")"
	record boot_started "$(latest_since "$t0" "${s[@]}")"
	record boot_api "$(latest_since "$t0" "${api[@]}")"
	record boot_leader "$(wr_secs "$t0" "$leader_at")"
	record bootstrap "$(wr_secs "$t0" "$voters_at")"
	printf 'bootstrap: containers running %s s, names resolved %s s, dkron started %s s, API up (serf joined) %s s, leader %s s, three voters %s s\n' \
		"$(tail -n 1 "$E2E_WORK/fig.boot_running")" "$(tail -n 1 "$E2E_WORK/fig.boot_dns")" \
		"$(tail -n 1 "$E2E_WORK/fig.boot_started")" "$(tail -n 1 "$E2E_WORK/fig.boot_api")" \
		"$(tail -n 1 "$E2E_WORK/fig.boot_leader")" "$(tail -n 1 "$E2E_WORK/fig.bootstrap")"
}

one_run() {
	local t0 leader victim ip rest elected="" converged="" l voter
	bed_up
	wr_apply
	bootstrap_run

	leader=$(wr_leader_of "${pods[0]}")
	victim=$(printf '%s\n' "${pods[@]}" | grep -vx "$leader" | head -n 1)
	t0=$(now)
	bed pod-delete "$victim" >/dev/null 2>&1
	record follower_gone "$(wr_secs "$t0" "$(now)")"
	t0=$(now)
	bed pod-create "sts/$WR_STS" "${victim##*-}" >/dev/null 2>&1
	ip=$(wr_ip "$victim")
	poll 180 "$victim follows a leader" leader_exists "$victim"
	record follower_follows "$(wr_secs "$t0" "$(now)")"
	voter='>180'
	if poll_or_timeout 180 "$victim listed at $ip" listed_at "$victim" "$ip"; then
		voter=$(wr_secs "$t0" "$(now)")
		record follower_voter "$voter"
	else # dkron's reconcile never fixed the address: counted, not fatal
		record follower_voter_timeouts 1
	fi

	# The returning follower may have taken over leadership: ask again.
	l=$(wr_leader_of "${pods[0]}")
	[ "$l" = "$leader" ] || record leader_moved 1
	leader=$l
	mapfile -t rest < <(printf '%s\n' "${pods[@]}" | grep -vx "$leader")
	t0=$(now)
	bed pod-delete "$leader" >"$E2E_WORK/delete.log" 2>&1 &
	local deleter=$! deadline=$((SECONDS + 120))
	while [ -z "$converged" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the leader label did not converge in 120 s"
		if [ -z "$elected" ] && l=$(new_leader_among "$leader" "${rest[@]}"); then elected=$(now); fi
		if [ -n "$elected" ] && wr_one_labelled_leader "${rest[@]}"; then converged=$(now); fi
		[ -n "$converged" ] || sleep 0.1
	done
	wait "$deleter" || true
	record label_from_delete "$(wr_secs "$t0" "$converged")"
	record label_from_election "$(wr_secs "$elected" "$converged")"
	record election_from_delete "$(wr_secs "$t0" "$elected")"
	printf 'run: bootstrap %s s, follower gone %s s / follows %s s / voter %s s, new leader %s s, label %s s after it\n' \
		"$(tail -n 1 "$E2E_WORK/fig.bootstrap")" "$(tail -n 1 "$E2E_WORK/fig.follower_gone")" \
		"$(tail -n 1 "$E2E_WORK/fig.follower_follows")" "$voter" \
		"$(tail -n 1 "$E2E_WORK/fig.election_from_delete")" "$(tail -n 1 "$E2E_WORK/fig.label_from_election")"
	bed_down
}

# Wrapper VmRSS (kB) and CPU (% of one core) over STEADY s, per pod.
steady_state() {
	local p pid t0 t1 ticks_before=() ticks_after hz rss
	bed_up
	wr_apply
	wr_create_pods 0 2
	poll 180 "three voters" three_voters "${pods[0]}"
	poll 60 "leader labelled" wr_one_labelled_leader "${pods[@]}"
	hz=$(getconf CLK_TCK)
	for p in "${pods[@]}"; do
		pid=$(pod_field "$p" pid)
		ticks_before+=("$(awk '{print $14 + $15}' "/proc/$pid/stat")")
	done
	t0=$(now)
	sleep "$STEADY" # the measurement window itself, not a wait for a condition
	t1=$(now)
	local i=0
	for p in "${pods[@]}"; do
		pid=$(pod_field "$p" pid)
		ticks_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
		rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
		record rss_kb "$rss"
		record anon_kb "$(awk '/^Anonymous:/ {print $2}' "/proc/$pid/smaps_rollup")"
		record libs_kb "$(awk '/^Shared_Clean:/ {print $2}' "/proc/$pid/smaps_rollup")"
		record cpu_pct "$(awk -v a="${ticks_before[$i]}" -v b="$ticks_after" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
			'BEGIN { printf "%.3f", (b - a) / hz / (t1 - t0) * 100 }')"
		i=$((i + 1))
	done
	bed_down
}

bench_runs wrapper "$RUNS" one_run
printf 'bench: wrapper steady state (%s s)\n' "$STEADY"
steady_state
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

rss_mb=$(awk -v k="$(m rss_kb)" 'BEGIN { printf "%.2f", k / 1024 }')
section=$(
	cat <<EOF
<!-- bench:wrapper:begin -->
## dkron-server-wrapper

\`bench/wrapper.sh\` with BENCH_RUNS=$RUNS BENCH_STEADY=$STEADY (\`make bench\` or \`bench/run wrapper\`), $STARTED,
dkron v4.0.9, $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after. Medians of $RUNS runs
(all values in brackets), seconds unless noted.

| figure | median | runs | target |
|---|---|---|---|
| cold bootstrap: 3 pods created → leader lists 3 voters | $(m bootstrap) | $(all bootstrap) | < 5: $(verdict_below "$(m bootstrap)" 5) |
| … its steps: all three wrappers running | $(m boot_running) | $(all boot_running) | |
| … every wrapper resolved its peers' names | $(m boot_dns) | $(all boot_dns) | |
| … every dkron started | $(m boot_started) | $(all boot_started) | |
| … every dkron's HTTP API up (serf joined a peer) | $(m boot_api) | $(all boot_api) | |
| … a leader known (Raft bootstrapped and elected) | $(m boot_leader) | $(all boot_leader) | |
| follower replacement: pod-delete (SIGTERM, leave, stop) → pod gone | $(m follower_gone) | $(all follower_gone) | < 15: $(verdict_below "$(m follower_gone)" 15) |
| follower replacement: new pod created → it knows a leader | $(m follower_follows) | $(all follower_follows) | |
| follower replacement: new pod created → listed by the leader at its new address | $(m follower_voter) | $(all follower_voter) (not within 180 s: $(count follower_voter_timeouts) runs) | < 10: $(verdict_below "$(m follower_voter)" 10) |
| runs where leadership moved while the follower was replaced | $(count leader_moved) | | |
| leader deleted → new leader elected | $(m election_from_delete) | $(all election_from_delete) | |
| leader deleted → exactly the new leader labelled | $(m label_from_delete) | $(all label_from_delete) | |
| new leader elected → exactly it labelled (label convergence) | $(m label_from_election) | $(all label_from_election) | < 2: $(verdict_below "$(m label_from_election)" 2) |
| wrapper VmRSS at steady state, MB (3 pods) | $rss_mb | $(all rss_kb) kB | < 4 MB: $(verdict_below "$rss_mb" 4) |
| of which anonymous (heap, stacks, library data), kB | $(m anon_kb) | $(all anon_kb) | |
| of which shared clean (mapped library code: libcurl, OpenSSL, GnuTLS, krb5 ...), kB | $(m libs_kb) | $(all libs_kb) | |
| wrapper CPU at steady state, % of one core over $STEADY s (3 pods) | $(m cpu_pct) | $(all cpu_pct) | |

VmRSS counts every library page the process has touched: the wrapper's own memory is the
anonymous part; most of the rest is libcurl's TLS stack (Debian's libcurl loads both OpenSSL and
GnuTLS, and Kerberos, LDAP, SSH and RTMP support) mapped read-only.

The follower figures include dkron's part: the returning server joins serf, and the leader
adds it back to Raft at its new address on its next reconcile. dkron v4.0.9 never delivers
member events to that reconcile (its reconcileCh is never made), so only the periodic run does
it: every 60 s by default (57 s median before the wrapper set it), every 2 s with the wrapper's
--reconcile-interval. The bootstrap steps up to "dkron started" are read from the wrappers' log lines
(millisecond stamps); "API up" and "a leader known" are polled every 0.1 s.
<!-- bench:wrapper:end -->
EOF
)
printf '%s\n' "$section" | sed '/^<!--/d'
bench_write_section wrapper "$section"
