# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted sh -c scripts expand in that shell
# Scenario 2: the delete/restart contract of the pod runner.
#  - a deleted pod is seen as terminating (deletionTimestamp, through a
#    watch) BEFORE its container gets SIGTERM: the container stamps the time
#    it got TERM, a watcher stamps the time it saw the deletionTimestamp;
#  - the restarted pod has a new IP, keeps its data dir, and DNS follows
#    (old IP gone, new IP present), both from the host and from another pod;
#  - kubelet-style $(VAR) expansion and fieldRef env reach the container;
#  - scaling down removes the highest ordinal; `kill` ends a container
#    without deleting its pod.

bed apply "$(fixture term-order.yaml)"
bed scale term-order 2
wait_until 30 "both pods Running in the API" \
	sh -c '[ "$("$0" kubectl get pods -l app=term-order -o json | jq "[.items[] | select(.status.phase == \"Running\")] | length")" = 2 ]' "$E2E_BED"

old_ip=$(pod_field term-order-0 ip)
workdir=$(pod_field term-order-0 workdir)
api_ip=$(kc get pod term-order-0 -o jsonpath='{.status.podIP}')
assert_eq "term-order-0 IP in the API" "$old_ip" "$api_ip"

# kubelet-style expansion: $(MY_NAME) from fieldRef, $(POD_IP), $$ and an
# undefined variable left as written.
wait_until 10 "container printed its greeting" grep -q 'hello from' "$(pod_field term-order-0 log)"
greeting=$(grep -m1 'hello from' "$(pod_field term-order-0 log)")
assert_eq "expanded env in the container" "hello from term-order-0 at $old_ip, \$(NOT_EXPANDED) \$(UNDEFINED_VAR)" "$greeting"
assert_eq "pod hostname" "hostname term-order-0" "$(grep -m1 '^hostname ' "$(pod_field term-order-0 log)")"

fqdn=term-order-0.term-order.default.svc.cluster.local
assert_eq "DNS before restart" "$old_ip" "$(bed resolve "$fqdn")"

# Watch the pod; each event line is stamped with the time it arrived.
events=$E2E_WORK/events
setsid bash -c '"$1" kubectl get pod term-order-0 --watch --output-watch-events \
	-o jsonpath="{.type} {.object.metadata.deletionTimestamp}{\"\\n\"}" |
	while IFS= read -r line; do printf "%s %s\n" "$(date -u +%s.%N)" "$line"; done' \
	watcher "$E2E_BED" >"$events" 2>"$E2E_WORK/watch.err" &
watcher=$!
stop_watcher() { kill -TERM -- "-$watcher" 2>/dev/null || true; }
on_exit stop_watcher
wait_until 15 "watch established (ADDED event seen)" grep -q ' ADDED' "$events"

log "restarting term-order-0"
bed pod-restart term-order-0
stop_watcher

seen_terminating=$(awk '$2 == "MODIFIED" && $3 != "" {print $1; exit}' "$events")
[ -n "$seen_terminating" ] || {
	cat "$events" >&2
	fail "the watch never showed term-order-0 with a deletionTimestamp"
}
[ -f "$workdir/terminated-at" ] || fail "the container did not record a SIGTERM (no $workdir/terminated-at)"
got_term=$(cat "$workdir/terminated-at")
log "watch saw deletionTimestamp at $seen_terminating; container got SIGTERM at $got_term"
awk -v a="$seen_terminating" -v b="$got_term" 'BEGIN { exit !(a < b) }' ||
	fail "SIGTERM ($got_term) came before the watcher saw the pod terminating ($seen_terminating)"
pass "pod seen terminating $(awk -v a="$seen_terminating" -v b="$got_term" 'BEGIN { printf "%.3f", b - a }') s before its container got SIGTERM"

new_ip=$(pod_field term-order-0 ip)
assert_ne "IP after restart" "$old_ip" "$new_ip"
assert_eq "IP in the API after restart" "$new_ip" "$(kc get pod term-order-0 -o jsonpath='{.status.podIP}')"
assert_eq "data dir kept across restart" "$workdir" "$(pod_field term-order-0 workdir)"
[ -f "$workdir/terminated-at" ] || fail "data dir content lost across restart"

assert_eq "DNS (host) after restart: pod name" "$new_ip" "$(bed resolve "$fqdn")"
svc_ips=$(bed resolve term-order.default.svc.cluster.local | tr '\n' ' ')
case " $svc_ips " in *" $old_ip "*) fail "service name still lists the old IP $old_ip: $svc_ips" ;; esac
case " $svc_ips " in *" $new_ip "*) pass "service name lists the new IP ($svc_ips)" ;; *) fail "service name lacks the new IP $new_ip: $svc_ips" ;; esac
# From inside another pod, with its resolv.conf search list (short name).
in_pod=$(bed exec term-order-1 -- getent ahostsv4 term-order-0.term-order | awk '{print $1}' | sort -u)
assert_eq "DNS (from term-order-1, short name) after restart" "$new_ip" "$in_pod"

# kill: the container dies, the Pod object stays.
bed kill term-order-1
wait_until 10 "term-order-1's container gone after SIGKILL" \
	sh -c '[ "$("$0" pod-info term-order-1 | jq -r .alive)" = false ]' "$E2E_BED"
kc get pod term-order-1 >/dev/null || fail "bed kill deleted the Pod object"
pass "Pod object of the killed container still exists"

# Scale down: the highest ordinal goes, its DNS name with it.
bed scale term-order 1
assert_eq "replicas in the API" 1 "$(kc get sts term-order -o jsonpath='{.spec.replicas}')"
kc get pod term-order-1 >/dev/null 2>&1 && fail "term-order-1 still in the API after scale 1"
assert_eq "term-order-1 DNS after scale 1" "" "$(bed resolve term-order-1.term-order.default.svc.cluster.local)"
kc get pod term-order-0 >/dev/null || fail "term-order-0 must survive scale 1"
pass "scale 1 kept term-order-0 and removed term-order-1"
