# shellcheck shell=bash
# Scenario 32: the Helm chart lints, renders and installs on the real API
# server. With default values and with --set initialClusterSize=5: helm lint
# --strict passes, helm template's output passes a server-side dry-run, and
# the rendering agrees with itself (replicas = INITIAL_CLUSTER_SIZE = the
# Role's pod names, PDB maxUnavailable 1). Names follow the release (release
# "dkron" keeps dkron-server and dkron-agent; fullnameOverride and
# statefulSetName win). Bad values are refused with a clear message (size 0,
# a non-number, a misspelt wrapper setting). Then a real `helm install --set
# initialClusterSize=5` and kubectl auth can-i show the server may label
# dkron-server-0..4 and not dkron-server-5, and two releases installed side
# by side in one namespace share no object and select only their own pods.
# No dkron needed.

CHART=$E2E_REPO/charts/dkron-k8s

# Renders the chart (release $RELEASE, "dkron" unless set) to <name>.yaml
# and <name>.json ({items: [...]}).
RELEASE=dkron
render() { # render <name> <namespace> [helm args...]
	local name=$1 ns=$2
	shift 2
	helm_bed template "$RELEASE" "$CHART" -n "$ns" "$@" >"$E2E_WORK/$name.yaml"
	kc create --dry-run=client -o json -f "$E2E_WORK/$name.yaml" | jq -s '{items: .}' >"$E2E_WORK/$name.json"
}
q() { jq -r "$2" "$E2E_WORK/$1.json"; }
sts() { printf '.items[] | select(.kind == "StatefulSet") | %s' "$1"; }
env_of() { # jq filter: value of env var $2 in the first container of kind $1
	printf '.items[] | select(.kind == "%s") | .spec.template.spec.containers[0].env[] | select(.name == "%s") | .value' "$1" "$2"
}
role_pods() { q "$1" '.items[] | select(.kind == "Role" and .metadata.name == "dkron-server") | .rules[] | select(.resources == ["pods"]) | .resourceNames | join(" ")'; }
pod_names() { local i; for ((i = 0; i < $1; i++)); do printf 'dkron-server-%d ' "$i"; done | sed 's/ $//'; }

dry_run() { # dry_run <name> <namespace> [objects, 11 unless given]
	local out
	out=$(kc apply --dry-run=server -n "$2" -f "$E2E_WORK/$1.yaml" 2>&1) || fail "$1: server-side dry-run refused it: $out"
	assert_eq "$1: objects accepted by the server-side dry-run" "${3:-11}" "$(grep -c '(server dry run)$' <<<"$out")"
}

check_size() { # check_size <name> <size>
	local n=$1 size=$2
	assert_eq "$n: StatefulSet replicas" "$size" "$(q "$n" "$(sts .spec.replicas)")"
	assert_eq "$n: INITIAL_CLUSTER_SIZE" "$size" "$(q "$n" "$(env_of StatefulSet INITIAL_CLUSTER_SIZE)")"
	assert_eq "$n: server Role pod names" "$(pod_names "$size")" "$(role_pods "$n")"
	assert_eq "$n: PDB maxUnavailable" 1 "$(q "$n" '.items[] | select(.kind == "PodDisruptionBudget") | .spec.maxUnavailable')"
	assert_eq "$n: PDB selects the server pods" server \
		"$(q "$n" '.items[] | select(.kind == "PodDisruptionBudget") | .spec.selector.matchLabels["app.kubernetes.io/component"]')"
}

lint() { # lint <what> [helm args...]
	local what=$1 out
	shift
	out=$(helm_bed lint --strict "$CHART" "$@" 2>&1) || fail "helm lint --strict ($what): $out"
	pass "helm lint --strict ($what): $(tail -n 1 <<<"$out")"
}
lint defaults
lint "image as a string" --set image=registry.example.com/dkron-k8s:0.1.0
lint fullnameOverride --set fullnameOverride=jobs
lint initialClusterSize=5 --set initialClusterSize=5
lint "NetworkPolicy, worker PDB and Ingress on" --set networkPolicy.enabled=true --set worker.podDisruptionBudget.enabled=true \
	--set ingress.enabled=true --set ingress.host=dkron.example.com --set ingress.auth.type=nginx --set ingress.auth.secretName=dkron-htpasswd
lint "ServiceMonitor on" --set metrics.serviceMonitor.enabled=true

kc create namespace dkron-helm >/dev/null
render defaults dkron-helm
check_size defaults 3
assert_eq "defaults: worker replicas" 2 "$(q defaults '.items[] | select(.kind == "Deployment") | .spec.replicas')"
assert_eq "defaults: image" dkron-k8s:0.1.0 "$(q defaults "$(sts '.spec.template.spec.containers[0].image')")"
assert_eq "defaults: objects without the name/part-of labels" "" \
	"$(q defaults '.items[] | select(.metadata.labels["app.kubernetes.io/name"] != "dkron" or .metadata.labels["app.kubernetes.io/part-of"] != "dkron") | .kind + "/" + .metadata.name')"
assert_eq "defaults: names" "Deployment/dkron-agent PodDisruptionBudget/dkron-server Role/dkron-agent Role/dkron-server RoleBinding/dkron-agent RoleBinding/dkron-server Service/dkron-server Service/dkron-server-leader ServiceAccount/dkron-agent ServiceAccount/dkron-server StatefulSet/dkron-server" \
	"$(q defaults '[.items[] | .kind + "/" + .metadata.name] | sort | join(" ")')"
assert_eq "defaults: launcher finds this release's servers" \
	"app.kubernetes.io/name=dkron,app.kubernetes.io/instance=dkron,app.kubernetes.io/component=server" \
	"$(q defaults "$(env_of Deployment LAUNCHER_SERVER_SELECTOR)")"
assert_eq "defaults: launcher DNS fallback is the headless Service" dkron-server.dkron-helm.svc.cluster.local \
	"$(q defaults "$(env_of Deployment LAUNCHER_FALLBACK_SERVICE)")"
dry_run defaults dkron-helm

kc create namespace dkron-helm5 >/dev/null
render size5 dkron-helm5 --set initialClusterSize=5
check_size size5 5
dry_run size5 dkron-helm5

# Settings reach their env vars; the leader Service follows the label.
render settings dkron-helm --set image.repository=registry.example.com/dkron-k8s --set image.tag=1.2.3 \
	--set worker.replicas=4 --set server.wrapper.logLevel=debug --set server.wrapper.deadPeerAfter=45s \
	--set server.wrapper.labelKey=leader --set worker.launcher.rejoinAfter=1m --set worker.launcher.logFormat=json \
	--set 'imagePullSecrets[0].name=regcred' --set 'server.dkronArgs={--tag,zone=a}'
assert_eq "settings: image" registry.example.com/dkron-k8s:1.2.3 "$(q settings "$(sts '.spec.template.spec.containers[0].image')")"
assert_eq "settings: imagePullSecrets" "regcred regcred" \
	"$(q settings '[.items[] | select(.kind == "StatefulSet" or .kind == "Deployment") | .spec.template.spec.imagePullSecrets[0].name] | join(" ")')"
assert_eq "settings: worker replicas" 4 "$(q settings '.items[] | select(.kind == "Deployment") | .spec.replicas')"
assert_eq "settings: WRAPPER_LOG_LEVEL" debug "$(q settings "$(env_of StatefulSet WRAPPER_LOG_LEVEL)")"
assert_eq "settings: WRAPPER_DEAD_PEER_AFTER" 45s "$(q settings "$(env_of StatefulSet WRAPPER_DEAD_PEER_AFTER)")"
assert_eq "settings: LAUNCHER_REJOIN_AFTER" 1m "$(q settings "$(env_of Deployment LAUNCHER_REJOIN_AFTER)")"
assert_eq "settings: LAUNCHER_LOG_FORMAT" json "$(q settings "$(env_of Deployment LAUNCHER_LOG_FORMAT)")"
assert_eq "settings: unset settings stay unset (binary defaults)" "" "$(q settings "$(env_of StatefulSet WRAPPER_STOP_TIMEOUT)")"
assert_eq "settings: leader Service selects the custom label" true \
	"$(q settings '.items[] | select(.kind == "Service" and .metadata.name == "dkron-server-leader") | .spec.selector.leader')"
assert_eq "settings: dkron args after --" "-- --enable-prometheus --tag zone=a" \
	"$(q settings "$(sts '.spec.template.spec.containers[0].args | join(" ")')")"
dry_run settings dkron-helm

# Metrics: scrape annotations and ServiceMonitors only when asked for (the
# bed has no prometheus-operator CRDs: the rendering alone is checked).
helm_bed template dkron "$CHART" --set metrics.serviceMonitor.enabled=true --set metrics.scrapeAnnotations=true \
	--set metrics.dkronPrometheus=false >"$E2E_WORK/metrics.yaml"
assert_eq "metrics: ServiceMonitors" 2 "$(grep -c '^kind: ServiceMonitor$' "$E2E_WORK/metrics.yaml")"
assert_eq "metrics: pods with prometheus.io/port 8081" 2 "$(grep -c 'prometheus.io/port: "8081"' "$E2E_WORK/metrics.yaml")"
assert_eq "metrics: no --enable-prometheus when dkronPrometheus=false" 0 "$(grep -c -- '--enable-prometheus' "$E2E_WORK/metrics.yaml")"
assert_eq "metrics: off by default" 0 "$(grep -c 'ServiceMonitor\|prometheus.io/' "$E2E_WORK/settings.yaml")"

# The webhook receiver: off by default; on, a Deployment and a Service that
# the API server accepts, running the image's dkron-webhook-receiver.
assert_eq "receiver: off by default" 0 "$(grep -c 'webhook-receiver' "$E2E_WORK/settings.yaml")"
render receiver dkron-helm --set webhookReceiver.enabled=true
assert_eq "receiver: its command" /usr/local/bin/dkron-webhook-receiver \
	"$(q receiver '.items[] | select(.kind == "Deployment" and .metadata.name == "dkron-webhook-receiver") | .spec.template.spec.containers[0].command[0]')"
assert_eq "receiver: no service-account token" false \
	"$(q receiver '.items[] | select(.metadata.name == "dkron-webhook-receiver" and .kind == "Deployment") | .spec.template.spec.automountServiceAccountToken')"
dry_run receiver dkron-helm 13

# Scaling past the initial size: replicas and the Role follow, the
# bootstrap size stays.
render grown dkron-helm --set server.replicas=5
assert_eq "grown: replicas / INITIAL_CLUSTER_SIZE" "5 3" \
	"$(q grown "$(sts .spec.replicas)") $(q grown "$(env_of StatefulSet INITIAL_CLUSTER_SIZE)")"
assert_eq "grown: server Role pod names" "$(pod_names 5)" "$(role_pods grown)"

# statefulSetName renames the server objects and what refers to them.
render renamed dkron-helm --set statefulSetName=sched
assert_eq "renamed: server objects" "PodDisruptionBudget/sched Role/sched RoleBinding/sched Service/sched Service/sched-leader ServiceAccount/sched StatefulSet/sched" \
	"$(q renamed '[.items[] | select(.metadata.labels["app.kubernetes.io/component"] == "server") | .kind + "/" + .metadata.name] | sort | join(" ")')"
assert_eq "renamed: Role pod names" "sched-0 sched-1 sched-2" \
	"$(q renamed '.items[] | select(.kind == "Role" and .metadata.name == "sched") | .rules[] | select(.resources == ["pods"]) | .resourceNames | join(" ")')"
assert_eq "renamed: serviceName, STATEFULSET_NAME, service account" "sched sched sched" \
	"$(q renamed "$(sts '.spec.serviceName')") $(q renamed "$(env_of StatefulSet STATEFULSET_NAME)") $(q renamed "$(sts '.spec.template.spec.serviceAccountName')")"
assert_eq "renamed: launcher DNS fallback" sched.dkron-helm.svc.cluster.local \
	"$(q renamed "$(env_of Deployment LAUNCHER_FALLBACK_SERVICE)")"
dry_run renamed dkron-helm

# Names follow the release: "<release>-dkron-server" unless the release
# name contains "dkron"; fullnameOverride replaces the prefix; the peers'
# DNS names come from STATEFULSET_NAME and HEADLESS_SERVICE.
names() { q "$1" '[.items[] | .kind + "/" + .metadata.name] | sort | join(" ")'; }
expect_names() { # expect_names <server name> <worker name>
	printf '%s' "Deployment/$2 PodDisruptionBudget/$1 Role/$2 Role/$1 RoleBinding/$2 RoleBinding/$1 Service/$1 Service/$1-leader ServiceAccount/$2 ServiceAccount/$1 StatefulSet/$1" |
		tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//'
}
RELEASE=r render rel-r dkron-helm
assert_eq "release r: names" "$(expect_names r-dkron-server r-dkron-agent)" "$(names rel-r)"
assert_eq "release r: STATEFULSET_NAME, HEADLESS_SERVICE, serviceName" "r-dkron-server r-dkron-server r-dkron-server" \
	"$(q rel-r "$(env_of StatefulSet STATEFULSET_NAME)") $(q rel-r "$(env_of StatefulSet HEADLESS_SERVICE)") $(q rel-r "$(sts .spec.serviceName)")"
RELEASE=dkron-prod render rel-prod dkron-helm
assert_eq "release dkron-prod: names" "$(expect_names dkron-prod-server dkron-prod-agent)" "$(names rel-prod)"
render fullname dkron-helm --set fullnameOverride=jobs
assert_eq "fullnameOverride=jobs: names" "$(expect_names jobs-server jobs-agent)" "$(names fullname)"
assert_eq "fullnameOverride=jobs: launcher DNS fallback" jobs-server.dkron-helm.svc.cluster.local \
	"$(q fullname "$(env_of Deployment LAUNCHER_FALLBACK_SERVICE)")"
assert_eq "fullnameOverride=jobs: server Role pod names" "jobs-server-0 jobs-server-1 jobs-server-2" \
	"$(q fullname '.items[] | select(.kind == "Role" and .metadata.name == "jobs-server") | .rules[] | select(.resources == ["pods"]) | .resourceNames | join(" ")')"
dry_run fullname dkron-helm
render nameo dkron-helm --set nameOverride=sched
assert_eq "nameOverride=sched: names" "$(expect_names dkron-sched-server dkron-sched-agent)" "$(names nameo)"
render both dkron-helm --set fullnameOverride=jobs --set statefulSetName=sched --set worker.name=runners
assert_eq "statefulSetName and worker.name win over fullnameOverride" "$(expect_names sched runners)" "$(names both)"

# Values people already use (the seed and community charts'), beside ours.
dep() { printf '.items[] | select(.kind == "Deployment") | %s' "$1"; }
render imgstr dkron-helm --set image=registry.example.com:5000/team/dkron-k8s:2.0.0
assert_eq "image as one string: servers and workers" "registry.example.com:5000/team/dkron-k8s:2.0.0 registry.example.com:5000/team/dkron-k8s:2.0.0 IfNotPresent" \
	"$(q imgstr "$(sts '.spec.template.spec.containers[0].image')") $(q imgstr "$(dep '.spec.template.spec.containers[0].image')") $(q imgstr "$(dep '.spec.template.spec.containers[0].imagePullPolicy')")"
dry_run imgstr dkron-helm
render imgnotag dkron-helm --set image=registry.example.com:5000/dkron-k8s --set imagePullPolicy=Always
assert_eq "image as a string without a tag: the appVersion; imagePullPolicy" "registry.example.com:5000/dkron-k8s:0.1.0 Always" \
	"$(q imgnotag "$(sts '.spec.template.spec.containers[0] | .image + " " + .imagePullPolicy')")"
render imgdigest dkron-helm --set image=registry.example.com/dkron-k8s@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
assert_eq "image as a digest" registry.example.com/dkron-k8s@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
	"$(q imgdigest "$(sts '.spec.template.spec.containers[0].image')")"
render counts dkron-helm --set server.replicaCount=5 --set agent.replicaCount=3
assert_eq "server.replicaCount, agent.replicaCount: replicas (servers, workers), INITIAL_CLUSTER_SIZE" "5 3 3" \
	"$(q counts "$(sts .spec.replicas)") $(q counts "$(dep .spec.replicas)") $(q counts "$(env_of StatefulSet INITIAL_CLUSTER_SIZE)")"
assert_eq "server.replicaCount: Role pod names" "$(pod_names 5)" "$(role_pods counts)"
render pods dkron-helm --set podLabels.team=jobs --set server.podLabels.tier=raft --set podAnnotations.owner=ops \
	--set worker.podAnnotations.note=w --set priorityClassName=dkron-high --set worker.priorityClassName=dkron-low \
	--set podLabels.app\\.kubernetes\\.io/component=oops
assert_eq "podLabels: server (team, tier, component kept), worker (team, no tier)" "jobs raft server jobs  worker" \
	"$(q pods "$(sts '.spec.template.metadata.labels | .team + " " + .tier + " " + .["app.kubernetes.io/component"]')") $(q pods "$(dep '.spec.template.metadata.labels | .team + " " + (.tier // "") + " " + .["app.kubernetes.io/component"]')")"
assert_eq "podAnnotations: server, worker" "ops ops w" \
	"$(q pods "$(sts '.spec.template.metadata.annotations.owner')") $(q pods "$(dep '.spec.template.metadata.annotations | .owner + " " + .note')")"
assert_eq "priorityClassName: server (top-level), worker (its own)" "dkron-high dkron-low" \
	"$(q pods "$(sts .spec.template.spec.priorityClassName)") $(q pods "$(dep .spec.template.spec.priorityClassName)")"
render sa dkron-helm --set 'worker.serviceAccount.annotations.eks\.amazonaws\.com/role-arn=arn:aws:iam::111122223333:role/jobs' \
	--set server.serviceAccount.create=false --set server.serviceAccount.name=dkron-existing
assert_eq "serviceAccount: the pods' accounts" "dkron-existing dkron-agent" \
	"$(q sa "$(sts .spec.template.spec.serviceAccountName)") $(q sa "$(dep .spec.template.spec.serviceAccountName)")"
assert_eq "serviceAccount: created, with the worker's annotation" "ServiceAccount/dkron-agent=arn:aws:iam::111122223333:role/jobs" \
	"$(q sa '[.items[] | select(.kind == "ServiceAccount") | .kind + "/" + .metadata.name + "=" + .metadata.annotations["eks.amazonaws.com/role-arn"]] | join(" ")')"
assert_eq "serviceAccount: the server Role is bound to the existing account" dkron-existing \
	"$(q sa '.items[] | select(.kind == "RoleBinding" and .metadata.name == "dkron-server") | .subjects[0].name')"
dry_run sa dkron-helm 10
spread() { q "$1" "$(sts '[.spec.template.spec.topologySpreadConstraints[]? | .topologyKey + "/" + .whenUnsatisfiable + "/" + .labelSelector.matchLabels["app.kubernetes.io/instance"]] | join(" ")')"; }
assert_eq "defaults: servers spread over zones (3 servers)" topology.kubernetes.io/zone/ScheduleAnyway/dkron "$(spread defaults)"
assert_eq "initialClusterSize=5: servers spread over zones" topology.kubernetes.io/zone/ScheduleAnyway/dkron "$(spread size5)"
render single dkron-helm --set initialClusterSize=1
assert_eq "1 server: no zone spreading" "" "$(spread single)"
render nospread dkron-helm --set server.zoneSpread=false
assert_eq "zoneSpread=false: none" "" "$(spread nospread)"
render ownspread dkron-helm --set 'server.topologySpreadConstraints[0].maxSkew=1' \
	--set 'server.topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname' \
	--set 'server.topologySpreadConstraints[0].whenUnsatisfiable=DoNotSchedule' \
	--set 'server.topologySpreadConstraints[0].labelSelector.matchLabels.app\.kubernetes\.io/instance=dkron'
assert_eq "own topologySpreadConstraints replace the zone spreading" kubernetes.io/hostname/DoNotSchedule/dkron "$(spread ownspread)"
dry_run ownspread dkron-helm

# A worker PDB (opt-in) and the NetworkPolicies (opt-in): their rules as
# rendered (the bed has no CNI to enforce them) and a server-side dry run.
# Each ingress rule reads "<from peers> -> <ports>" ("" from: anyone).
netpol() { # netpol <name> <policy name>
	q "$1" ".items[] | select(.kind == \"NetworkPolicy\" and .metadata.name == \"$2\") | [.spec.ingress[] |
		([.from[]? | (.podSelector.matchLabels // {} | to_entries | map(.key + \"=\" + .value) | join(\",\")) + (if .namespaceSelector then \"@ns\" else \"\" end)] | join(\"|\"))
		+ \" -> \" + ([.ports[] | \"\\(.port)/\\(.protocol)\"] | join(\",\"))] | join(\"; \")"
}
assert_eq "defaults: no NetworkPolicy, one PDB" "0 1" \
	"$(q defaults '[.items[] | select(.kind == "NetworkPolicy")] | length') $(q defaults '[.items[] | select(.kind == "PodDisruptionBudget")] | length')"
render netpol dkron-helm --set networkPolicy.enabled=true --set worker.podDisruptionBudget.enabled=true \
	--set worker.podDisruptionBudget.maxUnavailable=2
peers=app.kubernetes.io/instance=dkron,app.kubernetes.io/name=dkron
assert_eq "netpol: server rules" \
	"$peers -> 8946/TCP,8946/UDP,6868/TCP; $peers|dkron-k8s.io/client=true -> 8080/TCP;  -> 8081/TCP" "$(netpol netpol dkron-server)"
assert_eq "netpol: worker rules" "$peers -> 8946/TCP,8946/UDP,6868/TCP;  -> 8081/TCP" "$(netpol netpol dkron-agent)"
assert_eq "netpol: policies select this release's pods" "dkron/server dkron/worker" \
	"$(q netpol '[.items[] | select(.kind == "NetworkPolicy") | .spec.podSelector.matchLabels | .["app.kubernetes.io/instance"] + "/" + .["app.kubernetes.io/component"]] | sort | join(" ")')"
assert_eq "netpol: ingress only (egress open for the jobs)" "Ingress Ingress" \
	"$(q netpol '[.items[] | select(.kind == "NetworkPolicy") | .spec.policyTypes | join(",")] | join(" ")')"
assert_eq "worker PDB: maxUnavailable, selects the workers" "2 worker dkron" \
	"$(q netpol '.items[] | select(.kind == "PodDisruptionBudget" and .metadata.name == "dkron-agent") | "\(.spec.maxUnavailable) \(.spec.selector.matchLabels["app.kubernetes.io/component"]) \(.spec.selector.matchLabels["app.kubernetes.io/instance"])"')"
dry_run netpol dkron-helm 14
render netpol2 dkron-helm --set networkPolicy.enabled=true --set networkPolicy.clientLabel.key=team \
	--set networkPolicy.clientLabel.value=jobs --set networkPolicy.clientNamespaceSelector.matchLabels.env=prod \
	--set 'networkPolicy.apiFrom[0].namespaceSelector.matchLabels.kubernetes\.io/metadata\.name=ingress-nginx'
assert_eq "netpol: client label, its namespaces, apiFrom" "$peers|team=jobs@ns|@ns -> 8080/TCP" \
	"$(netpol netpol2 dkron-server | cut -d';' -f2 | sed 's/^ //')"
dry_run netpol2 dkron-helm 13

# The Ingress (opt-in) with basic auth and cert-manager TLS, beside the
# NetworkPolicies: nginx is dry-run on the bed; Traefik's Middleware (a CRD
# the bed lacks) is checked by rendering only.
ing() { q "$1" '.items[] | select(.kind == "Ingress")'" | $2"; }
render ingress dkron-helm --set networkPolicy.enabled=true --set ingress.enabled=true --set ingress.host=dkron.example.com \
	--set ingress.className=nginx --set ingress.tls.clusterIssuer=letsencrypt --set ingress.auth.type=nginx \
	--set ingress.auth.secretName=dkron-htpasswd
assert_eq "ingress: backend is the leader Service's http port" "dkron-server-leader http dkron.example.com" \
	"$(ing ingress '.spec.rules[0] | .http.paths[0].backend.service.name + " " + .http.paths[0].backend.service.port.name + " " + .host')"
assert_eq "ingress: TLS via cert-manager" "letsencrypt dkron-server-tls" \
	"$(ing ingress '.metadata.annotations["cert-manager.io/cluster-issuer"] + " " + .spec.tls[0].secretName')"
assert_eq "ingress: nginx basic auth" "basic dkron-htpasswd" \
	"$(ing ingress '.metadata.annotations | .["nginx.ingress.kubernetes.io/auth-type"] + " " + .["nginx.ingress.kubernetes.io/auth-secret"]')"
dry_run ingress dkron-helm 14
helm_bed template dkron "$CHART" -n dkron-helm --set ingress.enabled=true --set ingress.host=dkron.example.com \
	--set ingress.auth.type=traefik --set ingress.auth.secretName=dkron-htpasswd >"$E2E_WORK/traefik.yaml"
assert_eq "ingress: Traefik middleware and its reference" "dkron-htpasswd dkron-helm-dkron-server-basic-auth@kubernetescrd" \
	"$(awk '/^kind: Middleware/ {m = 1} m && /secret:/ {print $2; m = 0}' "$E2E_WORK/traefik.yaml") $(sed -n 's/.*router.middlewares: "\(.*\)"/\1/p' "$E2E_WORK/traefik.yaml")"
render anonymous dkron-helm --set ingress.enabled=true --set ingress.host=dkron.example.com --set ingress.allowAnonymous=true
assert_eq "ingress: anonymous only when allowed" "dkron-server-leader" \
	"$(ing anonymous '.spec.rules[0].http.paths[0].backend.service.name')"
dry_run anonymous dkron-helm 12

# Bad values are refused, naming the problem.
refused() { # refused <what> <expected message part> helm args...
	local what=$1 want=$2 out
	shift 2
	if out=$(helm_bed template dkron "$CHART" "$@" 2>&1); then fail "$what was accepted"; fi
	case "$out" in *"$want"*) pass "$what refused: $(grep -m1 -F "$want" <<<"$out")" ;; *) fail "$what: unexpected error: $out" ;; esac
}
refused "initialClusterSize=0" "initialClusterSize" --set initialClusterSize=0
refused "initialClusterSize=abc" "initialClusterSize" --set initialClusterSize=abc
refused "a misspelt wrapper setting" "server.wrapper.stopTimout is not a setting" --set server.wrapper.stopTimout=40s
refused "podAntiAffinity=maybe" "podAntiAffinity" --set server.podAntiAffinity=maybe
refused "a fullnameOverride that is no DNS label" "is not a DNS label" --set fullnameOverride=Jobs
refused "an Ingress without auth" "which has no authentication" --set ingress.enabled=true --set ingress.host=dkron.example.com
refused "an Ingress with auth but no Secret" "ingress.auth.secretName" --set ingress.enabled=true --set ingress.host=dkron.example.com --set ingress.auth.type=nginx
refused "worker.replicas and agent.replicaCount that differ" "both names are set and differ" --set worker.replicas=2 --set agent.replicaCount=3
refused "server.replicas and server.replicaCount that differ" "both names are set and differ" --set server.replicas=3 --set server.replicaCount=5

# A real install: the API server stores it and authorizes by it.
helm_bed install dkron "$CHART" -n dkron-helm5 --set initialClusterSize=5 >"$E2E_WORK/install.out" 2>&1 ||
	fail "helm install: $(cat "$E2E_WORK/install.out")"
pass "helm install --set initialClusterSize=5"
assert_eq "installed StatefulSet replicas" 5 "$(kc -n dkron-helm5 get statefulset dkron-server -o jsonpath='{.spec.replicas}')"
can() { kc auth can-i "$@" -n dkron-helm5 --as=system:serviceaccount:dkron-helm5:dkron-server 2>/dev/null || true; }
for i in 0 1 2 3 4; do assert_eq "installed: dkron-server may patch pods/dkron-server-$i" yes "$(can patch "pods/dkron-server-$i")"; done
assert_eq "installed: dkron-server may not patch pods/dkron-server-5" no "$(can patch pods/dkron-server-5)"
assert_eq "installed: dkron-server may get statefulsets/dkron-server" yes "$(can get statefulsets.apps/dkron-server)"
assert_eq "installed: dkron-agent may watch pods" yes \
	"$(kc auth can-i watch pods -n dkron-helm5 --as=system:serviceaccount:dkron-helm5:dkron-agent 2>/dev/null || true)"

# Two releases in one namespace: both install (Helm refuses an object another
# release owns), no name is shared, and each release's selectors (the
# launcher's, the Services', the PDB's) name its own instance.
kc create namespace dkron-two >/dev/null
for r in alpha beta; do
	helm_bed install "$r" "$CHART" -n dkron-two >"$E2E_WORK/install-$r.out" 2>&1 ||
		fail "helm install $r beside the other release: $(cat "$E2E_WORK/install-$r.out")"
	pass "helm install $r into dkron-two"
	kc -n dkron-two get all,role,rolebinding,serviceaccount,pdb -l "app.kubernetes.io/instance=$r" -o json |
		jq -r '.items[] | .kind + "/" + .metadata.name' | grep -v '^ControllerRevision/' | sort >"$E2E_WORK/objects-$r"
done
assert_eq "alpha: objects installed" 11 "$(wc -l <"$E2E_WORK/objects-alpha")"
assert_eq "beta: objects installed" 11 "$(wc -l <"$E2E_WORK/objects-beta")"
assert_eq "objects shared by alpha and beta" "" "$(comm -12 "$E2E_WORK/objects-alpha" "$E2E_WORK/objects-beta")"
for r in alpha beta; do
	assert_eq "$r: launcher selects its own servers" \
		"app.kubernetes.io/name=dkron,app.kubernetes.io/instance=$r,app.kubernetes.io/component=server" \
		"$(kc -n dkron-two get deploy "$r-dkron-agent" -o json | jq -r '.spec.template.spec.containers[0].env[] | select(.name == "LAUNCHER_SERVER_SELECTOR") | .value')"
	assert_eq "$r: Services, PDB and StatefulSet select its instance" "$r $r $r $r" \
		"$(kc -n dkron-two get "service/$r-dkron-server" "service/$r-dkron-server-leader" "pdb/$r-dkron-server" "statefulset/$r-dkron-server" -o json |
			jq -r '[.items[] | (.spec.selector.matchLabels // .spec.selector)["app.kubernetes.io/instance"]] | join(" ")')"
	assert_eq "$r: server may patch only its own pods" "yes no" \
		"$(kc auth can-i patch "pods/$r-dkron-server-0" -n dkron-two --as="system:serviceaccount:dkron-two:$r-dkron-server" 2>/dev/null || true) $(kc auth can-i patch "pods/$([ "$r" = alpha ] && echo beta || echo alpha)-dkron-server-0" -n dkron-two --as="system:serviceaccount:dkron-two:$r-dkron-server" 2>/dev/null || true)"
done
