# shellcheck shell=bash
# Scenario 24 (issue 5, 5): the Kubernetes API server is stopped for 30 s
# while the dkron cluster is healthy. The worker keeps running: same dkron
# PID, still an alive member, the launcher never re-joins. Once the API is
# back the launcher's watch recovers: a server pod restarted afterwards
# (new IP) shows up in the launcher's "live servers" line.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

ln_apply
ln_servers_up
bed pod-create deploy/dkron-agent >/dev/null
worker=$(ln_worker)
worker_log=$(pod_field "$worker" log)
wait_until 120 "$worker is an alive member" ln_alive "$worker"
dkron_pid=$(ln_dkron_pid "$worker")
[ -n "$dkron_pid" ] || fail "no dkron process under the launcher"

bed api-stop
t_stop=$SECONDS
kc get pods >/dev/null 2>&1 && fail "the API still answers after api-stop"
pass "API server stopped"
wait_until 60 "the launcher notices the API is gone" grep -q 'watching the dkron servers failed\|listing the dkron servers failed' "$worker_log"
# The outage lasts 30 s: the worker must stay up all along.
while [ $((SECONDS - t_stop)) -lt 30 ]; do
	assert_eq "dkron PID during the outage" "$dkron_pid" "$(ln_dkron_pid "$worker")" >/dev/null
	ln_alive "$worker" || fail "$worker stopped being an alive member during the API outage"
	sleep 2 # sampling during a fixed outage, not waiting for a condition
done
pass "dkron (pid $dkron_pid) ran and stayed an alive member through 30 s without the API"
bed api-start
wait_until 60 "the API answers again" kc get pods

# The watch is back: a server restarted now (new IP) reaches the launcher.
old_ip=$(pod_field dkron-server-2 ip)
bed pod-restart dkron-server-2 >/dev/null
new_ip=$(pod_field dkron-server-2 ip)
assert_ne "dkron-server-2 IP" "$old_ip" "$new_ip"
sees_new_ip() { grep 'dkron-agent-launcher: live servers: ' "$worker_log" | tail -n1 | grep -q "$new_ip:8946"; }
wait_until 120 "the launcher's live servers include dkron-server-2's new IP $new_ip" sees_new_ip
assert_eq "dkron PID after the outage" "$dkron_pid" "$(ln_dkron_pid "$worker")"
grep -q 're-joining' "$worker_log" && fail "the launcher re-joined during or after the API outage"
pass "no re-join"
wait_until 60 "$worker still an alive member" ln_alive "$worker"
