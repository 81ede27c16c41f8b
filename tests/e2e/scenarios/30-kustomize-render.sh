# shellcheck shell=bash
# Scenario 30: the kustomize tree renders and the real API server accepts it.
# kustomize/base and both overlays render with the bed's kubectl (kustomize
# built in); a server-side dry-run of each is accepted (base in a namespace
# the scenario creates, overlays in their own namespaces, created first).
# The rendered objects carry the conventions other tests rely on: names,
# labels, entrypoints, INITIAL_CLUSTER_SIZE = replicas = RBAC pod names,
# namespaces, images and log levels of each overlay, and what differs
# between staging and production (kustomize/README.md's table: zone spread,
# PriorityClass, NetworkPolicy rules, limits, log formats). No dkron needed.

REPO=$E2E_REPO
# Renders a kustomization to <name>.yaml, and to <name>.json as {items: [...]}.
render() { # render <dir under kustomize/> <name>
	kc kustomize "$REPO/kustomize/$1" >"$E2E_WORK/$2.yaml"
	kc create --dry-run=client -o json -f "$E2E_WORK/$2.yaml" | jq -s '{items: .}' >"$E2E_WORK/$2.json"
}
q() { jq -r "$2" "$E2E_WORK/$1.json"; } # q <name> <jq filter>
sts() { printf '.items[] | select(.kind == "StatefulSet" and .metadata.name == "dkron-server") | %s' "$1"; }
dep() { printf '.items[] | select(.kind == "Deployment" and .metadata.name == "dkron-agent") | %s' "$1"; }
env_of() { printf '.spec.template.spec.containers[0].env[] | select(.name == "%s") | .value' "$1"; }

# Checks what must hold in every rendering: size agreement and conventions.
check_common() { # check_common <name> <namespace-or-empty>
	local n=$1 ns=$2 size pods names
	size=$(q "$n" "$(sts .spec.replicas)")
	assert_eq "$n: INITIAL_CLUSTER_SIZE = StatefulSet replicas" "$size" "$(q "$n" "$(sts "$(env_of INITIAL_CLUSTER_SIZE)")")"
	pods=$(for ((i = 0; i < size; i++)); do printf 'dkron-server-%d ' "$i"; done)
	names=$(q "$n" '.items[] | select(.kind == "Role" and .metadata.name == "dkron-server") | .rules[] | select(.resources == ["pods"]) | .resourceNames[]' | tr '\n' ' ')
	assert_eq "$n: server Role pod names follow the replicas" "$pods" "$names"
	# From the YAML itself: kubectl's JSON conversion adds "default".
	assert_eq "$n: namespaces of all namespaced objects" "${ns:-<none>}" \
		"$(awk '/^kind:/ {n += ($2 != "PriorityClass")} /^[^ ]/ {meta = /^metadata:/} meta && /^  namespace:/ {ns[$2]++} END {
			s = ""; for (k in ns) s = s (s == "" ? "" : ",") k (ns[k] == n ? "" : "(" ns[k] "/" n ")")
			print (s == "" ? "<none>" : s) }' "$E2E_WORK/$n.yaml")"
	assert_eq "$n: objects without the name/part-of labels" "" \
		"$(q "$n" '.items[] | select(.metadata.labels["app.kubernetes.io/name"] != "dkron" or .metadata.labels["app.kubernetes.io/part-of"] != "dkron") | .kind + "/" + .metadata.name')"
	assert_eq "$n: server entrypoint" /usr/local/bin/dkron-server-wrapper "$(q "$n" "$(sts '.spec.template.spec.containers[0].command[0]')")"
	assert_eq "$n: worker entrypoint" /usr/local/bin/dkron-agent-launcher "$(q "$n" "$(dep '.spec.template.spec.containers[0].command[0]')")"
	assert_eq "$n: server pod labels" "dkron server" \
		"$(q "$n" "$(sts '.spec.template.metadata.labels | .["app.kubernetes.io/name"] + " " + .["app.kubernetes.io/component"]')")"
	assert_eq "$n: headless Service publishes not-ready pods" "None true" \
		"$(q "$n" '.items[] | select(.kind == "Service" and .metadata.name == "dkron-server") | .spec.clusterIP + " " + (.spec.publishNotReadyAddresses | tostring)')"
	assert_eq "$n: leader Service selects the leader label" true \
		"$(q "$n" '.items[] | select(.kind == "Service" and .metadata.name == "dkron-server-leader") | .spec.selector["dkron-leader"]')"
	assert_eq "$n: server probes (readiness a working voter; startup and liveness the wrapper)" \
		"/readyz status /healthz status /healthz status 8081" \
		"$(q "$n" "$(sts '.spec.template.spec.containers[0] | [.readinessProbe.httpGet.path, .readinessProbe.httpGet.port, .startupProbe.httpGet.path, .startupProbe.httpGet.port, .livenessProbe.httpGet.path, .livenessProbe.httpGet.port, (.ports[] | select(.name == "status") | .containerPort | tostring)] | join(" ")')")"
	assert_eq "$n: a first bootstrap fits the startup probe's window (at least 10 min)" true \
		"$(q "$n" "$(sts '.spec.template.spec.containers[0].startupProbe | .periodSeconds * .failureThreshold >= 600')")"
	assert_eq "$n: worker probes" "/readyz status /healthz status" \
		"$(q "$n" "$(dep '.spec.template.spec.containers[0] | [.readinessProbe.httpGet.path, .readinessProbe.httpGet.port, .livenessProbe.httpGet.path, .livenessProbe.httpGet.port] | join(" ")')")"
	assert_eq "$n: server grace period" 90 "$(q "$n" "$(sts .spec.template.spec.terminationGracePeriodSeconds)")"
	assert_eq "$n: data PVC at /dkron.data" "data /dkron.data" \
		"$(q "$n" "$(sts '(.spec.volumeClaimTemplates[0].metadata.name) + " " + (.spec.template.spec.containers[0].volumeMounts[] | select(.name == "data") | .mountPath)')")"
	assert_eq "$n: pods run as non-root, read-only root, no capabilities" "true true true ALL;true true true ALL" \
		"$(q "$n" '[.items[] | select(.kind == "StatefulSet" or .kind == "Deployment") | .spec.template.spec | "\(.securityContext.runAsNonRoot) \(.securityContext.runAsUser > 0) \(.containers[0].securityContext.readOnlyRootFilesystem) \(.containers[0].securityContext.capabilities.drop | join(","))"] | join(";")')"
	assert_eq "$n: PDB" 1 "$(q "$n" '.items[] | select(.kind == "PodDisruptionBudget") | .spec.maxUnavailable')"
	assert_eq "$n: no cluster-scoped RBAC, no Secrets" "" \
		"$(q "$n" '.items[] | select(.kind == "ClusterRole" or .kind == "ClusterRoleBinding" or .kind == "Secret") | .kind')"
}

# Server-side dry-run: the API server validates and admits every object.
dry_run() { # dry_run <name> [namespace] [objects, 11 unless given]
	local out
	out=$(kc apply --dry-run=server ${2:+-n "$2"} -f "$E2E_WORK/$1.yaml" 2>&1) || fail "$1: server-side dry-run refused it: $out"
	assert_eq "$1: objects accepted by the server-side dry-run" "${3:-11}" "$(grep -c '(server dry run)$' <<<"$out")"
}

# Each NetworkPolicy ingress rule as "<from peers> -> <ports>" ("" from:
# anyone), rules separated by "; ".
netpol() { # netpol <name> <policy name>
	q "$1" ".items[] | select(.kind == \"NetworkPolicy\" and .metadata.name == \"$2\") | [.spec.ingress[] |
		([.from[]? | (.podSelector.matchLabels // {} | to_entries | map(.key + \"=\" + .value) | join(\",\")) + (if .namespaceSelector then \"@ns\" else \"\" end)] | join(\"|\"))
		+ \" -> \" + ([.ports[] | \"\\(.port)/\\(.protocol)\"] | join(\",\"))] | join(\"; \")"
}

render base base
check_common base ""
assert_eq "base: image placeholder" "dkron-k8s:latest dkron-k8s:latest" \
	"$(q base '[.items[] | select(.kind == "StatefulSet" or .kind == "Deployment") | .spec.template.spec.containers[0].image] | join(" ")')"
assert_eq "base: replicas (servers, workers)" "3 2" "$(q base "$(sts .spec.replicas)") $(q base "$(dep .spec.replicas)")"
kc create namespace dkron-e2e-base >/dev/null
dry_run base dkron-e2e-base

render overlays/staging staging
check_common staging dkron-staging
assert_eq "staging: replicas (servers, workers)" "3 1" "$(q staging "$(sts .spec.replicas)") $(q staging "$(dep .spec.replicas)")"
assert_eq "staging: image" registry.example.com/dkron-k8s:0.1.0-rc.1 "$(q staging "$(sts '.spec.template.spec.containers[0].image')")"
assert_eq "staging: log levels" "debug debug" "$(q staging "$(sts "$(env_of WRAPPER_LOG_LEVEL)")") $(q staging "$(dep "$(env_of LAUNCHER_LOG_LEVEL)")")"

render overlays/production production
check_common production dkron
assert_eq "production: replicas (servers, workers)" "5 4" "$(q production "$(sts .spec.replicas)") $(q production "$(dep .spec.replicas)")"
assert_eq "production: image" registry.example.com/dkron-k8s:0.1.0 "$(q production "$(dep '.spec.template.spec.containers[0].image')")"
assert_eq "production: log levels" "info info" "$(q production "$(sts "$(env_of WRAPPER_LOG_LEVEL)")") $(q production "$(dep "$(env_of LAUNCHER_LOG_LEVEL)")")"
assert_eq "production: servers spread over nodes (required)" kubernetes.io/hostname \
	"$(q production "$(sts '.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey')")"
assert_eq "production: server NetworkPolicy (Serf and RPC from dkron pods, API from dkron pods and clients, status from anyone)" \
	"app.kubernetes.io/name=dkron -> 8946/TCP,8946/UDP,6868/TCP; app.kubernetes.io/name=dkron|dkron-k8s.io/client=true -> 8080/TCP;  -> 8081/TCP" \
	"$(netpol production dkron-server)"
assert_eq "production: worker NetworkPolicy" "app.kubernetes.io/name=dkron -> 8946/TCP,8946/UDP,6868/TCP;  -> 8081/TCP" \
	"$(netpol production dkron-agent)"
assert_eq "production: NetworkPolicies select" "server worker" \
	"$(q production '[.items[] | select(.kind == "NetworkPolicy") | .spec.podSelector.matchLabels["app.kubernetes.io/component"]] | sort | join(" ")')"
assert_eq "staging: no NetworkPolicy" "" "$(q staging '.items[] | select(.kind == "NetworkPolicy") | .metadata.name')"

# What differs between the overlays (kustomize/README.md's table).
both() { printf '%s %s' "$(q "$1" "$(sts "$2")")" "$(q "$1" "$(dep "$2")")"; }
assert_eq "production: servers spread over zones (preferred)" topology.kubernetes.io/zone/ScheduleAnyway \
	"$(q production "$(sts '.spec.template.spec.topologySpreadConstraints[] | .topologyKey + "/" + .whenUnsatisfiable')")"
assert_eq "production: the servers' PriorityClass exists" "dkron-server 100000" \
	"$(q production "$(sts .spec.template.spec.priorityClassName)") $(q production '.items[] | select(.kind == "PriorityClass" and .metadata.name == "dkron-server") | .value')"
assert_eq "production: log formats (servers, workers)" "json json" \
	"$(q production "$(sts "$(env_of WRAPPER_LOG_FORMAT)")") $(q production "$(dep "$(env_of LAUNCHER_LOG_FORMAT)")")"
assert_eq "production: memory limits (servers, workers)" "1Gi 512Mi" "$(both production '.spec.template.spec.containers[0].resources.limits.memory')"
assert_eq "production: requests (servers, workers)" "250m/256Mi 100m/128Mi" \
	"$(both production '.spec.template.spec.containers[0].resources.requests | .cpu + "/" + .memory')"
assert_eq "staging: log formats" "text text" \
	"$(q staging "$(sts "$(env_of WRAPPER_LOG_FORMAT)")") $(q staging "$(dep "$(env_of LAUNCHER_LOG_FORMAT)")")"
assert_eq "staging: requests (servers, workers)" "50m/96Mi 50m/64Mi" \
	"$(both staging '.spec.template.spec.containers[0].resources.requests | .cpu + "/" + .memory')"
assert_eq "staging: no zone spread, no hard anti-affinity, no PriorityClass" "" \
	"$(q staging "$(sts '(.spec.template.spec.topologySpreadConstraints // empty), (.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution // empty), (.spec.template.spec.priorityClassName // empty)')")$(q staging '.items[] | select(.kind == "PriorityClass") | .kind')"

# Without its namespace an overlay is refused: the dry-run is a real check.
if kc apply --dry-run=server -f "$E2E_WORK/staging.yaml" >/dev/null 2>&1; then
	fail "staging was accepted before its namespace existed"
fi
pass "staging is refused while namespace dkron-staging does not exist"
kc create namespace dkron-staging >/dev/null
kc create namespace dkron >/dev/null
dry_run staging
dry_run production "" 14

# The components on the base: the webhook receiver (Deployment and Service,
# no service-account token) and the Ingress (TLS by cert-manager, basic
# auth by ingress-nginx, to the leader Service).
mkdir -p "$E2E_WORK/with-components"
rel=$(realpath --relative-to="$E2E_WORK/with-components" "$REPO/kustomize")
printf 'resources: [%s/base]\ncomponents: [%s/components/webhook-receiver, %s/components/ingress]\n' \
	"$rel" "$rel" "$rel" >"$E2E_WORK/with-components/kustomization.yaml"
kc kustomize --load-restrictor LoadRestrictionsNone "$E2E_WORK/with-components" >"$E2E_WORK/components.yaml"
kc create --dry-run=client -o json -f "$E2E_WORK/components.yaml" | jq -s '{items: .}' >"$E2E_WORK/components.json"
assert_eq "components: the receiver's entrypoint" /usr/local/bin/dkron-webhook-receiver \
	"$(q components '.items[] | select(.kind == "Deployment" and .metadata.name == "webhook-receiver") | .spec.template.spec.containers[0].command[0]')"
assert_eq "components: the receiver has no service-account token" false \
	"$(q components '.items[] | select(.kind == "Deployment" and .metadata.name == "webhook-receiver") | .spec.template.spec.automountServiceAccountToken')"
assert_eq "components: the Ingress asks for basic auth, to the leader Service" "basic dkron-basic-auth dkron-server-leader" \
	"$(q components '.items[] | select(.kind == "Ingress") | .metadata.annotations["nginx.ingress.kubernetes.io/auth-type"] + " " + .metadata.annotations["nginx.ingress.kubernetes.io/auth-secret"] + " " + .spec.rules[0].http.paths[0].backend.service.name')"
kc create namespace dkron-components >/dev/null
out=$(kc apply --dry-run=server -n dkron-components -f "$E2E_WORK/components.yaml" 2>&1) || fail "components: server-side dry-run refused it: $out"
pass "components: the API server accepts the base with the receiver and the Ingress ($(grep -c '(server dry run)$' <<<"$out") objects)"
