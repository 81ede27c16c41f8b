# shellcheck shell=bash
# Scenario 09 (cluster): the Helm chart installed as a user does, in a
# namespace of its own beside the staging overlay, with only the image (and
# its pull policy) set: the real controllers bring up its 3 servers and its
# workers; one labelled leader, 3 voters at their IPs, the leader Service's
# EndpointSlice right, the workers alive members. Then `helm uninstall`.
# timeout: 600

image=$(cluster image)
CL_NS=dkron-helm
export CLUSTER_WATCH_NAMESPACE=$CL_NS
kca create namespace "$CL_NS" >/dev/null
on_exit "kca delete namespace $CL_NS --wait=false >/dev/null 2>&1 || true"
t0=$(date +%s.%N)
helm_bed install dkron "$E2E_REPO/charts/dkron-k8s" -n "$CL_NS" \
	--set image.repository="${image%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=IfNotPresent \
	>"$E2E_WORK/helm.out" 2>&1 || {
	cat "$E2E_WORK/helm.out"
	fail "helm install failed"
}
pass "helm install dkron (image $image)"
kc rollout status statefulset/dkron-server --timeout=300s >/dev/null || fail "the chart's servers did not roll out in 300 s"
kc rollout status deployment/dkron-agent --timeout=300s >/dev/null || fail "the chart's workers did not roll out in 300 s"
workers=$(kc get deployment dkron-agent -o jsonpath='{.spec.replicas}')
cl_assert_healthy "$workers" 300
printf 'RESULT helm_cold_start_s %s\n' "$(wr_secs "$t0" "$(date +%s.%N)")"
helm_bed uninstall dkron -n "$CL_NS" >/dev/null || fail "helm uninstall failed"
gone() { [ -z "$(kc get pods -o name 2>/dev/null)" ]; }
wait_until 180 "the release's pods are gone after helm uninstall" gone
