# shellcheck shell=bash
# Scenario 01 (cluster): the staging overlay deployed as a user does (a
# kustomization over kustomize/overlays/staging that sets only the image to
# the one built here from the Dockerfile; its pull policy stays
# IfNotPresent, the image being on every node), the workers scaled to 3.
# The real StatefulSet controller, scheduler, kubelets and CoreDNS bring up
# 3 servers: one leader every server agrees on and the label names, 3
# voters at their IPs, the leader Service's EndpointSlice (the real
# endpoint-slice controller) holding exactly the labelled leader, 3 workers
# alive members, an @every 1s job running. Prints the time to all that.
# timeout: 600

image=$(cluster image)
staging_image=$(kca kustomize "$E2E_REPO/kustomize/overlays/staging" | sed -n 's/^ *image: //p' | sort -u)
[ "$(wc -l <<<"$staging_image")" -eq 1 ] || fail "the staging overlay names more than one image: $staging_image"
mkdir -p "$E2E_WORK/overlay"
cat >"$E2E_WORK/overlay/kustomization.yaml" <<KUST
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$E2E_WORK/overlay" "$E2E_REPO/kustomize/overlays/staging")
images:
  - name: ${staging_image%:*}
    newName: ${image%:*}
    newTag: "${image##*:}"
KUST
log "image $image in place of $staging_image"

t0=$(date +%s.%N)
kca create namespace "$CL_NS" >/dev/null
kca apply -k "$E2E_WORK/overlay" >/dev/null
kc scale deployment dkron-agent --replicas=3 >/dev/null
kc rollout status statefulset/dkron-server --timeout=300s >/dev/null || fail "the servers did not roll out in 300 s"
pass "the StatefulSet controller reports 3 servers ready"
kc rollout status deployment/dkron-agent --timeout=300s >/dev/null || fail "the workers did not roll out in 300 s"
cl_assert_healthy 3 300
t1=$(date +%s.%N)
printf 'RESULT cold_start_s %s\n' "$(wr_secs "$t0" "$t1")"
mkdir -p "$E2E_WORK"
: >"$E2E_WORK/report"
cl_report_voter_times
for p in "${CL_SERVERS[@]}"; do
	[ "$(kc get pod "$p" -o jsonpath='{.spec.containers[0].image}')" = "$image" ] || fail "$p does not run $image"
done
pass "every server runs $image"
kc get pods -o wide | sed 's/^/  /'
cl_job_start
