# shellcheck shell=bash
# Scenario 18 (no dkron needed): SIGTERM while the API server hangs. Three
# wrappers run a fake dkron (no HTTP API); kube-apiserver is then frozen
# (SIGSTOP: connections are accepted and never answered, as with a hung or
# partitioned control plane) and one pod gets SIGTERM. The wrapper's shutdown
# gives its spec.replicas read a budget instead of waiting out the client's
# timeouts and retries: the read is abandoned (logged), the shutdown goes on
# to stop dkron and the wrapper exits 0, well within the grace period.

# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

d=$(wr_fake_dkron)
wr_apply
wr_set_env DKRON_BIN="$d/dkron" WRAPPER_LEAVE_TIMEOUT=2s WRAPPER_REMOVE_TIMEOUT=3s WRAPPER_LEADER_QUERY_TIMEOUT=1s
wr_create_pods 0 2
p=$(wr_pod 0)
wait_until 60 "$p started its fake dkron" test -s "$d/$p.starts"
grace=$(kc get sts "$WR_STS" -o jsonpath='{.spec.template.spec.terminationGracePeriodSeconds}')

thaw() { bed api-thaw >/dev/null 2>&1 || true; }
on_exit thaw
bed api-freeze >/dev/null 2>&1
pass "kube-apiserver frozen"
t0=$(date +%s.%N)
bed kill "$p" TERM >/dev/null 2>&1
exited() { [ "$(pod_field "$p" exit_code)" != null ]; }
wait_until "$grace" "$p's wrapper exits after SIGTERM" exited
took=$(wr_secs "$t0" "$(date +%s.%N)")
log "measured: $p exited $took s after SIGTERM with the API server frozen (grace period $grace s)"
thaw
assert_eq "exit code after SIGTERM" 0 "$(pod_field "$p" exit_code)"
assert_eq "signals the fake dkron got" TERM "$(cat "$d/$p.signals")"
plog=$(pod_field "$p" log)
grep -q 'cannot read spec.replicas .*abandoned: the caller stopped it' "$plog" ||
	fail "the spec.replicas read was not abandoned on its budget: $(grep -m1 'spec.replicas' "$plog" || echo 'no spec.replicas line')"
pass "the spec.replicas read was abandoned on its budget"
grep -q 'shutdown finished' "$plog" || fail "no 'shutdown finished' line in $p's log"
pass "shutdown finished with the API server hung"
