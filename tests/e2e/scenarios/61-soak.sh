# shellcheck shell=bash
# timeout: 840
# Scenario 61 (issue 15): a chaos soak. Three servers and two workers from
# the kustomize base (the Role ready for five servers), one @every 1s job on
# the workers counted by the job receiver; then, for SOAK_MINUTES (default
# 5, as in CI; `make soak` runs it longer), a seeded random schedule of faults, one
# every 10-40 s and never before the previous one settled:
#   kill_server      SIGKILL of a random server's container; the bed does
#                    not restart containers, so after 2-10 s (the kubelet's
#                    restart) the pod is created again (new IP, data kept)
#   delete_leader    the labelled leader pod deleted, then created again
#   delete_follower  a random follower pod deleted, then created again
#   api_stop         kube-apiserver stopped for 5-20 s, then started
#   api_freeze       kube-apiserver frozen (SIGSTOP) for 5-20 s, then thawed
#   delete_worker    a random worker pod deleted while a new one is created
#                    (as a Deployment replaces it)
#   scale            the servers scaled 3 -> 5, settled, then 5 -> 3
#   replace_all      all servers deleted, then created again (dkron #1253)
# SOAK_SEED (default random; printed) seeds bash's RANDOM, from which the
# whole schedule (kinds, gaps, targets, durations) is drawn up front: the
# same seed replays the same schedule.
#
# Invariants:
#   - every second, the pods labelled dkron-leader=true (terminating pods
#     aside: they are no Service endpoint) are sampled; two or more seen
#     in a row over more than 2 s is a violation;
#   - each fault must settle within SOAK_SETTLE_S (default 120) of the end
#     of its action: all servers agree on one leader, exactly that pod is
#     labelled, every server lists exactly the current servers as voters
#     at their current IPs (no stale peer), every worker is an alive
#     member, and the job has run again;
#   - the same at the end; the runner checks that no process or namespace
#     is left behind.
# The report (RESULT lines; also in build/soak/, with the pods' logs): faults by kind, invariant
# violations (any fails the scenario), missed job runs per fault kind (from
# each fault's start to its settling; "between" is the rest of the soak),
# the longest gap between two runs, each kind's slowest settling; running
# servers the cluster dropped (out of the leader's Raft configuration, or
# its Serf member held failed or left, while the server ran on and was not
# stopping) and the longest such drop; the wrappers' name reclaims and
# refutes (server-wrapper/reclaim.h).

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/fleet-lib.sh
. "$(fixture fleet-lib.sh)"

SOAK_MINUTES=${SOAK_MINUTES:-5}
SOAK_SEED=${SOAK_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
SOAK_SETTLE_S=${SOAK_SETTLE_S:-120}
[[ $SOAK_MINUTES =~ ^[1-9][0-9]*$ ]] || fail "SOAK_MINUTES must be a whole number of minutes, at least 1"
[[ $SOAK_SEED =~ ^[0-9]+$ ]] || fail "SOAK_SEED must be a non-negative integer"
[[ $SOAK_SETTLE_S =~ ^[1-9][0-9]*$ ]] || fail "SOAK_SETTLE_S must be a whole number of seconds"
# The runner ends a scenario after E2E_SCENARIO_TIMEOUT (this file's
# "timeout:" line, or more):
# set up, the soak, the last fault's settling and the report must fit.
need=$((SOAK_MINUTES * 60 + 3 * SOAK_SETTLE_S + 120))
[ "${E2E_SCENARIO_TIMEOUT:-600}" -ge "$need" ] ||
	fail "a $SOAK_MINUTES-minute soak needs E2E_SCENARIO_TIMEOUT >= $need (use: make soak SOAK_MINUTES=$SOAK_MINUTES)"

OUT=$E2E_REPO/build/soak
TOKEN=soak
KINDS=(kill_server delete_leader delete_follower api_stop api_freeze delete_worker scale replace_all)
log "soak: SOAK_SEED=$SOAK_SEED SOAK_MINUTES=$SOAK_MINUTES (replay: SOAK_SEED=$SOAK_SEED SOAK_MINUTES=$SOAK_MINUTES tests/e2e/run 61-soak)"
printf 'RESULT soak_seed %s\n' "$SOAK_SEED"

# The schedule, drawn from the seed before anything else uses RANDOM: per
# fault its kind, the gap before it, and two draws for its target and its
# duration (how each kind uses them is in its function).
RANDOM=$SOAK_SEED
F_KIND=() F_GAP=() F_P1=() F_P2=()
for ((i = 0; i < 1000; i++)); do
	F_KIND+=("${KINDS[RANDOM % ${#KINDS[@]}]}")
	F_GAP+=($((10 + RANDOM % 31)))
	F_P1+=("$RANDOM")
	F_P2+=("$RANDOM")
done

now() { date +%s.%N; }

# ---------------------------------------------------------------- cluster ---

fleet_up
mapfile -t SERVERS < <(servers 3)
ln_receiver_start
ln_job every-second launcher "$TOKEN" "@every 1s"
wait_until 60 "the @every 1s job runs" ln_count_above "$TOKEN" 2

# ---------------------------------------------------------------- monitor ---

# Every second: "<time> <live> <names>" for the pods labelled leader, where
# <live> counts those not terminating; "<time> ?" when the API did not
# answer within 2 s.
SAMPLES=$E2E_WORK/leader-labels
monitor() {
	local t out e live names
	while :; do
		t=$(now)
		if out=$(kc get pods -l "app.kubernetes.io/component=server,dkron-leader=true" --request-timeout=2s \
			-o jsonpath='{range .items[*]}{.metadata.name}/{.metadata.deletionTimestamp} {end}' 2>/dev/null); then
			live=0 names=""
			for e in $out; do
				[[ $e == */ ]] && live=$((live + 1))
				names+=" $e"
			done
			printf '%s %s%s\n' "$t" "$live" "$names"
		else
			printf '%s ?\n' "$t"
		fi
		sleep "$(awk -v a="$t" -v b="$(now)" 'BEGIN { d = 1 - (b - a); printf "%.3f", (d > 0 ? d : 0) }')"
	done
}
monitor >"$SAMPLES" 2>/dev/null </dev/null &
MONITOR_PID=$!
monitor_stop() {
	[ -z "${MONITOR_PID:-}" ] || kill "$MONITOR_PID" 2>/dev/null || true
	MONITOR_PID=
}
on_exit monitor_stop

# Stretches with two or more live pods labelled leader, from the samples:
# the time from the first to the last sample of a stretch that saw them (a
# lower bound of how long it lasted: no false alarm from the sampling). A
# sample without an answer neither starts nor ends a stretch. Prints one
# line per stretch over 2 s ("violation <start> <seconds> <pods>"), then
# "max <seconds>".
double_labels() {
	awk '$2 == "?" { next }
		$2 >= 2 { if (s == "") { s = $1; who = $0 } last = $1; next }
		s != "" { d = last - s; if (d > max) max = d
			if (d > 2) printf "violation %s %.1f %s\n", s, d, who
			s = "" }
		END { if (s != "") { d = last - s; if (d > max) max = d
				if (d > 2) printf "violation %s %.1f %s\n", s, d, who }
			printf "max %.1f\n", max }' "$SAMPLES"
}

# ----------------------------------------------------------------- faults ---

# Each runs its fault's action and returns when it is done (the pods it
# deleted are created again); its settling is waited for by the caller.
# $1 and $2 are the fault's two draws.
labelled_leader() {
	local l
	l=$(wr_labelled)
	[[ $l =~ ^$WR_STS-[0-9]+$ ]] || fail "expected one labelled leader before the fault, got '$l'"
	printf '%s\n' "$l"
}
fault_kill_server() {
	local pod=${SERVERS[$1 % ${#SERVERS[@]}]} wait_s=$((2 + $2 % 9))
	log "fault: SIGKILL $pod's container ($([ "$pod" = "$(wr_labelled)" ] && echo leader || echo follower)); created again in $wait_s s"
	bed kill "$pod" KILL >/dev/null 2>&1
	sleep "$wait_s"
	bed pod-restart "$pod" >/dev/null 2>&1
}
fault_delete_leader() {
	local pod
	pod=$(labelled_leader)
	log "fault: delete leader $pod"
	bed pod-delete "$pod" >/dev/null 2>&1
	bed pod-create "sts/$WR_STS" "${pod##*-}" >/dev/null 2>&1
}
fault_delete_follower() {
	local leader followers pod
	leader=$(labelled_leader)
	mapfile -t followers < <(printf '%s\n' "${SERVERS[@]}" | grep -vx "$leader")
	pod=${followers[$1 % ${#followers[@]}]}
	log "fault: delete follower $pod"
	bed pod-delete "$pod" >/dev/null 2>&1
	bed pod-create "sts/$WR_STS" "${pod##*-}" >/dev/null 2>&1
}
# Should the scenario end mid-outage, the API server comes back first.
api_back() { bed api-thaw >/dev/null 2>&1 || bed api-start >/dev/null 2>&1 || true; }
on_exit api_back
# The outage counts from the stop's start: kube-apiserver's own shutdown
# (up to the bed's 20 s grace) may make it longer than drawn.
fault_api_stop() {
	local down=$((5 + $1 % 16)) t=$SECONDS
	log "fault: kube-apiserver stopped for $down s"
	bed api-stop >/dev/null 2>&1
	[ $((SECONDS - t)) -ge "$down" ] || sleep $((down - (SECONDS - t)))
	bed api-start >/dev/null 2>&1
	log "kube-apiserver answers again, $((SECONDS - t)) s after the stop began"
}
fault_api_freeze() {
	local down=$((5 + $1 % 16))
	log "fault: kube-apiserver frozen for $down s"
	bed api-freeze >/dev/null 2>&1
	sleep "$down"
	bed api-thaw >/dev/null 2>&1
}
fault_delete_worker() {
	local list pod pid
	read -ra list < <(workers)
	pod=${list[$1 % ${#list[@]}]}
	log "fault: delete worker $pod, a new one created meanwhile"
	bed pod-delete "$pod" >"$E2E_WORK/worker-delete.log" 2>&1 &
	pid=$!
	bed pod-create deploy/dkron-agent >/dev/null 2>&1
	wait "$pid" || {
		cat "$E2E_WORK/worker-delete.log" >&2
		fail "pod-delete of worker $pod failed"
	}
}
fault_scale() {
	log "fault: scale 3 -> 5"
	bed scale "$WR_STS" 5 >/dev/null 2>&1
	mapfile -t SERVERS < <(servers 5)
	settle "$FAULT_I" scale_up "$(now)" || return 1
	log "fault: scale 5 -> 3"
	bed scale "$WR_STS" 3 >/dev/null 2>&1
	mapfile -t SERVERS < <(servers 3)
}
fault_replace_all() {
	log "fault: all servers replaced at once"
	ln_replace_servers
}

# ------------------------------------------------------------ settling ---

# The first settle condition not met, or nothing when settled. $1: the
# time (date +%s.%N) after which the job must have run.
unsettled() {
	local since=$1 w last
	wr_peers_are "${SERVERS[@]}" || {
		echo "not every server a voter at its current IP, or a stale peer"
		return
	}
	wr_one_labelled_leader "${SERVERS[@]}" || {
		echo "not exactly one agreed, labelled leader (labelled: '$(wr_labelled 2>/dev/null || true)')"
		return
	}
	for w in $(workers); do
		ln_alive "$w" || {
			echo "worker $w not an alive member"
			return
		}
	done
	last=$(ln_times "$TOKEN" | tail -n 1)
	awk -v a="$since" -v b="${last:-0}" 'BEGIN { exit !(b > a) }' || echo "no job run since the fault"
}

VIOLATIONS=$E2E_WORK/violations
: >"$VIOLATIONS"
violation() {
	log "VIOLATION: $*"
	printf '%s\n' "$*" >>"$VIOLATIONS"
}

# settle I STEP SINCE: waits up to SOAK_SETTLE_S for fault I's step to
# settle; a violation (with the cluster's state) when it does not.
settle() {
	local i=$1 step=$2 since=$3 deadline=$((SECONDS + SOAK_SETTLE_S)) why last=""
	while :; do
		why=$(unsettled "$since")
		[ -n "$why" ] || return 0
		# What it waits for, each time that changes (the timeline).
		[ "$why" = "$last" ] || log "  $step: waiting: $why"
		last=$why
		if [ "$SECONDS" -ge "$deadline" ]; then
			violation "fault $i ($step) not settled within $SOAK_SETTLE_S s: $why"
			wr_dump "${SERVERS[@]}"
			return 1
		fi
		sleep 0.5
	done
}

# ------------------------------------------------------------------ soak ---

FAULTS=$E2E_WORK/faults # "<index> <kind> <start> <action end> <settled>"
: >"$FAULTS"
T_START=$(now)
END=$((SECONDS + SOAK_MINUTES * 60))
next=$((SECONDS + F_GAP[0]))
broken=0
FAULT_I=0
log "soak: $SOAK_MINUTES min; first fault in ${F_GAP[0]} s"
while [ "$next" -lt "$END" ]; do
	[ "$SECONDS" -ge "$next" ] || sleep $((next - SECONDS))
	kind=${F_KIND[FAULT_I]}
	s0=$SECONDS
	t0=$(now)
	log "fault $FAULT_I: $kind"
	if ! "fault_$kind" "${F_P1[FAULT_I]}" "${F_P2[FAULT_I]}"; then
		broken=1
		break
	fi
	t1=$(now)
	if ! settle "$FAULT_I" "$kind" "$t1"; then
		broken=1
		break
	fi
	t2=$(now)
	printf '%s %s %s %s %s\n' "$FAULT_I" "$kind" "$t0" "$t1" "$t2" >>"$FAULTS"
	log "fault $FAULT_I: $kind settled $(wr_secs "$t1" "$t2") s after its action ($(wr_secs "$t0" "$t2") s after it began)"
	FAULT_I=$((FAULT_I + 1))
	# The next fault: its gap after this one began, at least 5 s after
	# this one settled.
	next=$((s0 + F_GAP[FAULT_I]))
	[ "$next" -ge $((SECONDS + 5)) ] || next=$((SECONDS + 5))
done
if [ "$broken" -eq 0 ]; then
	settle end end "$(now)" || broken=1
fi
T_END=$(now)
monitor_stop

# ----------------------------------------------------------------- report ---

mkdir -p "$OUT"
ln_times "$TOKEN" | sort -n >"$E2E_WORK/job.times"
double_labels >"$E2E_WORK/double-labels"
while read -r _ start secs who; do
	violation "two pods labelled leader for $secs s from $start:$who"
done < <(grep '^violation ' "$E2E_WORK/double-labels" || true)
{
	printf 'RESULT soak_seed %s\n' "$SOAK_SEED"
	printf 'RESULT soak_minutes %s\n' "$SOAK_MINUTES"
	printf 'RESULT soak_duration_s %s\n' "$(wr_secs "$T_START" "$T_END")"
	printf 'RESULT settle_bound_s %s\n' "$SOAK_SETTLE_S"
	printf 'RESULT faults %s\n' "$(wc -l <"$FAULTS")"
	# Missed runs in a window [a, b]: between consecutive runs (and the
	# window's ends) a gap of n seconds misses round(n) - 1 runs.
	awk -v t0="$T_START" -v t1="$T_END" -v kinds="${KINDS[*]}" '
		FNR == NR { run[++n] = $1; next }
		{ w++; wk[w] = $2; wa[w] = $3; wb[w] = $5 }
		function missed(a, b,   i, p, m, g) {
			p = a; m = 0
			for (i = 1; i <= n; i++) if (run[i] >= a && run[i] <= b) {
				g = int(run[i] - p + 0.5) - 1; if (g > 0) m += g; p = run[i] }
			g = int(b - p + 0.5) - 1; if (g > 0) m += g
			return m
		}
		END {
			split(kinds, k, " ")
			for (j = 1; j <= w; j++) { had[wk[j]] = 1; cnt[wk[j]]++; ms[wk[j]] += missed(wa[j], wb[j])
				s = wb[j] - wa[j]; if (s > slow[wk[j]]) slow[wk[j]] = s }
			for (i = 1; i in k; i++) printf "RESULT faults_%s %d\n", k[i], cnt[k[i]]
			for (i = 1; i in k; i++) printf "RESULT missed_%s %d\n", k[i], ms[k[i]]
			# between faults: the soak minus the windows
			p = t0; b = 0
			for (j = 1; j <= w; j++) { b += missed(p, wa[j]); p = wb[j] }
			b += missed(p, t1)
			printf "RESULT missed_between %d\n", b
			for (i = 1; i in k; i++) if (k[i] in had) printf "RESULT settle_max_%s_s %.1f\n", k[i], slow[k[i]]
			p = t0; gap = 0; at = t0
			for (i = 1; i <= n; i++) if (run[i] >= t0 && run[i] <= t1) {
				if (run[i] - p > gap) { gap = run[i] - p; at = p }; p = run[i] }
			if (t1 - p > gap) { gap = t1 - p; at = p }
			gk = "between"
			for (j = 1; j <= w; j++) if (at + gap >= wa[j] && at <= wb[j]) gk = wk[j]
			printf "RESULT job_runs %d\n", n
			printf "RESULT longest_gap_s %.2f\n", gap
			printf "RESULT longest_gap_during %s\n", gk
		}' "$E2E_WORK/job.times" "$FAULTS"
	# A running server dropped by the cluster: after its wrapper said
	# "ready", within the same dkron run and before any SIGTERM, the
	# leader no longer listed it in Raft or held its Serf member failed or
	# left; how often, and the longest until it was a voter again.
	TZ=UTC awk '
		function ts(s, t) { gsub(/[-T:Z]/, " ", s); split(s, t, " ")
			return mktime(t[1] " " t[2] " " t[3] " " t[4] " " t[5] " 0") + t[6] }
		FNR == 1 || /^=== .* start / { ready = 0; stopping = 0; down = "" }
		/dkron-server-wrapper: received .*: leaving/ { stopping = 1 }
		/dkron-server-wrapper: starting: / { ready = 0; down = "" }
		/dkron-server-wrapper: ready: a voter/ {
			if (down != "") { d = ts($1) - down; if (d > max) max = d; down = "" }
			ready = 1 }
		/dkron-server-wrapper: not ready: (not in the Raft configuration|the leader .* sees this server.s Serf member)/ {
			if (ready && !stopping && down == "") { down = ts($1); n++ }
			ready = 0 }
		/dkron-server-wrapper: the servers held this running server/ { refutes++ }
		/dkron-server-wrapper: our last incarnation did not leave/ { reclaims++ }
		END { printf "RESULT live_server_dropped %d\n", n
			printf "RESULT live_server_dropped_max_s %.1f\n", max
			printf "RESULT names_reclaimed %d\n", reclaims
			printf "RESULT refuted_for_dkron %d\n", refutes }' "$DKRON_BED"/logs/*_dkron-server-*.log 2>/dev/null || true
	printf 'RESULT double_label_max_s %s\n' "$(sed -n 's/^max //p' "$E2E_WORK/double-labels")"
	printf 'RESULT violations %s\n' "$(wc -l <"$VIOLATIONS")"
} >"$E2E_WORK/report"
log "faults (seconds from the soak's start: began, action done, settled):"
awk -v t0="$T_START" '{ printf "    %3d %-16s %7.1f %7.1f %7.1f\n", $1, $2, $3 - t0, $4 - t0, $5 - t0 }' "$FAULTS"
cat "$E2E_WORK/report"
cp "$E2E_WORK/report" "$FAULTS" "$VIOLATIONS" "$SAMPLES" "$E2E_WORK/job.times" "$OUT/"
# Every pod's log (each pod name's log spans its restarts).
rm -rf "$OUT/logs"
cp -r "$DKRON_BED/logs" "$OUT/logs"
if [ -s "$VIOLATIONS" ]; then
	sed 's/^/  violation: /' "$VIOLATIONS"
	fail "$(wc -l <"$VIOLATIONS") invariant violation(s) (seed $SOAK_SEED); report and logs in build/soak/"
fi
[ "$broken" -eq 0 ] || fail "the soak stopped early (seed $SOAK_SEED)"
pass "soak: $(wc -l <"$FAULTS") faults in $SOAK_MINUTES min, no invariant violated (seed $SOAK_SEED); report in build/soak/"
