{{/*
Shared names, labels and the settings-to-env tables of the dkron-k8s chart.
*/}}

{{/*
Names, the Helm way. The name part is "dkron" (nameOverride replaces it in
object names only: the app.kubernetes.io/name label stays "dkron", the
selectors rely on it). fullname: fullnameOverride, else the release name
when it contains the name part, else "<release>-<name>"; at most 40
characters, so that "<fullname>-server-leader" and the StatefulSet's pod
names stay valid.
*/}}
{{- define "dkron-k8s.name" -}}
{{- default "dkron" .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end }}

{{- define "dkron-k8s.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "dkron-k8s.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
The server StatefulSet's name: statefulSetName when set (it wins, as in the
seed chart), else "<fullname>-server". Also the headless Service's, the
server PDB's, Role's and (by default) ServiceAccount's; the leader Service
is "<this>-leader". Release "dkron" gives "dkron-server".
*/}}
{{- define "dkron-k8s.serverName" -}}
{{- $n := .Values.statefulSetName | default (printf "%s-server" (include "dkron-k8s.fullname" .)) -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$" $n) -}}
{{- fail (printf "the server StatefulSet name %q is not a DNS label of at most 52 characters (statefulSetName, fullnameOverride or the release name)" $n) -}}
{{- end -}}
{{ $n }}
{{- end }}

{{/* The worker Deployment's name: worker.name, else "<fullname>-agent". */}}
{{- define "dkron-k8s.workerName" -}}
{{- $n := .Values.worker.name | default (printf "%s-agent" (include "dkron-k8s.fullname" .)) -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,55}[a-z0-9])?$" $n) -}}
{{- fail (printf "the worker Deployment name %q is not a DNS label of at most 57 characters (worker.name, fullnameOverride or the release name)" $n) -}}
{{- end -}}
{{ $n }}
{{- end }}

{{/* Labels on every object (the project's conventions plus Helm's). */}}
{{- define "dkron-k8s.labels" -}}
app.kubernetes.io/name: dkron
app.kubernetes.io/part-of: dkron
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Selector labels of the servers: this release's server pods only. */}}
{{- define "dkron-k8s.serverSelector" -}}
app.kubernetes.io/name: dkron
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{/* Selector labels of the workers. */}}
{{- define "dkron-k8s.workerSelector" -}}
app.kubernetes.io/name: dkron
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end }}

{{/*
The image: a map {repository, tag, pullPolicy}, or one string "repo:tag"
(or "repo@sha256:..."; a string without a tag gets the chart's appVersion).
*/}}
{{- define "dkron-k8s.image" -}}
{{- if kindIs "string" .Values.image -}}
{{- $ref := .Values.image -}}
{{- if or (contains "@" $ref) (contains ":" (last (splitList "/" $ref))) -}}
{{ $ref }}
{{- else -}}
{{ printf "%s:%s" $ref .Chart.AppVersion }}
{{- end -}}
{{- else -}}
{{ printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end -}}
{{- end }}

{{- define "dkron-k8s.imagePullPolicy" -}}
{{- if kindIs "string" .Values.image -}}
{{ .Values.imagePullPolicy | default "IfNotPresent" }}
{{- else -}}
{{ .Values.image.pullPolicy | default .Values.imagePullPolicy | default "IfNotPresent" }}
{{- end -}}
{{- end }}

{{/*
A count given under two names (ours and the community chart's): pick
(list <ours> <theirs> <default> <what>). Both set and different fails.
*/}}
{{- define "dkron-k8s.pickCount" -}}
{{- $ours := index . 0 -}}
{{- $theirs := index . 1 -}}
{{- $what := index . 3 -}}
{{- if and (not (kindIs "invalid" $ours)) (not (kindIs "invalid" $theirs)) (ne (int $ours) (int $theirs)) -}}
{{- fail (printf "%s: both names are set and differ (%v, %v); set one" $what $ours $theirs) -}}
{{- end -}}
{{- $n := $ours -}}
{{- if kindIs "invalid" $n }}{{ $n = $theirs }}{{ end -}}
{{- if kindIs "invalid" $n }}{{ $n = index . 2 }}{{ end -}}
{{- if lt (int $n) 0 -}}
{{- fail (printf "%s must be >= 0, got %v" $what $n) -}}
{{- end -}}
{{ int $n }}
{{- end }}

{{/* Worker replicas: worker.replicas, else agent.replicaCount, else 2. */}}
{{- define "dkron-k8s.workerReplicas" -}}
{{- $agent := .Values.agent | default dict -}}
{{ include "dkron-k8s.pickCount" (list .Values.worker.replicas (index $agent "replicaCount") 2 "worker.replicas / agent.replicaCount") }}
{{- end }}

{{/*
ServiceAccount of a workload: serviceAccount (dict "ctx" $ "sa" <.serviceAccount> "default" <name>)
→ JSON {create, name, annotations}. The name defaults to the workload's
name, whether the chart creates it or not (never the namespace's
"default": the Role is bound to it).
*/}}
{{- define "dkron-k8s.serviceAccount" -}}
{{- $sa := .sa | default dict -}}
{{- $create := true -}}
{{- if hasKey $sa "create" }}{{ $create = $sa.create }}{{ end -}}
{{- dict "create" $create "name" ($sa.name | default .default) "annotations" ($sa.annotations | default dict) | toJson -}}
{{- end }}
{{- define "dkron-k8s.serverServiceAccount" -}}
{{- include "dkron-k8s.serviceAccount" (dict "sa" .Values.server.serviceAccount "default" (include "dkron-k8s.serverName" .)) -}}
{{- end }}
{{- define "dkron-k8s.workerServiceAccount" -}}
{{- include "dkron-k8s.serviceAccount" (dict "sa" .Values.worker.serviceAccount "default" (include "dkron-k8s.workerName" .)) -}}
{{- end }}

{{/*
Pod labels: podLabels, then the workload's own (server.podLabels,
worker.podLabels), then the chart's (which always win: the selectors
need them). Call with (list $ctx <workload values> <component>).
*/}}
{{- define "dkron-k8s.podLabels" -}}
{{- $ctx := index . 0 -}}
{{- $w := index . 1 -}}
{{- $l := merge (include "dkron-k8s.labels" $ctx | fromYaml) (dict "app.kubernetes.io/component" (index . 2)) ($w.podLabels | default dict) ($ctx.Values.podLabels | default dict) -}}
{{- toYaml $l -}}
{{- end }}

{{/* priorityClassName: the workload's, else the top-level one. */}}
{{- define "dkron-k8s.priorityClassName" -}}
{{- $ctx := index . 0 -}}
{{- $w := index . 1 -}}
{{- $w.priorityClassName | default $ctx.Values.priorityClassName | default "" -}}
{{- end }}

{{/* Checked initialClusterSize: a whole number >= 1. */}}
{{- define "dkron-k8s.initialClusterSize" -}}
{{- $n := int .Values.initialClusterSize -}}
{{- if or (lt $n 1) (ne (toString $n) (toString .Values.initialClusterSize)) -}}
{{- fail (printf "initialClusterSize must be a whole number >= 1 (the servers of the first cluster), got %v" .Values.initialClusterSize) -}}
{{- end -}}
{{ $n }}
{{- end }}

{{/* Server replicas: server.replicas (or server.replicaCount), else initialClusterSize. */}}
{{- define "dkron-k8s.serverReplicas" -}}
{{ include "dkron-k8s.pickCount" (list .Values.server.replicas .Values.server.replicaCount (int (include "dkron-k8s.initialClusterSize" .)) "server.replicas / server.replicaCount") }}
{{- end }}

{{/* How many server pod names the Role lists: the largest of replicas, initialClusterSize and rbac.maxServers. */}}
{{- define "dkron-k8s.serverPodCount" -}}
{{- $n := int (include "dkron-k8s.serverReplicas" .) -}}
{{- $i := int (include "dkron-k8s.initialClusterSize" .) -}}
{{- $m := int .Values.rbac.maxServers -}}
{{ max $n $i $m }}
{{- end }}

{{/* The leader label the wrapper writes (key and leader value), for the leader Service. */}}
{{- define "dkron-k8s.leaderLabelKey" -}}
{{ .Values.server.wrapper.labelKey | default "dkron-leader" }}
{{- end }}
{{- define "dkron-k8s.leaderLabelValue" -}}
{{ .Values.server.wrapper.labelLeader | default "true" }}
{{- end }}

{{/*
Env entries for a settings map: settingsEnv (dict "table" <key->ENV> "values" <map> "what" <values path>).
Empty values are left out (the binary's default applies); unknown keys fail
with the list of known ones, so a typo never goes unnoticed.
*/}}
{{- define "dkron-k8s.settingsEnv" -}}
{{- $table := .table -}}
{{- $what := .what -}}
{{- range $key, $value := .values }}
{{- if not (hasKey $table $key) }}
{{- fail (printf "%s.%s is not a setting; known: %s" $what $key (keys $table | sortAlpha | join ", ")) }}
{{- end }}
{{- if and (not (kindIs "invalid" $value)) (ne (toString $value) "") }}
- name: {{ index $table $key }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dkron-k8s.wrapperTable" -}}
{{- dict
  "logLevel" "WRAPPER_LOG_LEVEL"
  "logFormat" "WRAPPER_LOG_FORMAT"
  "clusterDomain" "CLUSTER_DOMAIN"
  "retryJoinInterval" "WRAPPER_RETRY_INTERVAL"
  "peerDnsTimeout" "WRAPPER_PEER_DNS_TIMEOUT"
  "leaderQueryTimeout" "WRAPPER_LEADER_QUERY_TIMEOUT"
  "apiWarnAfter" "WRAPPER_API_WARN_AFTER"
  "quorumWait" "WRAPPER_QUORUM_WAIT"
  "leaveTimeout" "WRAPPER_LEAVE_TIMEOUT"
  "stopTimeout" "WRAPPER_STOP_TIMEOUT"
  "removeTimeout" "WRAPPER_REMOVE_TIMEOUT"
  "removeOnExit" "WRAPPER_REMOVE_ON_EXIT"
  "isleaderInterval" "WRAPPER_ISLEADER_INTERVAL"
  "deadPeerAfter" "WRAPPER_DEAD_PEER_AFTER"
  "deadPeerInterval" "WRAPPER_DEAD_PEER_INTERVAL"
  "reconcileInterval" "WRAPPER_RECONCILE_INTERVAL"
  "labelKey" "WRAPPER_LABEL_KEY"
  "labelLeader" "WRAPPER_LABEL_LEADER"
  "labelFollower" "WRAPPER_LABEL_FOLLOWER"
  "dnsServer" "WRAPPER_DNS_SERVER"
  | toJson -}}
{{- end }}

{{- define "dkron-k8s.launcherTable" -}}
{{- dict
  "logLevel" "LAUNCHER_LOG_LEVEL"
  "logFormat" "LAUNCHER_LOG_FORMAT"
  "serverSelector" "LAUNCHER_SERVER_SELECTOR"
  "serverNamespace" "LAUNCHER_SERVER_NAMESPACE"
  "requireReady" "LAUNCHER_REQUIRE_READY"
  "fallbackService" "LAUNCHER_FALLBACK_SERVICE"
  "checkInterval" "LAUNCHER_CHECK_INTERVAL"
  "rejoinAfter" "LAUNCHER_REJOIN_AFTER"
  "drainLimit" "LAUNCHER_DRAIN_LIMIT"
  "relaunchBackoffMax" "LAUNCHER_RELAUNCH_BACKOFF_MAX"
  "memberQueryTimeout" "LAUNCHER_MEMBER_QUERY_TIMEOUT"
  "dnsServer" "LAUNCHER_DNS_SERVER"
  | toJson -}}
{{- end }}

{{/* Launcher settings with the release-specific defaults filled in. */}}
{{- define "dkron-k8s.launcherValues" -}}
{{- $l := deepCopy .Values.worker.launcher -}}
{{- if eq (toString (index $l "serverSelector" | default "")) "" -}}
{{- $_ := set $l "serverSelector" (printf "app.kubernetes.io/name=dkron,app.kubernetes.io/instance=%s,app.kubernetes.io/component=server" .Release.Name) -}}
{{- end -}}
{{- if eq (toString (index $l "fallbackService" | default "")) "auto" -}}
{{- $ns := .Values.worker.launcher.serverNamespace | default .Release.Namespace -}}
{{- $domain := .Values.server.wrapper.clusterDomain | default "cluster.local" -}}
{{- $_ := set $l "fallbackService" (printf "%s.%s.svc.%s" (include "dkron-k8s.serverName" .) $ns $domain) -}}
{{- end -}}
{{- toJson $l -}}
{{- end }}

{{/*
Pod annotations: the user's, and with metrics.scrapeAnnotations the
prometheus.io/* ones for the status port's /metrics. Call with
(list $ctx $podAnnotations); renders YAML, or nothing.
*/}}
{{- define "dkron-k8s.podAnnotations" -}}
{{- $ctx := index . 0 -}}
{{- $a := merge (deepCopy (index . 1 | default dict)) (deepCopy ($ctx.Values.podAnnotations | default dict)) -}}
{{- if $ctx.Values.metrics.scrapeAnnotations -}}
{{- $_ := set $a "prometheus.io/scrape" "true" -}}
{{- $_ := set $a "prometheus.io/port" "8081" -}}
{{- $_ := set $a "prometheus.io/path" "/metrics" -}}
{{- end -}}
{{- with $a }}{{ toYaml . }}{{ end -}}
{{- end -}}
