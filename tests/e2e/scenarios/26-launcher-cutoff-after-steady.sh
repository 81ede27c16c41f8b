# shellcheck shell=bash
# Scenario 26 (issue 17): the membership check slows down while a worker
# stays alive (5 s doubling, with jitter, to 60 s), yet a worker cut off
# after a long steady period notices within one fast interval. The worker
# runs until its check is at the slow pace; then all three servers are
# replaced (dkron #1253: new IPs, none knows the worker). From the
# launcher's own log: the first "live servers" line naming a new server,
# and the re-join. The re-join must follow within one fast interval (5 s)
# plus the wrapper's publication of its members (every 2 s), not a slow
# interval later.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

FAST_S=5
PUBLISH_S=2

ln_apply
ln_servers_up
bed pod-create deploy/dkron-agent >/dev/null
w=$(ln_worker)
wait_until 120 "worker $w is an alive member" ln_alive "$w"

interval() {
	curl -sf --max-time 2 "http://$(pod_field "$w" ip):8081/metrics" |
		awk '$1 == "dkron_k8s_member_check_interval_seconds" { print $2 }'
}
slow() { awk -v v="$(interval)" 'BEGIN { exit !(v >= 40) }'; }
wait_until 200 "the worker's check slowed to its steady pace (40 s or more)" slow
slow_s=$(interval)
pass "the check's interval after a steady period: $slow_s s"

old_ips=$(ln_server_ips | sort | tr '\n' ' ')
ln_replace_servers
new_ips=$(ln_server_ips | sort | tr '\n' ' ')
log "servers replaced: $old_ips-> $new_ips"
wlog=$(pod_field "$w" log)
rejoined() { grep -q 're-joining' "$wlog"; }
wait_until 120 "the worker re-joins" rejoined

# Epoch seconds of a log line's stamp.
stamp() { date -d "$(cut -d' ' -f1 <<<"$1")" +%s.%N; }
first_new=
while IFS= read -r line; do
	for ip in $new_ips; do
		case $line in *"$ip"*)
			first_new=$line
			break 2
			;;
		esac
	done
done < <(grep 'live servers' "$wlog")
[ -n "$first_new" ] || fail "the launcher never logged a new server as live"
rejoin_line=$(grep -m1 're-joining' "$wlog")
grep -q 'joined_servers_gone\|none of the servers it joined' <<<"$rejoin_line" ||
	fail "the re-join was not for the replaced servers: $rejoin_line"
took=$(ln_secs "$(stamp "$first_new")" "$(stamp "$rejoin_line")")
log "new server live: ${first_new:0:120}"
log "re-join:         ${rejoin_line:0:120}"
printf 'RESULT cutoff_detect_s=%s slow_interval_s=%s\n' "$took" "$slow_s"
awk -v t="$took" -v lim="$((FAST_S + PUBLISH_S))" 'BEGIN { exit !(t <= lim) }' ||
	fail "the re-join came $took s after a new server was live: more than one fast interval ($FAST_S s + $PUBLISH_S s)"
pass "cut off after a steady period: re-joined $took s after a new server was live (the slow interval was $slow_s s)"
wait_until 120 "worker $w is an alive member again" ln_alive "$w"
