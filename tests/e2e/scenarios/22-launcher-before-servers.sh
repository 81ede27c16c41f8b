# shellcheck shell=bash
# Scenario 22 (issue 5, 3): the launcher starts before any dkron server
# exists. It waits without starting dkron (its log says "waiting for live
# dkron servers: ...", its pod is not Ready), then joins once the servers
# appear, and its node becomes an alive member.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

ln_apply
bed pod-create deploy/dkron-agent >/dev/null
worker=$(ln_worker)
worker_log=$(pod_field "$worker" log)
wait_until 60 "the launcher logs that it waits for servers" grep -q 'waiting for live dkron servers: ' "$worker_log"
log "$(grep -m1 'waiting for live dkron servers: ' "$worker_log")"
# Still waiting a few check intervals later: no dkron, not Ready.
still_waiting() {
	[ -z "$(ln_dkron_pid "$worker")" ] &&
		[ "$(kc get pod "$worker" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = False ]
}
for _ in 1 2 3 4 5 6; do
	still_waiting || fail "dkron started (or the pod turned Ready) with no server in the cluster"
	sleep 2 # observing that nothing happens for 12 s, not waiting for a condition
done
pass "no dkron process and pod not Ready while no server exists"
ready=$(curl -s --max-time 3 "http://$(pod_field "$worker" ip):8081/readyz" || true)
case $ready in *"no live dkron servers"*) pass "/readyz says: $ready" ;; *) fail "unexpected /readyz answer: '$ready'" ;; esac

ln_servers_up
wait_until 120 "$worker is an alive member once the servers exist" ln_alive "$worker"
kc wait --for=condition=Ready "pod/$worker" --timeout=60s >/dev/null
pass "$worker Ready"
assert_eq "dkron starts by the launcher" 1 "$(grep -c 'dkron-agent-launcher: starting: ' "$worker_log")"
