# shellcheck shell=bash
# Scenario 23 (issue 5, 4): a long-running job is on the worker when a
# re-join is needed (all servers replaced with new IPs). The job finishes and
# reaches the receiver before dkron is restarted: the receiver's call comes
# before the launcher's second "starting:" line, and the first dkron process
# ran until after the call. The launcher's re-join delay is shortened to 5 s
# so that the re-join comes while the 20 s job still runs.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

ln_receiver_start
ln_apply
kc set env deploy/dkron-agent LAUNCHER_REJOIN_AFTER=5s LAUNCHER_CHECK_INTERVAL=1s >/dev/null
ln_servers_up
bed pod-create deploy/dkron-agent >/dev/null
worker=$(ln_worker)
worker_log=$(pod_field "$worker" log)
wait_until 120 "$worker is an alive member" ln_alive "$worker"
first_dkron=$(ln_dkron_pid "$worker")

ln_job long-job launcher tok23 "@manually" "sleep 20; curl -sf -X PUT $LN_RECEIVER/log/tok23"
# POST /v1/jobs/<job>/run answers only when the run is over: ask in the
# background and watch the job start on the worker.
curl -s --max-time 150 -X POST "http://$(pod_field dkron-server-0 ip):8080/v1/jobs/long-job/run" \
	>"$E2E_WORK/run.out" 2>&1 &
# shellcheck disable=SC2034 # read by the exit hook below
runner=$!
# shellcheck disable=SC2016 # expanded when the exit hook runs
on_exit 'kill "$runner" 2>/dev/null || true'
job_running() { pgrep -f "sleep 20; curl -sf -X PUT $LN_RECEIVER/log/tok23" >/dev/null; }
wait_until 30 "long-job runs on the worker" job_running
t_job=$(date +%s.%N)

ln_replace_servers
wait_until 240 "the replaced servers have a leader and three alive servers" ln_cluster_ok
wait_until 120 "the job's call reached the receiver" ln_count_above tok23 0
hit=$(ln_times tok23 | head -n1)
log "job started at $t_job, called the receiver at $hit"

wait_until 180 "$worker is an alive member again" ln_alive "$worker"
second_start=$(grep 'dkron-agent-launcher: starting: ' "$worker_log" | sed -n 2p | cut -d' ' -f1)
[ -n "$second_start" ] || fail "the launcher did not restart dkron"
restart=$(date -d "$second_start" +%s.%N)
log "dkron restarted at $second_start ($restart)"
awk -v h="$hit" -v r="$restart" 'BEGIN { exit !(h < r) }' ||
	fail "dkron was restarted ($restart) before the job called the receiver ($hit)"
pass "the job finished $(ln_secs "$hit" "$restart") s before dkron was restarted"
assert_ne "dkron PID after the re-join" "$first_dkron" "$(ln_dkron_pid "$worker")"
grep -q 're-joining' "$worker_log" || fail "no re-joining line in the launcher log"
pass "$(grep -m1 're-joining' "$worker_log" | cut -c1-200)"
