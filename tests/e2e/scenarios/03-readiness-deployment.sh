# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted sh -c scripts expand in that shell
# Scenario 3 (no dkron needed):
#  - the readiness prober keeps the Ready condition true to an HTTPS
#    readinessProbe, both ways, and DNS follows readiness for a Service
#    without publishNotReadyAddresses;
#  - a Deployment pod gets a <deploy>-<5 chars> name, an ownerReference to
#    the Deployment, and a bound service-account token mounted at
#    /var/run/secrets/kubernetes.io/serviceaccount that the API accepts as
#    that pod's service account (reached as kubernetes.default.svc:443).

bed apply "$(fixture readiness.yaml)"
bed pod-create sts/ready 0
fqdn=ready-0.ready-svc.default.svc.cluster.local
workdir=$(pod_field ready-0 workdir)
ip=$(pod_field ready-0 ip)

ready_is() { [ "$(kc get pod ready-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = "$1" ]; }
dns_is() { [ "$(bed resolve "$1")" = "$2" ]; }

ready_is False || fail "a pod with a readinessProbe must start not Ready"
pass "ready-0 starts with Ready=False"
assert_eq "DNS of a not-ready pod (no publishNotReadyAddresses)" "" "$(bed resolve "$fqdn")"

touch "$workdir/serve"
wait_until 20 "prober sets Ready=True once the endpoint answers" ready_is True
wait_until 10 "DNS lists ready-0 once Ready" dns_is "$fqdn" "$ip"
assert_eq "service name once Ready" "$ip" "$(bed resolve ready-svc.default.svc.cluster.local)"

rm "$workdir/serve"
wait_until 20 "prober sets Ready=False once the endpoint stops" ready_is False
wait_until 10 "DNS drops ready-0 once not Ready" dns_is "$fqdn" ""

bed pod-create deploy/sleeper
pod=$(kc get pods -l app=sleeper -o jsonpath='{.items[0].metadata.name}')
[[ $pod =~ ^sleeper-[bcdfghjklmnpqrstvwxz2456789]{5}$ ]] || fail "deployment pod name '$pod' is not sleeper-<5 chars>"
pass "deployment pod name $pod"
assert_eq "ownerReference" "Deployment/sleeper/$(kc get deploy sleeper -o jsonpath='{.metadata.uid}')" \
	"$(kc get pod "$pod" -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].uid}')"

review=$(bed exec "$pod" -- sh -c 'd=/var/run/secrets/kubernetes.io/serviceaccount
	curl -sS --cacert "$d/ca.crt" -H "Authorization: Bearer $(cat "$d/token")" -H "Content-Type: application/json" \
	-X POST -d "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}" \
	"https://kubernetes.default.svc:$KUBERNETES_SERVICE_PORT/apis/authentication.k8s.io/v1/selfsubjectreviews"')
assert_eq "token's user, as the API sees it" "system:serviceaccount:default:sleeper-sa" \
	"$(jq -r .status.userInfo.username <<<"$review")"
assert_eq "token bound to the pod" "$pod" \
	"$(jq -r '.status.userInfo.extra["authentication.kubernetes.io/pod-name"][0]' <<<"$review")"
assert_eq "namespace file" default "$(bed exec "$pod" -- cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"
[ ! -e /var/run/secrets/kubernetes.io ] || fail "the service-account mount leaked onto the host"
pass "no service-account mount on the host"

bed pod-delete "$pod"
kc get pod "$pod" >/dev/null 2>&1 && fail "deleted pod still in the API"
pass "deployment pod deleted"
