# shellcheck shell=bash
# Scenario 25 (issue 5, 6): the service-account token file is replaced by a
# new valid token while the launcher runs (as the kubelet does, by renaming
# a new file over it). No error surfaces: the launcher logs no 401/403, and
# its watch keeps working (a server restarted afterwards, with a new IP,
# shows up in its "live servers" line, and the API saw the new token used).

dkron_or_skip
# shellcheck source=tests/e2e/fixtures/launcher-lib.sh
. "$(fixture launcher-lib.sh)"

ln_apply
ln_servers_up
bed pod-create deploy/dkron-agent >/dev/null
worker=$(ln_worker)
worker_log=$(pod_field "$worker" log)
wait_until 120 "$worker is an alive member" ln_alive "$worker"
dkron_pid=$(ln_dkron_pid "$worker")

sa_dir=$DKRON_BED/pods/default_$worker/sa
[ -f "$sa_dir/token" ] || fail "no token file at $sa_dir/token"
old_sum=$(sha256sum <"$sa_dir/token")
uid=$(kc get pod "$worker" -o jsonpath='{.metadata.uid}')
kc create token dkron-agent --bound-object-kind=Pod --bound-object-name="$worker" \
	--bound-object-uid="$uid" --duration=1h >"$sa_dir/.token.new"
chmod 600 "$sa_dir/.token.new"
mv "$sa_dir/.token.new" "$sa_dir/token"
assert_ne "token file content" "$old_sum" "$(sha256sum <"$sa_dir/token")"
assert_eq "token seen inside the pod" "$(sha256sum <"$sa_dir/token")" \
	"$(bed exec "$worker" -- sha256sum </dev/null /var/run/secrets/kubernetes.io/serviceaccount/token | awk '{print $1 "  -"}')"

old_ip=$(pod_field dkron-server-1 ip)
bed pod-restart dkron-server-1 >/dev/null
new_ip=$(pod_field dkron-server-1 ip)
sees_new_ip() { grep 'dkron-agent-launcher: live servers: ' "$worker_log" | tail -n1 | grep -q "$new_ip:8946"; }
wait_until 120 "the launcher's live servers include dkron-server-1's new IP $new_ip (was $old_ip)" sees_new_ip
wait_until 60 "$worker an alive member" ln_alive "$worker"
assert_eq "launcher authorization errors" "" "$(ln_auth_errors "$worker")"
assert_eq "dkron PID" "$dkron_pid" "$(ln_dkron_pid "$worker")"
