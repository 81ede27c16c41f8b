# shellcheck shell=bash
# Scenario 34 (issue 6, Helm): the chart's `--set initialClusterSize=5`
# example end to end. `helm install dkron` (the README's release name: the
# objects are dkron-server and dkron-agent) on the real API server, then the pod
# runner starts the five server pods and a worker from the installed
# StatefulSet and Deployment: the servers form one cluster of five voters
# with exactly one pod labelled leader, the worker (launcher) becomes an alive
# member, and a job on the workers' default pool=workers tag runs on it.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

helm_bed install dkron "$E2E_REPO/charts/dkron-k8s" -n default --set initialClusterSize=5 >"$E2E_WORK/install.out" 2>&1 ||
	fail "helm install: $(cat "$E2E_WORK/install.out")"
pass "helm install --set initialClusterSize=5"
assert_eq "StatefulSet replicas" 5 "$(kc get statefulset "$WR_STS" -o jsonpath='{.spec.replicas}')"

LN_SERVERS=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)" "$(wr_pod 3)" "$(wr_pod 4)")
ln_receiver_start
wr_create_pods 0 4
wr_wait 300 "five voters at their addresses, one pod labelled leader" "${LN_SERVERS[@]}"
for p in "${LN_SERVERS[@]}"; do
	grep -q -- '--bootstrap-expect=5' "$(pod_field "$p" log)" || fail "$p did not start dkron with --bootstrap-expect=5"
done
pass "every server started with --bootstrap-expect=5"

bed pod-create deploy/dkron-agent >/dev/null
worker=$(ln_worker)
wait_until 120 "$worker is an alive member" ln_alive "$worker"
ln_job_tagged helm-hit '{"pool":"workers"}' tok34 "@every 2s"
wait_until 60 "the job ran on the worker three times" ln_count_above tok34 2
assert_eq "nodes that ran helm-hit" "$worker" \
	"$(ln_api /v1/jobs/helm-hit/executions | jq -r '[.[].node_name] | unique | join(" ")')"
