# shellcheck shell=bash
# Scenario 20 (issue 5, 1): dkron-agent-launcher joins a three-server
# cluster. Its node becomes an alive member as the servers see it, its
# readiness endpoint turns the pod Ready, and a job pinned to the worker pool
# (tag pool=launcher:1, http executor) runs on it: the receiver counts the
# calls. The worker's service account can list and watch pods and nothing
# more, and the launcher logs no authorization error.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

ln_receiver_start
ln_apply
ln_servers_up
bed pod-create deploy/dkron-agent >/dev/null
worker=$(ln_worker)
log "worker pod $worker"
wait_until 120 "$worker is an alive member" ln_alive "$worker"
kc wait --for=condition=Ready "pod/$worker" --timeout=60s >/dev/null
pass "$worker Ready (launcher /readyz)"

ln_job launcher-hit launcher tok20 "@every 2s"
wait_until 60 "the job ran on the worker three times" ln_count_above tok20 2
execs=$(ln_api /v1/jobs/launcher-hit/executions | jq -r '[.[].node_name] | unique | join(" ")')
assert_eq "nodes that ran launcher-hit" "$worker" "$execs"

sa=system:serviceaccount:default:dkron-agent
for verb in list watch; do
	assert_eq "dkron-agent may $verb pods" yes "$(kc auth can-i "$verb" pods --as="$sa" || true)"
done
for verb in get create patch delete; do
	assert_eq "dkron-agent may $verb pods" no "$(kc auth can-i "$verb" pods --as="$sa" || true)"
done
assert_eq "launcher authorization errors" "" "$(ln_auth_errors "$worker")"
