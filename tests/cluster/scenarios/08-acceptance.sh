# shellcheck shell=bash
# Scenario 08 (cluster): tests/acceptance/run against this cluster, as a
# user runs it against a staging cluster (KUBECONFIG, the kubectl on PATH),
# unchanged: the receiver deployed in the cluster, jobs @every 1s, a rolling
# restart, scale 3 → 5 → 3 (the Role widened by 07), the leader deleted, the
# workers restarted. Prints its report table.
# timeout: 1500

cl_assert_healthy 3
PATH=$DKRON_TOOLS_BIN:$PATH KUBECONFIG=$DKRON_CLUSTER/kubeconfig \
	"$E2E_REPO/tests/acceptance/run" --namespace "$CL_NS" --image "$(cluster image)" \
	--steady 30 --settle 20 --out "$E2E_WORK/acceptance" || rc=$?
[ "${rc:-0}" -eq 0 ] || fail "tests/acceptance/run exited ${rc:-0}"
pass "tests/acceptance/run passed"
