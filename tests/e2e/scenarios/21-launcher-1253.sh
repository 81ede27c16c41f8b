# shellcheck shell=bash
# Scenario 21 (issue 5, 2; dkron issue #1253): all three server pods are
# replaced at once and come back with new IPs. The launcher's worker becomes
# an alive member again on its own and its job resumes. Side by side, a plain
# `dkron agent` using dkron's built-in `--retry-join "provider=k8s ..."` runs
# through the same replacement; whether and when it recovers is printed (not
# asserted: the benchmark reports the figures).

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

ln_receiver_start
ln_apply
bed apply "$(fixture launcher-builtin.yaml)" >/dev/null
ln_servers_up
bed pod-create deploy/dkron-agent >/dev/null
bed pod-create deploy/dkron-agent-builtin >/dev/null
ours=$(ln_worker)
builtin=$(ln_pod_of app.kubernetes.io/component=worker-builtin)
wait_until 120 "launcher worker $ours is an alive member" ln_alive "$ours"
wait_until 120 "built-in worker $builtin is an alive member" ln_alive "$builtin"
ln_job launcher-hit launcher tok21 "@every 2s"
ln_job builtin-hit builtin tok21b "@every 2s"
wait_until 60 "the launcher worker's job runs" ln_count_above tok21 1
wait_until 60 "the built-in worker's job runs" ln_count_above tok21b 1

old_ips=$(ln_server_ips | sort | tr '\n' ' ')
log "replacing all three servers (IPs $old_ips)"
t0=$(date +%s.%N)
ln_replace_servers
new_ips=$(ln_server_ips | sort | tr '\n' ' ')
for ip in $new_ips; do
	case " $old_ips " in *" $ip "*) fail "server IP $ip was not replaced" ;; esac
done
pass "all three servers have new IPs ($new_ips)"
wait_until 240 "the replaced servers have a leader and three alive servers" ln_cluster_ok
t_cluster=$(date +%s.%N)

# Both workers are watched together from here, up to 180 s.
ours_at="" builtin_at="" deadline=$((SECONDS + 180))
while [ -z "$ours_at" ] || [ -z "$builtin_at" ]; do
	[ "$SECONDS" -lt "$deadline" ] || break
	[ -n "$ours_at" ] || ! ln_alive "$ours" || ours_at=$(date +%s.%N)
	[ -n "$builtin_at" ] || ! ln_alive "$builtin" || builtin_at=$(date +%s.%N)
	sleep 0.5
done
log "servers replaced at $t0; cluster healthy again $(ln_secs "$t0" "$t_cluster") s later"
if [ -n "$builtin_at" ]; then
	log "built-in provider worker: alive again $(ln_secs "$t0" "$builtin_at") s after the replacement"
else
	log "built-in provider worker: NOT an alive member 180 s after the cluster recovered"
fi
[ -n "$ours_at" ] || fail "launcher worker not an alive member 180 s after the cluster recovered"
log "launcher worker: alive again $(ln_secs "$t0" "$ours_at") s after the replacement"
printf 'RESULT recovery_launcher_s=%s recovery_builtin_s=%s\n' "$(ln_secs "$t0" "$ours_at")" \
	"$([ -n "$builtin_at" ] && ln_secs "$t0" "$builtin_at" || echo never)"

before=$(ln_count tok21)
wait_until 60 "the launcher worker's job resumes" ln_count_above tok21 $((before + 1))
grep -q 'relaunching\|re-joining' "$(pod_field "$ours" log)" || fail "the launcher never re-joined"
pass "the launcher re-joined: $(grep -m1 're-joining' "$(pod_field "$ours" log)" | cut -c1-200)"
