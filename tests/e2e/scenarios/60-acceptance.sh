# shellcheck shell=bash
# Scenario 60 (issue 14; `make acceptance` runs it alone): the acceptance
# sequence of tests/acceptance/phases.sh on the bed. Three servers and two
# workers from the kustomize base, the webhook receiver from its kustomize
# component, ACC_JOBS jobs @every 1s on the workers PUTting to it; then
# steady state, a rolling restart of the servers, scale 3 → 5 → 3, the
# leader pod deleted, the workers replaced. The report (per phase: expected,
# received and missed runs, the longest gap, duplicates) is printed and kept
# in build/acceptance/report.json; more missed runs than ACC_BUDGET fail.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/fleet-lib.sh
. "$(fixture fleet-lib.sh)"
# shellcheck source=tests/acceptance/phases.sh
. "$E2E_REPO/tests/acceptance/phases.sh"

ACC_JOBS=${ACC_JOBS:-5}
ACC_BUDGET=${ACC_BUDGET:-40}
ACC_STEADY_S=${ACC_STEADY_S:-20}
ACC_SETTLE_S=${ACC_SETTLE_S:-10}
OUT=$E2E_REPO/build/acceptance


op_rollout_restart() {
	bed rollout-restart "$WR_STS" >/dev/null
	mapfile -t now < <(servers 3)
	wr_wait 120 "rolled: three voters, one labelled leader" "${now[@]}"
}
op_scale() {
	bed scale "$WR_STS" "$1" >/dev/null
	mapfile -t now < <(servers "$1")
	wr_wait 240 "scaled to $1: voters at current addresses" "${now[@]}"
}
op_delete_leader() {
	local leader
	leader=$(wr_labelled)
	bed pod-delete "$leader"
	bed pod-create "sts/$WR_STS" "${leader##*-}" >/dev/null 2>&1
	mapfile -t now < <(servers 3)
	wr_wait 120 "$leader back, one labelled leader" "${now[@]}"
}
op_restart_workers() { # one at a time, surge first (maxSurge 1, maxUnavailable 0)
	local old w
	for old in $(workers); do
		bed pod-create deploy/dkron-agent >/dev/null 2>&1
		for w in $(workers); do wait_until 120 "worker $w is an alive member" ln_alive "$w"; done
		bed pod-delete "$old"
	done
}

# The cluster: servers (the Role ready for five), workers, the receiver.
fleet_up
# A Component does not build alone: its two manifests are applied as they are.
bed apply "$E2E_REPO/kustomize/components/webhook-receiver/deployment.yaml" >/dev/null
kc apply -f "$E2E_REPO/kustomize/components/webhook-receiver/service.yaml" >/dev/null
bed pod-create deploy/webhook-receiver >/dev/null 2>&1
receiver=$(kc get pods -l app.kubernetes.io/component=webhook-receiver -o jsonpath='{.items[0].metadata.name}')
LN_RECEIVER=http://$(pod_field "$receiver" ip):8080
wait_until 30 "the receiver answers" curl -sf --max-time 2 "$LN_RECEIVER/healthz"
curl -sf -X DELETE "$LN_RECEIVER/logs" >/dev/null
for ((i = 0; i < ACC_JOBS; i++)); do
	ln_job_tagged "acc-$i" '{"pool":"launcher:1"}' "acc-$i" "@every 1s" >/dev/null
done
every_job_runs() { [ "$(curl -sf --max-time 3 "$LN_RECEIVER/logs" | jq 'length')" = "$ACC_JOBS" ]; }
if ! (wait_until 60 "every job runs" every_job_runs); then
	log "tokens seen: $(curl -sf "$LN_RECEIVER/logs" | jq -c 'map_values(length)')"
	log "jobs: $(ln_api /v1/jobs | jq -c '[.[] | {name, status, success_count, error_count, last_error}]')"
	fail "not every job calls the receiver"
fi
pass "$ACC_JOBS jobs @every 1s on the workers, counted by the receiver at $LN_RECEIVER"

acc_run_phases "$E2E_WORK/phases"
mkdir -p "$OUT"
curl -sf "$LN_RECEIVER/logs" >"$OUT/logs.json"
cp "$E2E_WORK/phases" "$OUT/phases"
if python3 "$E2E_REPO/tests/acceptance/report.py" "$OUT/logs.json" "$OUT/phases" "$ACC_JOBS" "$ACC_BUDGET" \
	"$OUT/report.json" >"$OUT/report.txt"; then
	rc=0
else
	rc=1
fi
sed 's/^/  /' "$OUT/report.txt"
[ "$rc" -eq 0 ] || fail "more runs missed than the budget ($ACC_BUDGET); report in $OUT"
pass "acceptance: $(tail -n 1 "$OUT/report.txt"); report in build/acceptance/"
