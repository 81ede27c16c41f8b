# shellcheck shell=bash
# Scenario 31: the RBAC of kustomize/base is exactly what the entrypoints
# need. After applying the rendered base in a namespace of its own, the API
# server's own authorizer (kubectl auth can-i --as the ServiceAccounts) must
# allow every call the binaries make:
#   dkron-server: get+patch pods/dkron-server-0..2, get statefulsets/dkron-server,
#                 create events.k8s.io events
#   dkron-agent:  list+watch pods, create events.k8s.io events
# and deny the neighbours: other verbs, other resources, other pod names,
# other StatefulSets, other namespaces, cluster scope, each other's rights.
# The production overlay's Role covers its 5 pods. No dkron needed.

NS=dkron-rbac
OTHER=dkron-rbac-other
kc create namespace "$NS" >/dev/null
kc create namespace "$OTHER" >/dev/null
kc kustomize "$E2E_REPO/kustomize/base" >"$E2E_WORK/base.yaml"
kc apply -n "$NS" -f "$E2E_WORK/base.yaml" >/dev/null
pass "base applied in namespace $NS"

# can <sa> <namespace|-> <verb> <resource> -> yes/no ("-" = cluster scope).
can() {
	local sa=$1 ns=$2 out rc=0
	shift 2
	local scope=(-n "$ns")
	[ "$ns" != - ] || scope=(--all-namespaces)
	out=$(kc auth can-i "$@" "${scope[@]}" --as="system:serviceaccount:$NS:$sa" 2>&1) || rc=$?
	case "$out" in
	yes | no) printf '%s\n' "$out" ;;
	*) fail "kubectl auth can-i $* as $sa: exit $rc, '$out'" ;;
	esac
}
where() { if [ "$1" = - ]; then echo "cluster-wide"; else echo "in $1"; fi; }
allow() { assert_eq "$1 may ${*:3} $(where "$2")" yes "$(can "$@")"; }
deny() { assert_eq "$1 may not ${*:3} $(where "$2")" no "$(can "$@")"; }

# dkron-server: what dkron-server-wrapper does.
for i in 0 1 2; do
	allow dkron-server "$NS" get "pods/dkron-server-$i"
	allow dkron-server "$NS" patch "pods/dkron-server-$i"
done
allow dkron-server "$NS" get statefulsets.apps/dkron-server
allow dkron-server "$NS" create events.events.k8s.io

# dkron-server: the neighbours.
for v in delete update create; do deny dkron-server "$NS" "$v" pods/dkron-server-0; done
deny dkron-server "$NS" patch pods/dkron-server-3 # beyond the listed names
deny dkron-server "$NS" get pods/dkron-agent-abcde
deny dkron-server "$NS" patch pods/dkron-agent-abcde
deny dkron-server "$NS" list pods
deny dkron-server "$NS" watch pods
deny dkron-server "$NS" patch pods/dkron-server-0 --subresource=status
deny dkron-server "$NS" create pods/dkron-server-0 --subresource=exec
deny dkron-server "$NS" create pods/dkron-server-0 --subresource=eviction
deny dkron-server "$NS" patch statefulsets.apps/dkron-server
deny dkron-server "$NS" update statefulsets.apps/dkron-server
deny dkron-server "$NS" get statefulsets.apps/other
deny dkron-server "$NS" list statefulsets.apps
deny dkron-server "$NS" patch statefulsets.apps/dkron-server --subresource=scale
for r in secrets configmaps endpoints services persistentvolumeclaims; do deny dkron-server "$NS" get "$r"; done
deny dkron-server "$NS" list endpointslices.discovery.k8s.io
deny dkron-server "$NS" create leases.coordination.k8s.io
deny dkron-server "$OTHER" get pods/dkron-server-0
deny dkron-server "$OTHER" patch pods/dkron-server-0
deny dkron-server default get statefulsets.apps/dkron-server
deny dkron-server - get pods
deny dkron-server - list nodes
# Events: create only, in its own namespace, in events.k8s.io only.
for sa in dkron-server dkron-agent; do
	for v in get list watch update patch delete; do deny "$sa" "$NS" "$v" events.events.k8s.io; done
	deny "$sa" "$NS" create events # the core/v1 group is not granted
	deny "$sa" "$OTHER" create events.events.k8s.io
done

# dkron-agent: what dkron-agent-launcher does.
allow dkron-agent "$NS" list pods
allow dkron-agent "$NS" watch pods
allow dkron-agent "$NS" create events.events.k8s.io

# dkron-agent: the neighbours.
for v in get patch update delete create deletecollection; do deny dkron-agent "$NS" "$v" pods; done
deny dkron-agent "$NS" get pods/dkron-server-0
deny dkron-agent "$NS" patch pods/dkron-server-0
deny dkron-agent "$NS" create pods/dkron-server-0 --subresource=exec
deny dkron-agent "$NS" get pods/dkron-server-0 --subresource=log
deny dkron-agent "$NS" get statefulsets.apps/dkron-server
for r in secrets configmaps endpoints services; do deny dkron-agent "$NS" list "$r"; done
deny dkron-agent "$NS" list endpointslices.discovery.k8s.io
deny dkron-agent "$OTHER" list pods
deny dkron-agent default watch pods
deny dkron-agent - list pods
deny dkron-agent - watch pods

# Another ServiceAccount in the namespace gets none of it.
deny default "$NS" get pods/dkron-server-0
deny default "$NS" list pods

# The server SA token is usable for real: a patch of its own pod's labels
# is authorized end to end (a bare pod object, never run, stands in for
# the server; the bed has no default ServiceAccount, hence the explicit one).
kc -n "$NS" create -f - >/dev/null <<'POD'
apiVersion: v1
kind: Pod
metadata:
  name: dkron-server-1
spec:
  serviceAccountName: dkron-server
  containers:
    - name: c
      image: dkron-k8s:latest
POD
kc -n "$NS" patch pod dkron-server-1 --type=merge -p '{"metadata":{"labels":{"dkron-leader":"true"}}}' \
	--as="system:serviceaccount:$NS:dkron-server" >/dev/null
assert_eq "label patched as dkron-server" true \
	"$(kc -n "$NS" get pod dkron-server-1 -o jsonpath='{.metadata.labels.dkron-leader}')"
if kc -n "$NS" delete pod dkron-server-1 --as="system:serviceaccount:$NS:dkron-server" >/dev/null 2>&1; then
	fail "dkron-server could delete its pod"
fi
pass "dkron-server cannot delete its pod (real request refused)"

# Production: 5 servers, 5 pod names, still none beyond.
kc create namespace dkron >/dev/null
kc kustomize "$E2E_REPO/kustomize/overlays/production" | kc apply -f - >/dev/null
prod_can() { kc auth can-i "$1" "$2" -n dkron --as=system:serviceaccount:dkron:dkron-server 2>/dev/null || true; }
for i in 0 1 2 3 4; do assert_eq "production: dkron-server may patch pods/dkron-server-$i" yes "$(prod_can patch "pods/dkron-server-$i")"; done
assert_eq "production: dkron-server may not patch pods/dkron-server-5" no "$(prod_can patch pods/dkron-server-5)"
