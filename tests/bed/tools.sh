#!/usr/bin/env bash
# Builds the tools the local cluster needs, from the Go module proxy, into a
# versioned cache outside the repo (see tools-env.sh for the versions):
#   kube-apiserver, kubectl,    from k8s.io/kubernetes, through a throwaway
#   kubelet, kube-proxy,        module whose staging replaces are generated
#   kube-controller-manager,    from the real k8s.io/kubernetes go.mod;
#   kube-scheduler
#   etcd                        from a wrapper module (no replaces needed);
#   dkron                       with go install, as upstream releases it, or
#                               from its source archive when the proxy
#                               refuses the module (see build_dkron);
#   helm                        with go install (the Helm chart's tests);
#   coredns                     with go install (the real-cluster tier's DNS);
#   promtool                    from Debian's prometheus package, unpacked
#                               (not installed: no service), to check the
#                               /metrics outputs.
# Only missing binaries are built. Each step prints one line with its elapsed
# seconds; go's own output goes to a log whose tail is printed on failure.
#
# Usage: tests/bed/tools.sh [--print-bin]
#   --print-bin   print the cache's bin directory (after building what is missing)
set -euo pipefail
shopt -s inherit_errexit # command substitutions stop on errors too

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bed/tools-env.sh
. "$HERE/tools-env.sh"
# helm is checked by version (not part of the cache key, so that a helm bump
# does not rebuild the cluster tools).
: "${DKRON_HELM_VERSION:=3.22.0}" # newest 3.x on the module proxy when chosen
# CoreDNS likewise (the real-cluster tier's DNS, run as a pod there).
: "${DKRON_COREDNS_VERSION:=1.15.0}" # newest release on the module proxy when chosen
TOOLS=("${DKRON_TOOLS_LIST[@]}" helm promtool coredns)

PRINT_BIN=0
case "${1:-}" in
--print-bin) PRINT_BIN=1 ;;
"") ;;
*)
	echo "usage: $0 [--print-bin]" >&2
	exit 2
	;;
esac

# Progress goes to stderr so that --print-bin keeps stdout clean.
say() { printf 'tools: %s\n' "$*" >&2; }
die() {
	printf 'tools: error: %s\n' "$*" >&2
	exit 1
}

missing_tools() {
	local t
	for t in "${TOOLS[@]}"; do
		# A dkron given through DKRON_BIN replaces the cached one.
		[ "$t" != dkron ] || [ ! -x "${DKRON_BIN:-}" ] || continue
		[ -x "$DKRON_TOOLS_BIN/$t" ] || printf '%s\n' "$t"
	done
	if [ -x "$DKRON_TOOLS_BIN/helm" ] &&
		[ "$("$DKRON_TOOLS_BIN/helm" version --template '{{.Version}}' 2>/dev/null)" != "v$DKRON_HELM_VERSION" ]; then
		echo helm
	fi
	if [ -x "$DKRON_TOOLS_BIN/coredns" ] &&
		! "$DKRON_TOOLS_BIN/coredns" -version 2>/dev/null | grep -q "^CoreDNS-$DKRON_COREDNS_VERSION$"; then
		echo coredns
	fi
}

# Finds a Go toolchain new enough for k8s 1.34 and dkron v4 (go >= 1.24).
find_go() {
	if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
		PATH="$PATH:/usr/local/go/bin"
	fi
	command -v go >/dev/null 2>&1 ||
		die "no Go toolchain found in PATH or /usr/local/go/bin; install Go >= 1.24 (https://go.dev/dl/) into /usr/local/go"
	local v
	v=$(go env GOVERSION) || die "'go env GOVERSION' failed; is the Go installation broken?"
	local minor=${v#go1.}
	minor=${minor%%.*}
	case "$minor" in
	'' | *[!0-9]*) die "cannot parse Go version '$v'; need Go >= 1.24" ;;
	esac
	[ "$minor" -ge 24 ] || die "Go $v is too old: k8s $DKRON_K8S_VERSION and dkron v4 need Go >= 1.24 (Debian's golang-go is 1.19; use /usr/local/go)"
	GO_VERSION=$v
}

# Runs one step in the background with output to a log, printing a progress
# line every 30 s and the log's tail if it fails. Usage: step <label> <log> cmd...
STEP_PID=
tmp=
step() {
	local label=$1 log=$2
	shift 2
	local start=$SECONDS next=$((SECONDS + 30))
	say "$label ..."
	printf '\n### %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$log"
	# setsid: the step gets its own process group, so an interrupt can end
	# go and the compilers it started, and nothing else.
	setsid "$@" >>"$log" 2>&1 </dev/null &
	STEP_PID=$!
	while kill -0 "$STEP_PID" 2>/dev/null; do
		if [ "$SECONDS" -ge "$next" ]; then
			say "  $label: still running, $((SECONDS - start)) s"
			next=$((next + 30))
		fi
		sleep 1
	done
	local rc=0
	wait "$STEP_PID" || rc=$?
	STEP_PID=
	if [ "$rc" -ne 0 ]; then
		say "$label FAILED after $((SECONDS - start)) s (exit $rc); last lines of $log:"
		tail -n 40 "$log" >&2
		exit 1
	fi
	STEP_SECONDS=$((SECONDS - start))
	say "$label done in ${STEP_SECONDS} s"
}

stop_step() {
	if [ -n "$STEP_PID" ] && kill -0 "$STEP_PID" 2>/dev/null; then
		kill -TERM -- "-$STEP_PID" 2>/dev/null || true
	fi
}

record_time() {
	printf '%s %s s (cold cache: %s) %s\n' "$1" "$2" "$3" "$(date -u +%FT%TZ)" >>"$DKRON_TOOLS_DIR/build-times.txt"
}

# Refuses to start long builds against a proxy that doesn't answer; also
# yields the path of k8s.io/kubernetes's go.mod in the module cache.
probe_proxy() {
	local tmp=$1 json rc=0
	say "probing the Go module proxy ($GOPROXY) with k8s.io/kubernetes@v$DKRON_K8S_VERSION"
	json=$(cd "$tmp" && timeout 60 go mod download -json "k8s.io/kubernetes@v$DKRON_K8S_VERSION" 2>&1) || rc=$?
	if [ "$rc" -eq 124 ]; then
		die "the Go module proxy ($GOPROXY) did not answer within 60 s; check the network or set GOPROXY"
	elif [ "$rc" -ne 0 ]; then
		printf '%s\n' "$json" | tail -n 10 >&2
		die "cannot download k8s.io/kubernetes@v$DKRON_K8S_VERSION from the Go module proxy ($GOPROXY); check the network, GOPROXY, or DKRON_K8S_VERSION"
	fi
	K8S_GOMOD=$(printf '%s\n' "$json" | jq -r '.GoMod // empty')
	{ [ -n "$K8S_GOMOD" ] && [ -f "$K8S_GOMOD" ]; } ||
		die "go mod download gave no go.mod for k8s.io/kubernetes@v$DKRON_K8S_VERSION"
}

# Writes the throwaway module: require k8s.io/kubernetes, and replace every
# k8s.io/* module it requires at the v0.0.0 placeholder with the matching
# published staging tag v0.Y.Z. The go and godebug lines are copied too.
write_k8s_module() {
	local dir=$1 sv="0.${DKRON_K8S_VERSION#1.}" goline godebug replaces
	goline=$(awk '$1 == "go" {print; exit}' "$K8S_GOMOD")
	godebug=$(awk '$1 == "godebug" {print; exit}' "$K8S_GOMOD")
	replaces=$(awk -v sv="$sv" '
		$1 == "require" && $2 == "(" {inreq = 1; next}
		inreq && $1 == ")" {inreq = 0; next}
		inreq && $1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print "\t" $1 " => " $1 " v" sv}
		$1 == "require" && $2 ~ /^k8s\.io\// && $3 == "v0.0.0" {print "\t" $2 " => " $2 " v" sv}
	' "$K8S_GOMOD")
	[ -n "$replaces" ] || die "found no k8s.io/* v0.0.0 requirements in $K8S_GOMOD; the recipe needs updating"
	mkdir -p "$dir"
	{
		printf '// Generated by tests/bed/tools.sh from k8s.io/kubernetes@v%s go.mod. Throwaway.\n' "$DKRON_K8S_VERSION"
		printf 'module example.invalid/dkron-k8s-testbins\n\n%s\n' "$goline"
		[ -z "$godebug" ] || printf '\n%s\n' "$godebug"
		printf '\ntool (\n'
		printf '\tk8s.io/kubernetes/cmd/%s\n' "${DKRON_K8S_TOOLS[@]}"
		printf ')\n'
		printf '\nrequire k8s.io/kubernetes v%s\n' "$DKRON_K8S_VERSION"
		printf '\nreplace (\n%s\n)\n' "$replaces"
	} >"$dir/go.mod.new"
	# Keep go.sum from an earlier attempt only when go.mod is unchanged.
	if ! cmp -s "$dir/go.mod.new" "$dir/go.mod.gen" 2>/dev/null; then
		rm -f "$dir/go.sum"
		cp "$dir/go.mod.new" "$dir/go.mod.gen"
		cp "$dir/go.mod.new" "$dir/go.mod"
	fi
	rm -f "$dir/go.mod.new"
	say "generated $dir/go.mod ($(printf '%s\n' "$replaces" | wc -l) staging replaces)"
}

k8s_ldflags() {
	local minor=${DKRON_K8S_VERSION#1.}
	minor=${minor%%.*}
	local v="v$DKRON_K8S_VERSION" f=""
	local pkg
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		f+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
	done
	printf '%s' "-s -w$f"
}

build_k8s() {
	local want=$1 dir="$DKRON_TOOLS_DIR/src/k8s" log="$DKRON_TOOLS_DIR/log/k8s.log"
	write_k8s_module "$dir"
	if [ ! -s "$dir/go.sum" ]; then
		step "k8s: go mod tidy (downloads the module graph)" "$log" \
			env -C "$dir" nice -n 15 go mod tidy
		record_time "k8s-modules" "$STEP_SECONDS" "$COLD"
	fi
	local t
	for t in "${DKRON_K8S_TOOLS[@]}"; do
		case " $want " in *" $t "*) ;; *) continue ;; esac
		step "build $t v$DKRON_K8S_VERSION" "$log" \
			env -C "$dir" CGO_ENABLED=0 nice -n 15 go build -trimpath -tags=selinux,notest,grpcnotrace \
			-ldflags="$(k8s_ldflags)" -o "$DKRON_TOOLS_DIR/tmp/$t" "k8s.io/kubernetes/cmd/$t"
		mv -f "$DKRON_TOOLS_DIR/tmp/$t" "$DKRON_TOOLS_BIN/$t"
		record_time "$t" "$STEP_SECONDS" "$COLD"
	done
}

build_etcd() {
	local dir="$DKRON_TOOLS_DIR/src/etcd" log="$DKRON_TOOLS_DIR/log/etcd.log"
	local mod="go.etcd.io/etcd/server/v3"
	mkdir -p "$dir"
	if [ ! -f "$dir/go.mod" ] || ! grep -q "$mod v$DKRON_ETCD_VERSION" "$dir/go.mod"; then
		rm -f "$dir/go.mod" "$dir/go.sum"
		step "etcd: go mod init + go get $mod@v$DKRON_ETCD_VERSION" "$log" \
			env -C "$dir" sh -c "go mod init example.invalid/dkron-k8s-etcd && nice -n 15 go get $mod@v$DKRON_ETCD_VERSION"
	fi
	step "build etcd v$DKRON_ETCD_VERSION" "$log" \
		env -C "$dir" CGO_ENABLED=0 nice -n 15 go build -trimpath -ldflags='-s -w' \
		-o "$DKRON_TOOLS_DIR/tmp/etcd" "$mod"
	mv -f "$DKRON_TOOLS_DIR/tmp/etcd" "$DKRON_TOOLS_BIN/etcd"
	record_time etcd "$STEP_SECONDS" "$COLD"
}

# dkron comes from, in this order: DKRON_BIN (see missing_tools), the cache,
# the Go module proxy (go install, as upstream releases it), and the source
# archive (DKRON_SRC_ARCHIVE, default ../shared/third_party/dkron/ beside the
# repository), for proxies that serve dkron's dependencies but refuse dkron
# itself (some serve only an allow-list). Only when neither can provide it is
# the reason kept in dkron.unavailable, for the e2e runner and the demo,
# which then skip what needs dkron, saying why: the cluster itself doesn't
# need it. A bad archive or a failed build is an error, not a skip.
# Both builds use the same flags and end with the same version check.
DKRON_MODULE=github.com/distribworks/dkron/v4
dkron_ldflags() {
	printf '%s' "-s -w -X $DKRON_MODULE/dkron.Version=$DKRON_DKRON_VERSION"
}

build_dkron() {
	local log="$DKRON_TOOLS_DIR/log/dkron.log" v=$DKRON_DKRON_VERSION
	local mod="$DKRON_MODULE@v$v" out rc=0 refused
	rm -f "$DKRON_TOOLS_DIR/dkron.unavailable"
	out=$(cd "$tmp" && timeout 60 go mod download -json "$mod" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		step "build dkron v$v (go install from the module proxy)" "$log" \
			env -C "$DKRON_TOOLS_DIR" GOBIN="$DKRON_TOOLS_DIR/tmp" CGO_ENABLED=0 nice -n 15 \
			go install -trimpath -ldflags="$(dkron_ldflags)" "$mod"
		install_dkron "$log"
		return 0
	fi
	if [ "$rc" -eq 124 ]; then
		refused="the Go module proxy ($GOPROXY) did not answer within 60 s for $mod"
	else
		local why
		why=$(printf '%s\n' "$out" | jq -r '.Error // empty' 2>/dev/null | head -n 1 || true)
		[ -n "$why" ] || why=$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')
		refused="the Go module proxy ($GOPROXY) refuses $mod: $why"
	fi
	say "$refused"
	local archive=${DKRON_SRC_ARCHIVE:-$DKRON_DEFAULT_SRC_ARCHIVE}
	if [ ! -f "$archive" ]; then
		printf '%s\n' "$refused; and there is no source archive at $archive (set DKRON_SRC_ARCHIVE)" \
			>"$DKRON_TOOLS_DIR/dkron.unavailable"
		say "WARNING: cannot build dkron: $(cat "$DKRON_TOOLS_DIR/dkron.unavailable")"
		say "WARNING: scenarios that run dkron will be skipped; set DKRON_BIN=/path/to/dkron (v$v) to use a binary you have"
		return 0
	fi
	build_dkron_from_archive "$archive" "$log"
}

build_dkron_from_archive() {
	local archive=$1 log=$2 v=$DKRON_DKRON_VERSION sum
	say "building dkron v$v from the source archive $archive"
	sum=$(sha256sum "$archive") || die "cannot read the dkron source archive $archive"
	sum=${sum%% *}
	[ "$sum" = "$DKRON_DKRON_SRC_SHA256" ] ||
		die "the dkron source archive $archive has sha256 $sum, but tests/bed/tools-env.sh pins $DKRON_DKRON_SRC_SHA256 for v$v: replace the archive with dkron-$v-src.tar.gz, or pin the new sum (DKRON_DKRON_SRC_SHA256) after checking it"
	local src="$DKRON_TOOLS_DIR/src/dkron"
	rm -rf "$src"
	mkdir -p "$src"
	step "dkron: extract $(basename "$archive")" "$log" tar -xzf "$archive" -C "$src"
	local top="$src/dkron-$v"
	[ -f "$top/go.mod" ] ||
		die "dkron: extract: $archive has no dkron-$v/go.mod; is it the v$v source archive? (log: $log)"
	step "dkron: build v$v from source (modules from the proxy)" "$log" \
		env -C "$top" CGO_ENABLED=0 GOFLAGS="$GOFLAGS -mod=mod" nice -n 15 \
		go build -trimpath -ldflags="$(dkron_ldflags)" -o "$DKRON_TOOLS_DIR/tmp/dkron" .
	install_dkron "$log"
	rm -rf "$src"
}

# Checks that the freshly built tmp/dkron reports the pinned version, then
# moves it into the cache.
install_dkron() {
	local log=$1 bin="$DKRON_TOOLS_DIR/tmp/dkron" v=$DKRON_DKRON_VERSION out
	out=$("$bin" version 2>&1) || die "dkron: version check: '$bin version' failed: $out (log: $log)"
	printf '%s\n' "$out" >>"$log"
	grep -q "^Version: $v\b" <<<"$out" ||
		die "dkron: version check: '$bin version' says '$(head -n 1 <<<"$out")', expected Version: $v (log: $log)"
	mv -f "$bin" "$DKRON_TOOLS_BIN/dkron"
	record_time dkron "$STEP_SECONDS" "$COLD"
	say "dkron v$v ready: $DKRON_TOOLS_BIN/dkron"
}

build_helm() {
	local log="$DKRON_TOOLS_DIR/log/helm.log" v=$DKRON_HELM_VERSION
	step "build helm v$v" "$log" \
		env -C "$DKRON_TOOLS_DIR" GOBIN="$DKRON_TOOLS_DIR/tmp" CGO_ENABLED=0 nice -n 15 go install \
		-ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v$v" \
		"helm.sh/helm/v3/cmd/helm@v$v"
	mv -f "$DKRON_TOOLS_DIR/tmp/helm" "$DKRON_TOOLS_BIN/helm"
	record_time helm "$STEP_SECONDS" "$COLD"
}

# CoreDNS with its default plugin set (kubernetes among them), as upstream
# builds it; static, so that the real-cluster tier can run it in an image of
# one file.
build_coredns() {
	local log="$DKRON_TOOLS_DIR/log/coredns.log" v=$DKRON_COREDNS_VERSION
	step "build coredns v$v" "$log" \
		env -C "$DKRON_TOOLS_DIR" GOBIN="$DKRON_TOOLS_DIR/tmp" CGO_ENABLED=0 nice -n 15 go install \
		-trimpath -ldflags="-s -w" "github.com/coredns/coredns@v$v"
	mv -f "$DKRON_TOOLS_DIR/tmp/coredns" "$DKRON_TOOLS_BIN/coredns"
	record_time coredns "$STEP_SECONDS" "$COLD"
}

# promtool only: the package's binary, without installing the package (its
# postinst would set up a Prometheus service).
fetch_promtool() {
	local log="$DKRON_TOOLS_DIR/log/promtool.log" dir="$DKRON_TOOLS_DIR/tmp/promtool"
	rm -rf "$dir"
	mkdir -p "$dir"
	# shellcheck disable=SC2016 # expanded by the inner sh
	step "promtool from Debian's prometheus package" "$log" \
		sh -c 'cd "$1" && { apt-get download prometheus || { apt-get update -qq && apt-get download prometheus; }; } &&
			dpkg -x prometheus_*.deb root' sh "$dir"
	mv -f "$dir/root/usr/bin/promtool" "$DKRON_TOOLS_BIN/promtool"
	rm -rf "$dir"
	record_time promtool "$STEP_SECONDS" "$COLD"
}

main() {
	local want
	want=$(missing_tools | tr '\n' ' ')
	if [ -z "${want// /}" ]; then
		say "all tools present in $DKRON_TOOLS_BIN"
		[ "$PRINT_BIN" -eq 0 ] || printf '%s\n' "$DKRON_TOOLS_BIN"
		return 0
	fi
	command -v jq >/dev/null || die "jq is missing; run 'make deps'"
	find_go
	export GOTOOLCHAIN=local GOFLAGS=-modcacherw
	if [ -z "${GOPROXY:-}" ] && [ -z "$(go env GOPROXY)" ]; then
		export GOPROXY=https://proxy.golang.org,direct
	fi
	GOPROXY=$(go env GOPROXY)
	mkdir -p "$DKRON_TOOLS_BIN" "$DKRON_TOOLS_DIR/log" "$DKRON_TOOLS_DIR/tmp"

	# One builder per cache directory at a time.
	exec 9>"$DKRON_TOOLS_DIR/.lock"
	if ! flock -n 9; then
		say "another tools.sh is building into $DKRON_TOOLS_DIR; waiting for it"
		flock 9
		want=$(missing_tools | tr '\n' ' ')
		if [ -z "${want// /}" ]; then
			[ "$PRINT_BIN" -eq 0 ] || printf '%s\n' "$DKRON_TOOLS_BIN"
			return 0
		fi
	fi
	trap stop_step EXIT
	trap 'stop_step; exit 130' INT TERM

	# A build counts as cold when Go's build cache was empty when it started.
	COLD=no
	local gocache
	gocache=$(go env GOCACHE)
	if [ ! -d "$gocache" ] || [ -z "$(ls -A "$gocache" 2>/dev/null)" ]; then COLD=yes; fi

	say "building: ${want% } (Go $GO_VERSION; cache $DKRON_TOOLS_DIR; logs in $DKRON_TOOLS_DIR/log)"
	local total_start=$SECONDS
	tmp=$(mktemp -d)
	trap 'stop_step; rm -rf "$tmp"' EXIT
	probe_proxy "$tmp"

	case " $want " in *" etcd "*) build_etcd ;; esac
	local k8s_want="" t
	for t in "${DKRON_K8S_TOOLS[@]}"; do
		case " $want " in *" $t "*) k8s_want+=" $t" ;; esac
	done
	[ -z "$k8s_want" ] || build_k8s "$want"
	case " $want " in *" dkron "*) build_dkron ;; esac
	case " $want " in *" helm "*) build_helm ;; esac
	case " $want " in *" promtool "*) fetch_promtool ;; esac
	case " $want " in *" coredns "*) build_coredns ;; esac

	local left
	left=$(missing_tools | grep -v '^dkron$' | tr '\n' ' ' || true)
	[ -z "${left// /}" ] || die "still missing after the build: $left"
	if [ -x "$DKRON_TOOLS_BIN/dkron" ] || [ -x "${DKRON_BIN:-}" ]; then
		say "all tools ready in $((SECONDS - total_start)) s; build times in $DKRON_TOOLS_DIR/build-times.txt"
	else
		say "cluster tools ready in $((SECONDS - total_start)) s (dkron unavailable, see above); build times in $DKRON_TOOLS_DIR/build-times.txt"
	fi
	[ "$PRINT_BIN" -eq 0 ] || printf '%s\n' "$DKRON_TOOLS_BIN"
}

main
