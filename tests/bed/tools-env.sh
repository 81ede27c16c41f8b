# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this
# Versions of the cached tools and where they live. Sourced by tools.sh, bed
# and the e2e runner, so that all three agree on one cache directory.
#
# Override a version from the environment (e.g. DKRON_K8S_VERSION=1.33.13);
# the cache key follows, so different versions never share a directory.

: "${DKRON_K8S_VERSION:=1.34.4}"   # newest 1.34.x on the module proxy when chosen
: "${DKRON_ETCD_VERSION:=3.5.35}"  # newest 3.5.x on the module proxy when chosen
: "${DKRON_DKRON_VERSION:=4.0.9}"
# The dkron source archive built when the module proxy refuses dkron
# (tools.sh), and its sha256, checked before the build.
DKRON_DEFAULT_SRC_ARCHIVE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/third_party/dkron/dkron-${DKRON_DKRON_VERSION}-src.tar.gz"
: "${DKRON_DKRON_SRC_SHA256:=36dede24afa249d77b0702c593754d7ef8ef1fa47094a0b1552b6785a55b98d9}"
# Bump when the build recipe changes in a way that needs fresh binaries.
DKRON_TOOLS_RECIPE=1

DKRON_TOOLS_KEY="k8s${DKRON_K8S_VERSION}-etcd${DKRON_ETCD_VERSION}-dkron${DKRON_DKRON_VERSION}-r${DKRON_TOOLS_RECIPE}"
DKRON_TOOLS_DIR="${XDG_CACHE_HOME:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache}/dkron-k8s/tools-${DKRON_TOOLS_KEY}"
DKRON_TOOLS_BIN="${DKRON_TOOLS_DIR}/bin"
# The bed needs the first four; the real-cluster tier (tests/cluster) the
# kubelet, controller manager, scheduler and proxy too, from the same module.
DKRON_K8S_TOOLS=(kube-apiserver kubectl kubelet kube-controller-manager kube-scheduler kube-proxy)
DKRON_TOOLS_LIST=("${DKRON_K8S_TOOLS[@]}" etcd dkron)
