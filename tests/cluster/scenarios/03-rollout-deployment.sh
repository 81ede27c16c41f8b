# shellcheck shell=bash
# Scenario 03 (cluster): `kubectl rollout restart deployment` of the workers
# with the Deployment's strategy as shipped (maxSurge 1, maxUnavailable 0),
# the @every 1s job on the workers. Prints missed runs and the longest gap;
# the workers must all be alive members afterwards and the job running.
# timeout: 900

cl_assert_healthy 3
cl_job_start
cl_watch_start
t0=$(date +%s.%N)
kc rollout restart deployment/dkron-agent >/dev/null
kc rollout status deployment/dkron-agent --timeout=600s >/dev/null || fail "the workers' rollout did not finish in 600 s"
t1=$(date +%s.%N)
pass "the workers' rollout finished in $(wr_secs "$t0" "$t1") s"
sleep 5 # the job's runs right after the last worker's replacement count too
cl_report "$t0" "$(date +%s.%N)"
cl_assert_healthy 3
n=$(ln_count "$CL_TOKEN")
sleep 3
[ "$(ln_count "$CL_TOKEN")" -gt "$n" ] || fail "the job does not run after the workers' rollout"
pass "the job runs after the workers' rollout"
