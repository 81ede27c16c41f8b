# shellcheck shell=bash
# Scenario 33: the Dockerfile builds an image in which both entrypoints run.
# Needs a Docker engine; without one it is skipped, saying so.
#
# With the real bases (alpine:3.20 and dkron/dkron:4.0.9 present or
# pullable, and the network for apk) it builds the image as users do.
# Without them (no registry reachable) it builds the same Dockerfile on
# locally made base images: a builder rootfs made from this machine's
# installed Debian packages (compiler, make, pkg-config, libcurl, cJSON,
# c-ares, libmicrohttpd and their dependencies; docker import), and a stand-in "dkron"
# image (that rootfs plus a stub /usr/local/bin/dkron), with
# BUILDER_PACKAGES and RUNTIME_PACKAGES empty since both have them already.
# That path proves the Dockerfile's stages, make with user flags (LDFLAGS
# reaches the link), the copies into /usr/local/bin, the data dir owner,
# the user and the entrypoint; it does not prove the Alpine/musl build.
#
# Every image it makes carries the label dkron-k8s-e2e=<run id> and is
# removed at the end, whatever happens.

command -v docker >/dev/null 2>&1 || skip "no docker CLI in PATH: the image build test needs a Docker engine"
if ! info=$(timeout 20 docker info --format '{{.ServerVersion}}' 2>&1); then
	skip "no Docker engine reachable (docker info: $(grep -m1 . <<<"$info" || echo "no output")): the image build test needs one"
fi
log "Docker engine $info"

PULLED=()
RUN_ID=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
LABEL=dkron-k8s-e2e=$RUN_ID
REPO_IMG=dkron-k8s-e2e/$RUN_ID
IMAGE=$REPO_IMG:image
export DOCKER_BUILDKIT=0 # the classic builder: every layer is an image we can find by label and remove

cleanup_images() {
	local tags
	mapfile -t tags < <(docker images --format '{{.Repository}}:{{.Tag}}' "$REPO_IMG" 2>/dev/null || true)
	[ "${#tags[@]}" -eq 0 ] || docker rmi -f "${tags[@]}" >/dev/null 2>&1 || true
	docker image prune -a -f --filter "label=$LABEL" >/dev/null 2>&1 || true
	[ "${#PULLED[@]}" -eq 0 ] || docker rmi "${PULLED[@]}" >/dev/null 2>&1 || true
}
on_exit cleanup_images

# Real bases: present, or pullable within a minute each (what this scenario
# pulls, it removes).
have_image() {
	docker image inspect "$1" >/dev/null 2>&1 && return 0
	timeout 60 docker pull -q "$1" >/dev/null 2>&1 || return 1
	PULLED+=("$1")
}

# The builder rootfs: every file of the installed packages the build needs
# (with their dependencies), the dynamic loader's cache and the
# alternatives (cc), and a /tmp for the compiler.
make_builder_rootfs() { # make_builder_rootfs <tar>
	local tar=$1 pkgs
	pkgs=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances dash bash coreutils findutils sed grep make gcc \
		binutils libc6-dev pkgconf libcurl4-openssl-dev libcjson-dev libc-ares-dev libmicrohttpd-dev 2>/dev/null |
		grep -v '^[ <]' | sort -u)
	# shellcheck disable=SC2086 # one argument per package
	{
		dpkg -L $pkgs 2>/dev/null | sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#' |
			grep -Ev '^/usr/share/(doc|man|info|locale|lintian|bug)/' |
			while IFS= read -r p; do
				if [ -L "$p" ] || { [ -f "$p" ] && [ ! -d "$p" ]; }; then printf '%s\n' "${p#/}"; fi
			done
		find /etc/alternatives -mindepth 1 | sed 's#^/##'
		printf '%s\n' etc/ld.so.cache etc/ld.so.conf usr/bin/cc
	} | sort -u >"$E2E_WORK/rootfs.list"
	tar --no-recursion -C / -cf "$tar" -T "$E2E_WORK/rootfs.list"
	mkdir -m 1777 "$E2E_WORK/tmp"
	tar -C "$E2E_WORK" -rf "$tar" tmp
}

build() { # build <log> docker-build-args...
	local out=$1
	shift
	if ! docker build --force-rm "$@" >"$out" 2>&1; then
		tail -n 30 "$out" >&2
		fail "docker build $* failed"
	fi
	pass "docker build: $(grep -m1 'Sending build context' "$out" || echo "context sent")"
}

BUILD_ARGS=()
LOCAL=0
if have_image alpine:3.20 && have_image dkron/dkron:4.0.9; then
	log "real bases available: building as users do (apk needs the network)"
	build "$E2E_WORK/builder.log" --target builder --label "$LABEL" -t "$REPO_IMG:builder" "$E2E_REPO"
else
	log "alpine:3.20 / dkron/dkron:4.0.9 neither present nor pullable (no registry reachable): building on locally made base images"
	LOCAL=1
	make_builder_rootfs "$E2E_WORK/rootfs.tar"
	docker import --change "LABEL $LABEL" "$E2E_WORK/rootfs.tar" "$REPO_IMG:builder-base" >/dev/null
	pass "local builder base image from $(wc -l <"$E2E_WORK/rootfs.list") files of this machine's packages"
	mkdir -p "$E2E_WORK/dkron-ctx"
	printf '#!/bin/sh\necho "dkron stand-in $*"\n' >"$E2E_WORK/dkron-ctx/dkron"
	chmod 755 "$E2E_WORK/dkron-ctx/dkron"
	printf 'FROM %s\nCOPY dkron /usr/local/bin/dkron\nENTRYPOINT ["/usr/local/bin/dkron"]\nCMD ["--help"]\n' \
		"$REPO_IMG:builder-base" >"$E2E_WORK/dkron-ctx/Dockerfile"
	build "$E2E_WORK/dkron-base.log" --network none -t "$REPO_IMG:dkron-base" "$E2E_WORK/dkron-ctx"
	BUILD_ARGS=(--network none --build-arg "BUILDER_IMAGE=$REPO_IMG:builder-base"
		--build-arg "DKRON_IMAGE=$REPO_IMG:dkron-base" --build-arg BUILDER_PACKAGES=
		--build-arg RUNTIME_PACKAGES= --build-arg "LDFLAGS=-Wl,-rpath,/e2e-$RUN_ID")
fi
build "$E2E_WORK/image.log" "${BUILD_ARGS[@]}" --label "$LABEL" -t "$IMAGE" "$E2E_REPO"

run() { docker run --rm --network none "$@"; }
assert_eq "image user" 10001:10001 "$(docker image inspect "$IMAGE" --format '{{.Config.User}}')"
assert_eq "image entrypoint" '["/usr/local/bin/dkron-server-wrapper"]' \
	"$(docker image inspect "$IMAGE" --format '{{json .Config.Entrypoint}}')"
assert_eq "default entrypoint --version" "dkron-server-wrapper $("$E2E_REPO/build/dkron-server-wrapper" --version | awk '{print $2}')" \
	"$(run "$IMAGE" --version)"
assert_eq "launcher --version" "dkron-agent-launcher $("$E2E_REPO/build/dkron-agent-launcher" --version | awk '{print $2}')" \
	"$(run --entrypoint /usr/local/bin/dkron-agent-launcher "$IMAGE" --version)"
help=$(run "$IMAGE" --help)
grep -q -- '--initial-cluster-size' <<<"$help" || fail "the wrapper's --help in the image lacks --initial-cluster-size"
pass "the wrapper's --help runs in the image"
assert_eq "runs as uid" 10001 "$(run --entrypoint /bin/sh "$IMAGE" -c 'id -u')"
assert_eq "/dkron.data owner" 10001:10001 "$(run --entrypoint /bin/sh "$IMAGE" -c 'stat -c %u:%g /dkron.data')"
assert_eq "dkron kept from the base image" yes "$(run --entrypoint /bin/sh "$IMAGE" -c '[ -x /usr/local/bin/dkron ] && echo yes || echo no')"
assert_eq "no build tree in the final image" no "$(run --entrypoint /bin/sh "$IMAGE" -c '[ -e /src ] && echo yes || echo no')"
if [ "$LOCAL" = 1 ]; then
	assert_eq "LDFLAGS reach the link (RUNPATH)" "[/e2e-$RUN_ID]" \
		"$(run --entrypoint /bin/sh "$IMAGE" -c 'readelf -d /usr/local/bin/dkron-server-wrapper' | sed -n 's/.*(RUNPATH).*Library runpath: //p')"
	log "NOTE: built on locally made Debian base images; the Alpine/musl build was not exercised (no registry)"
fi
