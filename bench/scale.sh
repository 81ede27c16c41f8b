#!/usr/bin/env bash
# Benchmark of the membership check at fleet size (issue 17), on the local
# cluster: three servers and SCALE_WORKERS workers (default 30) started at
# once, as after a node-pool upgrade. Measured:
#   - the herd: from the workers' creation until all are alive members;
#   - at steady state, over SCALE_STEADY s (default 90): the checks per
#     second and the bytes of their answers per second, fleet-wide and per
#     worker, from the launchers' own counters (dkron_k8s_member_checks_total,
#     dkron_k8s_member_check_bytes_total);
#   - the same fleet the old way (LAUNCHER_SERVER_STATUS_PORT=0: every check
#     reads dkron's whole /v1/members; LAUNCHER_CHECK_INTERVAL_MAX=5s: no
#     slowing down), in the same run;
#   - a model for 100 and 1,000 workers from the measured bytes per check
#     and checks per worker-second.
# Figures are printed and written to bench/results.md (this benchmark's
# section).
#
# Usage: bench/scale.sh   (root; dkron v4.0.9 from the tool cache or
# DKRON_BIN). SCALE_WORKERS, SCALE_STEADY.
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=bench/common.bash
. "$(dirname "$0")/common.bash"
WORKERS=${SCALE_WORKERS:-30}
STEADY=${SCALE_STEADY:-90}
bench_start scale dkron-agent-launcher launcher-lib.sh
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

workers() { kc get pods -l "$LN_WORKER_SELECTOR" -o jsonpath='{.items[*].metadata.name}'; }
alive_count() { # workers the servers list alive
	ln_api /v1/members | jq '[.[] | select((.Tags.server // "") != "true" and .Status == 1)] | length'
}
all_alive() { [ "$(alive_count)" = "$WORKERS" ]; }
# sum <series>: the sum of a sample over every worker's /metrics.
sum() {
	local w total=0 v
	for w in $(workers); do
		v=$(curl -sf --max-time 2 "http://$(pod_field "$w" ip):8081/metrics" | awk -v s="$1" '$1 == s {print $2}')
		total=$(awk -v a="$total" -v b="${v:-0}" 'BEGIN { print a + b }')
	done
	printf '%s\n' "$total"
}
checks_total() { awk -v a="$(sum 'dkron_k8s_member_checks_total{via="wrapper"}')" \
	-v b="$(sum 'dkron_k8s_member_checks_total{via="dkron"}')" 'BEGIN { print a + b }'; }

# fleet <label>: WORKERS workers at once, the herd, then STEADY s counted.
fleet() {
	local label=$1 t0 t1 c0 b0 c1 b1 i pids=()
	t0=$(now)
	for ((i = 0; i < WORKERS; i++)); do
		bed pod-create deploy/dkron-agent >/dev/null 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	wait_until 600 "$label: $WORKERS workers are alive members" all_alive
	t1=$(now)
	record "herd_$label" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
	sleep 30 # past the start: the steady pace
	c0=$(checks_total)
	b0=$(sum dkron_k8s_member_check_bytes_total)
	sleep "$STEADY"
	c1=$(checks_total)
	b1=$(sum dkron_k8s_member_check_bytes_total)
	record "checks_s_$label" "$(awk -v a="$c0" -v b="$c1" -v s="$STEADY" 'BEGIN { printf "%.2f", (b - a) / s }')"
	record "bytes_s_$label" "$(awk -v a="$b0" -v b="$b1" -v s="$STEADY" 'BEGIN { printf "%.0f", (b - a) / s }')"
	record "bytes_check_$label" "$(awk -v a="$b0" -v b="$b1" -v c="$c0" -v d="$c1" 'BEGIN { printf "%.0f", ((d - c) > 0 ? (b - a) / (d - c) : 0) }')"
	log "$label: herd $(fig "herd_$label") s; $(fig "checks_s_$label") checks/s, $(fig "bytes_s_$label") B/s, $(fig "bytes_check_$label") B a check"
}

bed_up
ln_apply
ln_servers_up
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
fleet new
for w in $(workers); do bed pod-delete "$w" >/dev/null 2>&1 & done
wait
kc set env deploy/dkron-agent LAUNCHER_SERVER_STATUS_PORT=0 LAUNCHER_CHECK_INTERVAL_MAX=5s >/dev/null
fleet old
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# The model: bytes a check (the wrapper's answer is constant; /v1/members
# grows with the members) times checks per worker-second, times workers.
per_worker_new=$(awk -v c="$(fig checks_s_new)" -v n="$WORKERS" 'BEGIN { printf "%.4f", c / n }')
per_worker_old=$(awk -v c="$(fig checks_s_old)" -v n="$WORKERS" 'BEGIN { printf "%.4f", c / n }')
model() { # model <workers>: "new B/s, old B/s"
	awk -v n="$1" -v bn="$(fig bytes_check_new)" -v pn="$per_worker_new" -v po="$per_worker_old" \
		'BEGIN { printf "%.0f B/s (%.1f KB/s) now, %.0f B/s (%.1f MB/s) the old way", n * pn * bn, n * pn * bn / 1000, n * po * 350 * (n + 3), n * po * 350 * (n + 3) / 1e6 }'
}
m100=$(model 100)
m1000=$(model 1000)
log "model, 100 workers: $m100"
log "model, 1000 workers: $m1000"

bench_write_section scale "<!-- bench:scale:begin -->
## Membership checks at fleet size (bench/scale.sh)

Measured $STARTED on the local cluster: 3 servers, $WORKERS workers started at
once, each way in turn; steady state counted over $STEADY s after 30 s
(load average before: $LOAD_BEFORE; after: $LOAD_AFTER).

| | now (wrapper's /members, 5 s → 60 s) | the old way (/v1/members every 5 s) |
|---|---|---|
| all $WORKERS workers alive after their creation | $(fig herd_new) s | $(fig herd_old) s |
| checks per second, fleet | $(fig checks_s_new) | $(fig checks_s_old) |
| answer bytes per second, fleet | $(fig bytes_s_new) | $(fig bytes_s_old) |
| bytes per check | $(fig bytes_check_new) | $(fig bytes_check_old) |

Modelled from these (bytes per check: constant now, 350 per member the old
way; checks per worker-second as measured):

- 100 workers: $m100
- 1,000 workers: $m1000
<!-- bench:scale:end -->"
