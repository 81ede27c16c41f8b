# dkron-k8s image: the official dkron image plus dkron-server-wrapper,
# dkron-agent-launcher and dkron-webhook-receiver in /usr/local/bin (the paths
# the manifests and the Helm chart use).
#
# Build and push:
#   docker build -t registry.example.com/dkron-k8s:0.1.0 .
#   docker push registry.example.com/dkron-k8s:0.1.0
# then point the deployment at it:
#   kustomize: images: [{name: dkron-k8s, newName: registry.example.com/dkron-k8s, newTag: 0.1.0}]
#   helm:      --set image.repository=registry.example.com/dkron-k8s --set image.tag=0.1.0
#
# Build arguments:
#   DKRON_IMAGE       base of the final image (default dkron/dkron:4.0.9, Alpine)
#   BUILDER_IMAGE     build stage; must match the final image's libc and
#                     package versions (default alpine:3.20, the base of
#                     dkron 4.0.9): the binaries link musl and Alpine's
#                     libcurl, c-ares, cJSON and libmicrohttpd dynamically
#   BUILDER_PACKAGES  apk packages of the build stage
#   RUNTIME_PACKAGES  apk packages added to the final image (the libraries
#                     the binaries link); "" when the base already has them
#   CFLAGS, CPPFLAGS, LDFLAGS  appended to the Makefile's own flags
#                     (e.g. --build-arg CFLAGS=-march=x86-64-v2)
# With a newer dkron, move BUILDER_IMAGE to the Alpine release of that image
# (`docker run --rm --entrypoint cat dkron/dkron:X /etc/alpine-release`).
#
# The image runs as uid/gid 10001 (the manifests set the same with
# runAsNonRoot); dkron's data dir /dkron.data is owned by it. The default
# entrypoint is dkron-server-wrapper; the worker Deployment sets
# dkron-agent-launcher as its command.

ARG DKRON_IMAGE=dkron/dkron:4.0.9
ARG BUILDER_IMAGE=alpine:3.20

FROM ${BUILDER_IMAGE} AS builder
ARG BUILDER_PACKAGES="build-base curl-dev c-ares-dev cjson-dev libmicrohttpd-dev pkgconf"
RUN if [ -n "$BUILDER_PACKAGES" ]; then apk add --no-cache $BUILDER_PACKAGES; fi
WORKDIR /src
COPY Makefile VERSION ./
COPY discovery/ discovery/
COPY server-wrapper/ server-wrapper/
COPY agent/ agent/
COPY webhook-receiver/ webhook-receiver/
ARG CFLAGS=""
ARG CPPFLAGS=""
ARG LDFLAGS=""
RUN make -j"$(nproc)" CFLAGS="$CFLAGS" CPPFLAGS="$CPPFLAGS" LDFLAGS="$LDFLAGS" all \
    && mkdir -p /out/dkron.data \
    && install -m 0755 build/dkron-server-wrapper build/dkron-agent-launcher \
       build/dkron-webhook-receiver /out/

FROM ${DKRON_IMAGE}
ARG RUNTIME_PACKAGES="libcurl c-ares cjson libmicrohttpd"
USER 0
RUN if [ -n "$RUNTIME_PACKAGES" ]; then apk add --no-cache $RUNTIME_PACKAGES; fi
COPY --from=builder /out/dkron-server-wrapper /out/dkron-agent-launcher \
     /out/dkron-webhook-receiver /usr/local/bin/
COPY --from=builder --chown=10001:10001 /out/dkron.data /dkron.data
# Fails the build when a library the binaries link is missing from the image.
RUN /usr/local/bin/dkron-server-wrapper --version && /usr/local/bin/dkron-agent-launcher --version \
    && /usr/local/bin/dkron-webhook-receiver --version
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/dkron-server-wrapper"]
