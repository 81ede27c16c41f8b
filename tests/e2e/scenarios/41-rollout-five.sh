# shellcheck shell=bash
# Scenario 41 (issue 11): scenario 40 with 5 servers.

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

ro_setup 5
ro_rollout
