# shellcheck shell=bash
# Helpers for the e2e scenarios (sourced by tests/e2e/run into each
# scenario's own bash; DKRON_BED points at the scenario's bed, E2E_WORK is a
# scratch dir the runner removes).

E2E_REPO=$(cd "$E2E_DIR/../.." && pwd)
E2E_BED=$E2E_REPO/tests/bed/bed
# shellcheck source=tests/bed/tools-env.sh
. "$E2E_REPO/tests/bed/tools-env.sh"

# on_exit CMD: runs CMD when the shell exits, after the commands registered
# later (last in, first out). Every helper that starts something registers
# its stop here, so that none replaces another's EXIT trap.
E2E_ON_EXIT=()
on_exit() {
	E2E_ON_EXIT+=("$1")
	trap e2e_run_on_exit EXIT
}
e2e_run_on_exit() {
	local i
	for ((i = ${#E2E_ON_EXIT[@]} - 1; i >= 0; i--)); do eval "${E2E_ON_EXIT[$i]}" || true; done
}

bed() { "$E2E_BED" "$@"; }
kc() { "$E2E_BED" kubectl "$@"; }
fixture() { printf '%s/fixtures/%s\n' "$E2E_DIR" "$1"; }

log() { printf '%s %s\n' "$(date -u +%T)" "$*"; }
fail() {
	printf 'FAILED: %s\n' "$*" >&2
	exit 1
}
skip() {
	printf 'SKIPPED: %s\n' "$*"
	exit 77
}
pass() { log "ok: $*"; }

assert_eq() { # assert_eq <what> <expected> <actual>
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
	pass "$1 = '$3'"
}
assert_ne() {
	[ "$2" != "$3" ] || fail "$1: expected something other than '$2'"
	pass "$1: '$3' (differs from '$2')"
}

# Polls a command until it succeeds, up to <seconds>.
wait_until() { # wait_until <seconds> <what> cmd...
	local limit=$1 what=$2 deadline
	shift 2
	deadline=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${limit} s waiting for: $what"
		sleep 0.5
	done
	pass "$what"
}

# The cached helm against the scenario's bed; its cache, config and data in
# the scenario's scratch dir, not in $HOME.
helm_bed() {
	local helm=$DKRON_TOOLS_BIN/helm
	[ -x "$helm" ] || fail "no helm at $helm; run tests/bed/tools.sh"
	HELM_CACHE_HOME=$E2E_WORK/helm/cache HELM_CONFIG_HOME=$E2E_WORK/helm/config HELM_DATA_HOME=$E2E_WORK/helm/data \
		"$helm" --kubeconfig "$DKRON_BED/kubeconfig" "$@"
}

pod_field() { bed pod-info "$1" | jq -r ".$2"; }

# Where the scenario's dkron comes from: DKRON_BIN, else the tool cache.
dkron_or_skip() {
	local bin=${DKRON_BIN:-$DKRON_TOOLS_BIN/dkron}
	[ -x "$bin" ] && return 0
	local why
	why=$(cat "$DKRON_TOOLS_DIR/dkron.unavailable" 2>/dev/null || echo "no dkron binary at $bin")
	skip "needs dkron v$DKRON_DKRON_VERSION: $why; set DKRON_BIN=/path/to/dkron to run it"
}
