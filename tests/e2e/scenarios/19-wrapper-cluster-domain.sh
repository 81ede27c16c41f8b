# shellcheck shell=bash
# bed-up: --cluster-domain=k8s.example.test
# Scenario 19 (issue 10): a cluster whose DNS domain is not cluster.local,
# as real clusters often are. The bed serves <pod>.<svc>.<ns>.svc.<domain>
# only; with CLUSTER_DOMAIN set on the StatefulSet, the wrappers wait for
# and join the peers under that domain, and the three servers form one
# cluster. Without it, they would wait for names that never resolve: the
# first pod started without it says so (and is left waiting, then deleted).

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

domain=k8s.example.test
pods=("$(wr_pod 0)" "$(wr_pod 1)" "$(wr_pod 2)")
wr_apply
wait_until 10 "the bed resolves the API under $domain" \
	test -n "$(bed resolve "kubernetes.default.svc.$domain")"
[ -z "$(bed resolve kubernetes.default.svc.cluster.local)" ] || fail "the bed still answers for cluster.local"
pass "the bed answers for $domain only"

# Without CLUSTER_DOMAIN: the wrapper looks for cluster.local names.
wr_set_env WRAPPER_PEER_DNS_TIMEOUT=3s
bed pod-create "sts/$WR_STS" 0 >/dev/null 2>&1
wait_until 30 "the wrapper gives up on cluster.local names" \
	grep -q 'peer DNS did not resolve within --peer-dns-timeout.*cluster\.local' "$(pod_field "${pods[0]}" log)"
bed pod-delete "${pods[0]}" >/dev/null 2>&1

wr_set_env CLUSTER_DOMAIN="$domain" WRAPPER_PEER_DNS_TIMEOUT-
wr_create_pods 0 2
wr_wait 180 "one leader, three voters, the leader labelled" "${pods[@]}"
for p in "${pods[@]}"; do
	grep -q -- "--retry-join=dkron-server-[0-2]\.dkron-server\.default\.svc\.$domain:8946" "$(pod_field "$p" log)" ||
		fail "$p did not join its peers under $domain"
done
pass "every wrapper joined its peers as <pod>.dkron-server.default.svc.$domain"
