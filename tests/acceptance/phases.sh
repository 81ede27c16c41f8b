# shellcheck shell=bash
# The acceptance sequence, shared by the bed scenario
# (tests/e2e/scenarios/60-acceptance.sh) and tests/acceptance/run (a real
# cluster). The caller defines the operations for its cluster:
#   op_rollout_restart   restart every server the controller's way; returns
#                        when the rollout is done
#   op_scale N           the servers to N; returns when N are healthy
#   op_delete_leader     delete the leader pod; returns when it is back
#   op_restart_workers   replace every worker; returns when all are back
# and ACC_STEADY_S (the steady phase) and ACC_SETTLE_S (how long each phase
# goes on after its operation returned). acc_run_phases FILE appends one
# "<name> <start> <end>" line per phase to FILE.

acc_phase() { # acc_phase FILE NAME cmd...: runs cmd, settles, records it
	local file=$1 name=$2 t0 t1
	shift 2
	t0=$(date +%s.%N)
	log "phase $name: $*"
	"$@"
	sleep "$ACC_SETTLE_S"
	t1=$(date +%s.%N)
	printf '%s %s %s\n' "$name" "$t0" "$t1" >>"$file"
	log "phase $name: done in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
}

acc_run_phases() {
	local file=$1
	: >"$file"
	acc_phase "$file" steady sleep "$ACC_STEADY_S"
	acc_phase "$file" rollout_restart op_rollout_restart
	acc_phase "$file" scale_3_5_3 acc_scale_up_and_down
	acc_phase "$file" leader_delete op_delete_leader
	acc_phase "$file" workers_restart op_restart_workers
}

acc_scale_up_and_down() {
	op_scale 5
	op_scale 3
}
