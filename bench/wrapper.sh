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

one_run() {
	local t0 t1 leader victim ip rest elected="" converged="" l voter
	bed_up
	wr_apply
	t0=$(now)
	wr_create_pods 0 2
	poll 180 "three voters" three_voters "${pods[0]}"
	t1=$(now)
	record bootstrap "$(wr_secs "$t0" "$t1")"

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

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%MZ)
for ((r = 1; r <= RUNS; r++)); do
	printf 'bench: wrapper run %s/%s\n' "$r" "$RUNS"
	one_run
done
printf 'bench: wrapper steady state (%s s)\n' "$STEADY"
steady_state
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

fig() { cat "$E2E_WORK/fig.$1" 2>/dev/null || true; }
m() { fig "$1" | median; }
all() { fig "$1" | sort -g | tr '\n' ' ' | sed 's/ $//'; }
count() { fig "$1" | wc -l; }
verdict() { awk -v v="$1" -v lim="$2" 'BEGIN { print (v < lim) ? "met" : "MISSED" }'; }
rss_mb=$(awk -v k="$(m rss_kb)" 'BEGIN { printf "%.2f", k / 1024 }')
section=$(
	cat <<EOF
<!-- bench:wrapper:begin -->
## dkron-server-wrapper

\`bench/wrapper.sh\` with BENCH_RUNS=$RUNS BENCH_STEADY=$STEADY (\`make bench\` or \`bench/run wrapper\`), $started,
dkron v4.0.9, $(nproc) cores, load average $load_before before and $load_after after. Medians of $RUNS runs
(all values in brackets), seconds unless noted.

| figure | median | runs | target |
|---|---|---|---|
| cold bootstrap: 3 pods created → leader lists 3 voters | $(m bootstrap) | $(all bootstrap) | |
| follower replacement: pod-delete (SIGTERM, leave, stop) → pod gone | $(m follower_gone) | $(all follower_gone) | < 15: $(verdict "$(m follower_gone)" 15) |
| follower replacement: new pod created → it knows a leader | $(m follower_follows) | $(all follower_follows) | |
| follower replacement: new pod created → listed by the leader at its new address | $(m follower_voter) | $(all follower_voter) (not within 180 s: $(count follower_voter_timeouts) runs) | |
| runs where leadership moved while the follower was replaced | $(count leader_moved) | | |
| leader deleted → new leader elected | $(m election_from_delete) | $(all election_from_delete) | |
| leader deleted → exactly the new leader labelled | $(m label_from_delete) | $(all label_from_delete) | |
| new leader elected → exactly it labelled (label convergence) | $(m label_from_election) | $(all label_from_election) | < 2: $(verdict "$(m label_from_election)" 2) |
| wrapper VmRSS at steady state, MB (3 pods) | $rss_mb | $(all rss_kb) kB | < 4 MB: $(verdict "$rss_mb" 4) |
| of which anonymous (heap, stacks, library data), kB | $(m anon_kb) | $(all anon_kb) | |
| of which shared clean (mapped library code: libcurl, OpenSSL, GnuTLS, krb5 ...), kB | $(m libs_kb) | $(all libs_kb) | |
| wrapper CPU at steady state, % of one core over $STEADY s (3 pods) | $(m cpu_pct) | $(all cpu_pct) | |

VmRSS counts every library page the process has touched: the wrapper's own memory is the
anonymous part; most of the rest is libcurl's TLS stack (Debian's libcurl loads both OpenSSL and
GnuTLS, and Kerberos, LDAP, SSH and RTMP support) mapped read-only.

Both "new pod created" figures are dkron's, not the wrapper's (its part ends in about 1 s with
dkron started and joined to serf): the leader keeps dialling the old address until the new one
arrives in serf, and its Raft then reaches the returning server after a back-off ("knows a
leader"); it rewrites the server's address in the Raft configuration (and adds a new server) only
in its periodic reconcile (every 60 s), because the serf join reaches it coalesced into a
member-update ("listed at its new address").
<!-- bench:wrapper:end -->
EOF
)
printf '%s\n' "$section" | sed '/^<!--/d'
touch "$RESULTS"
# Replace this benchmark's section, keep everything else in the file.
awk -v sec="$section" '
	/^<!-- bench:wrapper:begin -->$/ { skip = 1; if (!done) { print sec; done = 1 } next }
	/^<!-- bench:wrapper:end -->$/ { skip = 0; next }
	!skip { print }
	END { if (!done) { if (NR > 0) print ""; print sec } }' "$RESULTS" >"$RESULTS.tmp"
grep -q '^# ' "$RESULTS.tmp" || { printf '# Benchmark results\n\n' | cat - "$RESULTS.tmp" >"$RESULTS.tmp2" && mv "$RESULTS.tmp2" "$RESULTS.tmp"; }
mv "$RESULTS.tmp" "$RESULTS"
printf 'bench: wrapper figures written to %s\n' "$RESULTS"
