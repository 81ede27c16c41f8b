# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted scripts expand in the pod's shell
# Scenario 16 (issue 4, 7; no dkron needed): the wrapper is PID 1 of the
# pod's PID namespace. A fake dkron (--dkron via DKRON_BIN) leaves an
# orphaned grandchild behind: the orphan is re-parented to the wrapper, which
# reaps it when it exits (no zombie is left while the wrapper runs); then the
# fake dkron exits 42 and the wrapper exits with the same code.

# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"

# The fake lives in the bed's state dir: visible in the pod (the base mounts an
# emptyDir over /tmp), removed by `bed down`.
d=$DKRON_BED/wrapper-fake
mkdir -p "$d"
chmod 755 "$d"
cat >"$d/dkron" <<'FAKE'
#!/bin/sh
# fake dkron: leaves an orphan (its parent, a subshell, exits at once), then
# waits for the test's go-ahead and exits 42.
d=$(dirname "$0")
( sh -c 'echo $$ >"$1/orphan.pid.tmp"; mv "$1/orphan.pid.tmp" "$1/orphan.pid"
	while [ ! -e "$1/orphan.exit" ]; do sleep 0.1; done' orphan "$d" & )
while [ ! -e "$d/dkron.exit" ]; do sleep 0.1; done
exit 42
FAKE
chmod 755 "$d/dkron"

wr_apply
wr_set_env DKRON_BIN="$d/dkron" INITIAL_CLUSTER_SIZE=1
kc scale sts "$WR_STS" --replicas=1 >/dev/null
bed pod-create "sts/$WR_STS" 0 >/dev/null 2>&1
pod=$(wr_pod 0)
assert_eq "PID 1 in the pod" dkron-server-wrapper "$(bed exec "$pod" -- sh -c 'tr "\0" "\n" </proc/1/cmdline | head -n 1')"

wait_until 60 "the fake dkron started its orphan" test -s "$d/orphan.pid"
opid=$(cat "$d/orphan.pid")
ppid_of_orphan() { bed exec "$pod" -- awk '/^PPid:/ {print $2}' "/proc/$opid/status"; }
orphan_reparented() { [ "$(ppid_of_orphan)" = 1 ]; }
wait_until 20 "orphan $opid re-parented to the wrapper (PID 1)" orphan_reparented

touch "$d/orphan.exit"
orphan_gone() { bed exec "$pod" -- test ! -e "/proc/$opid"; }
wait_until 20 "orphan $opid exited and was reaped (no zombie)" orphan_gone
assert_eq "wrapper still running after reaping" true "$(pod_field "$pod" alive)"
zombies=$(bed exec "$pod" -- sh -c 'for s in /proc/[0-9]*/stat; do cut -d" " -f3 "$s"; done 2>/dev/null | grep -c "^Z$" || true')
assert_eq "zombies in the pod" 0 "$zombies"

touch "$d/dkron.exit"
exited() { [ "$(pod_field "$pod" exit_code)" != null ]; }
wait_until 30 "the wrapper exited" exited
assert_eq "the wrapper's exit code" 42 "$(pod_field "$pod" exit_code)"
grep -q 'exited on its own with status 42' "$(pod_field "$pod" log)" || fail "the wrapper did not log dkron's status 42"
pass "the wrapper logged dkron's own exit with status 42"
