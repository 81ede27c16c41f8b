# shellcheck shell=bash
# Scenario 42 (issue 11): a rolling restart of 3 servers during which a
# node drain evicts another server pod (bed drain: retried until the PDB,
# maxUnavailable 1, allows it). The StatefulSet controller does not ask the
# PDB; readiness holds it, and the PDB holds the drain: at no moment are
# fewer than a quorum of the servers working voters.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

ro_setup 3
# The first pod replaced is drained while the second one restarts.
ro_rollout "$(wr_pod 2)"
