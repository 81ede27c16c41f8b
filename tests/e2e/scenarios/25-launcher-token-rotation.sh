# shellcheck shell=bash
# Scenario 25 (issue 5, 6): the service-account token file is replaced by a
# new valid token while the launcher runs (as the kubelet does, by renaming
# a new file over it). To be sure the launcher uses the new one, the old
# token is revoked first (the ServiceAccount is deleted and created again,
# which invalidates every token issued for the old one; the API says 401 to
# it), and the API server is restarted so that the launcher must list and
# watch again. No error surfaces: the launcher logs no 401/403, dkron keeps
# running, and the watch works (a server restarted afterwards, with a new
# IP, shows up in the launcher's "live servers" line).

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
old_token=$(cat "$sa_dir/token")
api=https://$(sed -n 's/^BRIDGE_IP=//p' "$DKRON_BED/settings"):$(sed -n 's/^API_PORT=//p' "$DKRON_BED/settings")
api_code() { curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$api/api/v1/namespaces/default/pods?limit=1"; }
assert_eq "API answer to the old token before the revocation" 200 "$(api_code "$old_token")"
kc delete serviceaccount dkron-agent >/dev/null
kc create serviceaccount dkron-agent >/dev/null
old_token_refused() { [ "$(api_code "$old_token")" = 401 ]; }
wait_until 30 "the old token is refused (401)" old_token_refused
kc create token dkron-agent --bound-object-kind=Pod --bound-object-name="$worker" \
	--bound-object-uid="$uid" --duration=1h >"$sa_dir/.token.new"
chmod 600 "$sa_dir/.token.new"
mv "$sa_dir/.token.new" "$sa_dir/token"
assert_ne "token file content" "$old_sum" "$(sha256sum <"$sa_dir/token")"
assert_eq "token seen inside the pod" "$(sha256sum <"$sa_dir/token")" \
	"$(bed exec "$worker" -- sha256sum </dev/null /var/run/secrets/kubernetes.io/serviceaccount/token | awk '{print $1 "  -"}')"

new_token=$(cat "$sa_dir/token")
assert_eq "API answer to the new token" 200 "$(api_code "$new_token")"
# The launcher's open watch was authenticated with the old token: restart
# the API server so that it has to list and watch again.
bed api-stop
bed api-start
wait_until 60 "the API answers again" kc get pods
# Right after its start the API server may answer 403 until its RBAC cache
# has synced (that is the server, not the token): look at later lines only.
api_ready=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)

old_ip=$(pod_field dkron-server-1 ip)
bed pod-restart dkron-server-1 >/dev/null
new_ip=$(pod_field dkron-server-1 ip)
sees_new_ip() { grep 'dkron-agent-launcher: live servers: ' "$worker_log" | tail -n1 | grep -q "$new_ip:8946"; }
wait_until 120 "the launcher's live servers include dkron-server-1's new IP $new_ip (was $old_ip)" sees_new_ip
wait_until 60 "$worker an alive member" ln_alive "$worker"
auth_errors=$(ln_auth_errors "$worker")
assert_eq "launcher 401 lines" "" "$(grep -E '\b401\b|[Uu]nauthorized' <<<"$auth_errors" || true)"
assert_eq "launcher 403 lines once the API was ready" "" "$(awk -v t="$api_ready" '$1 >= t' <<<"$auth_errors")"
[ -z "$auth_errors" ] || log "(403 while the API server was starting: $(cut -c1-120 <<<"$auth_errors" | head -n1) ...)"
assert_eq "dkron PID" "$dkron_pid" "$(ln_dkron_pid "$worker")"
