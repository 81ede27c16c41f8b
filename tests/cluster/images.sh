#!/usr/bin/env bash
# Makes every image the real-cluster tier runs, here: no registry is reached.
#   bases     two Debian 12 root file systems made with debootstrap from
#             this machine's apt mirror, kept in the tool cache and imported
#             into Docker: "runtime" (the libraries the binaries link, CA
#             certificates) and "builder" (compiler, make, the -dev packages)
#   dkron     the runtime base plus the dkron binary built from the pinned
#             source (tests/bed/tools.sh)
#   project   the repository's Dockerfile, built on those two with its build
#             arguments (DKRON_IMAGE, BUILDER_IMAGE, no apk packages: the
#             bases have them); the Dockerfile's defaults stay what users build
#   pause     tests/cluster/pause.c, static, alone in its image
#   coredns   the static CoreDNS binary from the tool cache, alone in its image
# then writes one `docker save` archive of the three run images (project,
# pause, coredns), which the
# cluster loads into each node's containerd.
#
# Usage: tests/cluster/images.sh OUT_TAR
# Prints the project image's name; OUT_TAR.names lists the three, one
# "project|pause|coredns NAME" a line. Images carry the label
# dkron-k8s-cluster=1; tests/cluster/images.sh --remove deletes them.
set -euo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/bed/tools-env.sh
. "$REPO/tests/bed/tools-env.sh"

say() { printf 'images: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# Bump when the bases' package lists change.
BASES_RECIPE=1
SUITE=bookworm
BASES_DIR=${DKRON_TOOLS_DIR%/*}/bases-debian12-r$BASES_RECIPE
LABEL=dkron-k8s-cluster=1
REPO_PREFIX=dkron-k8s.local
VERSION=$(cat "$REPO/VERSION")
RUNTIME_PACKAGES=(libcurl4 libcjson1 libc-ares2 libmicrohttpd12 ca-certificates)
BUILDER_PACKAGES=(build-essential pkg-config libcurl4-openssl-dev libcjson-dev libc-ares-dev libmicrohttpd-dev)

IMG_RUNTIME=$REPO_PREFIX/debian12-runtime:r$BASES_RECIPE
IMG_BUILDER=$REPO_PREFIX/debian12-builder:r$BASES_RECIPE
IMG_DKRON=$REPO_PREFIX/dkron:$DKRON_DKRON_VERSION-debian12
IMG_PROJECT=$REPO_PREFIX/dkron-k8s:$VERSION
IMG_PAUSE=$REPO_PREFIX/pause:1
IMG_COREDNS=$REPO_PREFIX/coredns:$("$DKRON_TOOLS_BIN/coredns" -version 2>/dev/null | sed -n 's/^CoreDNS-//p' || echo none)

# The mirror debootstrap fetches from: $DKRON_DEBIAN_MIRROR, else the first
# URI of this machine's apt sources for the suite (deb822 or one-line).
debian_mirror() {
	[ -z "${DKRON_DEBIAN_MIRROR:-}" ] || {
		printf '%s\n' "$DKRON_DEBIAN_MIRROR"
		return
	}
	local m
	m=$(awk -v s="$SUITE" '
		/^URIs:/ {u = $2} /^Suites:/ {for (i = 2; i <= NF; i++) if ($i == s && u != "") {print u; exit}}
		/^deb / && $3 == s {print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$m" ] || die "no apt source for $SUITE found in /etc/apt; set DKRON_DEBIAN_MIRROR to a Debian mirror URL"
	printf '%s\n' "$m"
}

# make_base NAME PACKAGES...: BASES_DIR/NAME.tar, a minbase Debian 12 with
# PACKAGES, made once (debootstrap checks the archive's signatures with
# this machine's debian-archive-keyring).
make_base() {
	local name=$1 tar=$BASES_DIR/$1.tar
	shift
	[ -s "$tar" ] && return 0
	command -v debootstrap >/dev/null || die "debootstrap is missing; run 'make deps'"
	mkdir -p "$BASES_DIR/debs"
	local root t0=$SECONDS log=$BASES_DIR/$name.log
	root=$(mktemp -d "$BASES_DIR/$name.XXXXXX")
	say "debootstrap $SUITE ($name: $*) ..."
	local incl
	incl=$(
		IFS=,
		printf '%s' "$*"
	)
	if ! debootstrap --variant=minbase --cache-dir="$BASES_DIR/debs" --include="$incl" \
		"$SUITE" "$root" "$(debian_mirror)" >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		rm -rf "$root"
		die "debootstrap of the $name base failed (log $log)"
	fi
	# Nothing of the build machine stays in the image: apt lists and caches,
	# logs, the mirror's address.
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/* \
		"$root"/etc/apt/sources.list "$root"/debootstrap
	tar --numeric-owner -C "$root" -cf "$tar.new" .
	mv -f "$tar.new" "$tar"
	rm -rf "$root"
	say "$name base made in $((SECONDS - t0)) s"
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

import_tar() { # import_tar IMAGE TAR [--change ...]
	local img=$1 tar=$2
	shift 2
	have_image "$img" || docker import --change "LABEL $LABEL" "$@" "$tar" "$img" >/dev/null
}

# A throwaway context: a Dockerfile of one COPY onto a base.
image_of_files() { # image_of_files IMAGE BASE FILE DEST [ENTRYPOINT-JSON]
	local img=$1 base=$2 file=$3 dest=$4 entry=${5:-} ctx
	have_image "$img" && return 0
	ctx=$(mktemp -d)
	cp "$file" "$ctx/payload"
	{
		printf 'FROM %s\nCOPY payload %s\nLABEL %s\n' "$base" "$dest" "$LABEL"
		[ -z "$entry" ] || printf 'ENTRYPOINT %s\n' "$entry"
	} >"$ctx/Dockerfile"
	DOCKER_BUILDKIT=0 docker build -q -t "$img" "$ctx" >/dev/null || {
		rm -rf "$ctx"
		die "docker build of $img failed"
	}
	rm -rf "$ctx"
}

# A one-file image from scratch (pause, coredns).
static_image() { # static_image IMAGE FILE DEST
	local img=$1 file=$2 dest=$3 ctx
	have_image "$img" && return 0
	ctx=$(mktemp -d)
	mkdir -p "$ctx/root${dest%/*}"
	install -m 0755 "$file" "$ctx/root$dest"
	tar --numeric-owner --owner=0 --group=0 -C "$ctx/root" -cf "$ctx/root.tar" .
	import_tar "$img" "$ctx/root.tar" --change "ENTRYPOINT [\"$dest\"]"
	rm -rf "$ctx"
}

build_pause() {
	local out=$1
	${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 -Werror -O2 -static -o "$out" "$HERE/pause.c"
}

# The project image, always rebuilt: it must hold this checkout's code.
build_project() {
	local log t0=$SECONDS
	log=$(mktemp)
	if ! DOCKER_BUILDKIT=0 docker build --force-rm --label "$LABEL" \
		--build-arg DKRON_IMAGE="$IMG_DKRON" --build-arg BUILDER_IMAGE="$IMG_BUILDER" \
		--build-arg BUILDER_PACKAGES= --build-arg RUNTIME_PACKAGES= \
		-t "$IMG_PROJECT" "$REPO" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		rm -f "$log"
		die "docker build of the project image failed"
	fi
	rm -f "$log"
	say "project image $IMG_PROJECT built from the Dockerfile in $((SECONDS - t0)) s"
}

# Newest first (children before their parents), a few rounds for the
# layers a removal frees.
remove_images() {
	local ids
	for _ in 1 2 3; do
		mapfile -t ids < <(docker images -a -q --filter "label=$LABEL" | awk '!seen[$0]++')
		[ "${#ids[@]}" -gt 0 ] || return 0
		docker rmi -f "${ids[@]}" >/dev/null 2>&1 || true
	done
	docker images -a -q --filter "label=$LABEL" | grep -q . && say "warning: images labelled $LABEL are left"
	return 0
}

main() {
	case ${1:-} in
	--remove)
		remove_images
		return
		;;
	--project-image)
		printf '%s\n' "$IMG_PROJECT"
		return
		;;
	'' | -*) die "usage: $0 OUT_TAR | --remove | --project-image" ;;
	esac
	local out=$1 tmp
	command -v docker >/dev/null || die "docker is missing: the project image is built with Docker"
	timeout 20 docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info)"
	make_base runtime "${RUNTIME_PACKAGES[@]}"
	make_base builder "${BUILDER_PACKAGES[@]}"
	local t
	for t in dkron coredns; do
		[ -x "$DKRON_TOOLS_BIN/$t" ] || die "$t is missing in $DKRON_TOOLS_BIN; run tests/bed/tools.sh"
	done
	import_tar "$IMG_RUNTIME" "$BASES_DIR/runtime.tar"
	import_tar "$IMG_BUILDER" "$BASES_DIR/builder.tar"
	image_of_files "$IMG_DKRON" "$IMG_RUNTIME" "$DKRON_TOOLS_BIN/dkron" /usr/local/bin/dkron \
		'["/usr/local/bin/dkron"]'
	build_project
	tmp=$(mktemp -d)
	build_pause "$tmp/pause"
	static_image "$IMG_PAUSE" "$tmp/pause" /pause
	static_image "$IMG_COREDNS" "$DKRON_TOOLS_BIN/coredns" /coredns
	docker save -o "$out" "$IMG_PROJECT" "$IMG_PAUSE" "$IMG_COREDNS"
	printf 'project %s\npause %s\ncoredns %s\n' "$IMG_PROJECT" "$IMG_PAUSE" "$IMG_COREDNS" >"$out.names"
	rm -rf "$tmp"
	printf '%s\n' "$IMG_PROJECT"
}

main "$@"
