# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted scripts expand in the pod's shell
# Scenario 17 (no dkron needed): the wrapper's start-up and SIGTERM handling
# with a fake dkron that records its arguments and signals.
#  - peer DNS wait: with only dkron-server-0 created, its wrapper logs the
#    two pending peer names and does not start dkron; once the other pods
#    exist (their names resolve) it starts dkron exactly once, with
#    --bootstrap-expect=3 and a --retry-join for each peer but itself;
#  - SIGTERM: the wrapper forwards it to dkron after a bounded leave attempt
#    (the fake has no HTTP API), and exits 0 when dkron does, promptly;
#  - configuration: INITIAL_CLUSTER_SIZE missing but the misspelt
#    INITIAL_CLUSTER_SUZE set: the wrapper refuses to start, names the typo
#    and exits non-zero without running dkron;
#  - SIGTERM during the peer-DNS wait: exit 0 at once, dkron never started.

# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

d=$(wr_fake_dkron)
wr_apply
wr_set_env DKRON_BIN="$d/dkron" WRAPPER_LEAVE_TIMEOUT=2s WRAPPER_REMOVE_TIMEOUT=3s WRAPPER_LEADER_QUERY_TIMEOUT=1s
p0=$(wr_pod 0)
bed pod-create "sts/$WR_STS" 0 >/dev/null 2>&1
log0=$(pod_field "$p0" log)
pending() { grep -q '2 of 2 names pending' "$log0"; }
wait_until 30 "$p0 logs the two pending peer names" pending
grep 'names pending' "$log0" | head -n 1 | grep -q "$(wr_pod 1).dkron-server.default.svc.cluster.local" ||
	fail "the pending line does not name $(wr_pod 1)"
[ ! -e "$d/$p0.starts" ] || fail "dkron started before the peer names resolved"
pass "dkron not started while peers are pending"

wr_create_pods 1 2
started() { [ -s "$d/$p0.starts" ]; }
wait_until 60 "$p0 starts dkron once all peer names resolve" started
grep -q 'all 2 peer names resolve' "$log0" || fail "no 'all 2 peer names resolve' line"
args=$(cat "$d/$p0.starts")
case $args in agent\ --server*) pass "fake dkron ran as: ${args:0:60}..." ;; *) fail "unexpected dkron args: $args" ;; esac
for want in --bootstrap-expect=3 --node-name="$p0" --data-dir=/dkron.data \
	--retry-join="$(wr_pod 1).dkron-server.default.svc.cluster.local:8946" \
	--retry-join="$(wr_pod 2).dkron-server.default.svc.cluster.local:8946"; do
	case " $args " in *" $want "*) ;; *) fail "dkron args lack $want: $args" ;; esac
done
case $args in *"--retry-join=$p0."*) fail "dkron would retry-join itself: $args" ;; esac
pass "dkron args: --bootstrap-expect=3, both peers joined by name, not itself"

p1=$(wr_pod 1)
wait_until 30 "$p1 started its fake dkron" test -s "$d/$p1.starts"
t0=$(date +%s.%N)
bed kill "$p1" TERM >/dev/null 2>&1
exited() { [ "$(pod_field "$p1" exit_code)" != null ]; }
wait_until 40 "$p1's wrapper exits after SIGTERM" exited
log "measured: $p1 exited $(wr_secs "$t0" "$(date +%s.%N)") s after SIGTERM"
assert_eq "exit code after SIGTERM" 0 "$(pod_field "$p1" exit_code)"
assert_eq "signals the fake dkron got" TERM "$(cat "$d/$p1.signals")"
log1=$(pod_field "$p1" log)
for line in 'received Terminated: leaving the cluster' 'graceful leave failed' 'dkron exited with status 0' 'shutdown finished'; do
	grep -q "$line" "$log1" || fail "no '$line' line in $p1's log"
done
pass "SIGTERM: bounded leave, dkron stopped, clean exit"

wr_set_env INITIAL_CLUSTER_SIZE- INITIAL_CLUSTER_SUZE=3
p2=$(wr_pod 2)
rm -f "$d/$p2.starts"
bed pod-restart "$p2" >/dev/null 2>&1
exited2() { [ "$(pod_field "$p2" exit_code)" != null ]; }
wait_until 20 "$p2's wrapper exits on the misspelt variable" exited2
code=$(pod_field "$p2" exit_code)
[ "$code" != 0 ] || fail "the wrapper exited 0 with INITIAL_CLUSTER_SIZE unset"
pass "exit code $code with INITIAL_CLUSTER_SIZE unset"
grep -q 'INITIAL_CLUSTER_SUZE="3" is: that name is misspelt' "$(pod_field "$p2" log)" ||
	fail "the error does not name the misspelt variable: $(tail -n 3 "$(pod_field "$p2" log)")"
pass "the error names INITIAL_CLUSTER_SUZE and the fix"
[ ! -e "$d/$p2.starts" ] || fail "dkron started despite the configuration error"
pass "dkron not started on a configuration error"

# SIGTERM while still waiting for peer DNS: a clean, prompt exit, no dkron.
wr_set_env INITIAL_CLUSTER_SUZE- INITIAL_CLUSTER_SIZE=5
kc scale sts "$WR_STS" --replicas=5 >/dev/null
p3=$(wr_pod 3)
bed pod-create "sts/$WR_STS" 3 >/dev/null 2>&1
log3=$(pod_field "$p3" log)
waiting4() { grep -q "names pending: $(wr_pod 4)" "$log3"; }
wait_until 30 "$p3 waits for $(wr_pod 4)'s name" waiting4
t0=$(date +%s.%N)
bed kill "$p3" TERM >/dev/null 2>&1
exited3() { [ "$(pod_field "$p3" exit_code)" != null ]; }
wait_until 20 "$p3's wrapper exits on SIGTERM before launch" exited3
log "measured: $p3 exited $(wr_secs "$t0" "$(date +%s.%N)") s after SIGTERM during the DNS wait"
assert_eq "exit code after SIGTERM before launch" 0 "$(pod_field "$p3" exit_code)"
grep -q 'received SIGTERM before dkron started' "$log3" || fail "no 'received SIGTERM before dkron started' line"
[ ! -e "$d/$p3.starts" ] || fail "dkron started although SIGTERM came during the DNS wait"
pass "SIGTERM during the DNS wait: clean exit, dkron never started"
