# shellcheck shell=bash
# Scenario 43 (issue 24): a server's node is lost, the bed's way (the bed
# has no nodes): the server's wrapper and dkron are SIGKILLed (no leave, no
# shutdown), then the pod is deleted and made again at once with a new IP,
# as the StatefulSet controller does after a force-delete. First a
# follower, then the leader. The peers' gossip still holds the old
# incarnation (alive, then dead), which held the name for 60-86 s before
# the wrapper freed it (reclaim.h). Prints, per case, the seconds from the
# new pod's dkron start to its wrapper's "ready: a voter" and from the new
# pod to every server a voter at its current IP, missed runs of the
# @every 1s job and seconds without a leader. The real tier's 06 is the
# same fault from its force-delete on.
# timeout: 600

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

# check_loss ROLE VICTIM: the loss, the reclaim and the end state.
check_loss() {
	local log_file
	ro_node_loss "$1" "$2" 120 || fail "$2 (the $1) was not a voter at its new IP within 120 s"
	log_file=$(pod_field "$2" log)
	grep -q 'our last incarnation did not leave' "$log_file" ||
		fail "$2's wrapper did not find its old incarnation in the peers' gossip"
	pass "$2's wrapper freed its name: $(grep -o 'the peers held our name [a-z]* at [0-9.]*; told [0-9]* of [0-9]*' "$log_file" | head -n1)"
	ro_assert_end
}

ro_setup 3
leader=$(wr_labelled)
for p in "${RO_PODS[@]}"; do [ "$p" = "$leader" ] || follower=$p; done
check_loss follower "$follower"
check_loss leader "$(wr_labelled)"
