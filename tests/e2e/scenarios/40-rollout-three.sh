# shellcheck shell=bash
# Scenario 40 (issue 11): a rolling restart of 3 servers at the StatefulSet
# controller's pace (bed rollout-restart: highest ordinal first, the next
# pod as soon as the new one is Ready), while an @every 1s job runs on a
# worker. Readiness means "a working voter", so the rollout never takes a
# second voter away; the leader hands over before it leaves. Prints RESULT
# lines (seconds without a leader, leader changes, missed runs, duration).

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/wrapper-lib.sh
. "$(fixture wrapper-lib.sh)"
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"
# shellcheck source=tests/e2e/fixtures/rollout-lib.sh
. "$(fixture rollout-lib.sh)"

ro_setup 3
ro_rollout
