# shellcheck shell=bash
# Scenario 35 (issue 13): two Helm releases of the chart in one namespace,
# alpha and beta, each with three servers and a worker. Each forms its own
# cluster: its servers list only each other as voters, exactly one of its
# pods carries the leader label, its worker is an alive member of its own
# cluster, and neither cluster lists a node of the other.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

for rel in alpha beta; do
	helm_bed install "$rel" "$E2E_REPO/charts/dkron-k8s" -n default >"$E2E_WORK/$rel.out" 2>&1 ||
		fail "helm install $rel: $(cat "$E2E_WORK/$rel.out")"
	pass "helm install $rel"
done
use() { # use <release>: the helpers look at that release's objects
	WR_INSTANCE=$1
	WR_STS=$1-dkron-server
	LN_SERVERS=("$WR_STS-0" "$WR_STS-1" "$WR_STS-2")
	LN_WORKER_SELECTOR="app.kubernetes.io/instance=$1,app.kubernetes.io/component=worker"
}
for rel in alpha beta; do
	use "$rel"
	wr_create_pods 0 2
done
for rel in alpha beta; do
	use "$rel"
	wr_wait 240 "$rel: three voters at their addresses, one of its pods labelled leader" "${LN_SERVERS[@]}"
	bed pod-create "deploy/$rel-dkron-agent" >/dev/null
done
for rel in alpha beta; do
	use "$rel"
	worker=$(ln_worker)
	wait_until 120 "$rel: worker $worker is an alive member of its own cluster" ln_alive "$worker"
	other=$([ "$rel" = alpha ] && echo beta || echo alpha)
	names=$(ln_api /v1/members | jq -r '.[].Name' | sort | tr '\n' ' ')
	case " $names" in *" $other-"*) fail "$rel's cluster lists nodes of $other: $names" ;; esac
	assert_eq "$rel: nodes of its cluster" \
		"$(printf '%s\n' "${LN_SERVERS[@]}" "$worker" | sort | tr '\n' ' ')" "$names"
done
pass "two releases, two clusters, no node in the other's"
