# dkron-k8s: dkron-server-wrapper and dkron-agent-launcher.
#
#   make deps        install the Debian 12 packages the build and tests need
#   make             build both binaries into $(BUILD)/
#   make unit        run the Check unit suite
#   make test        everything CI runs: deps, the cached tools, lint, unit
#                    (plain, sanitizers, valgrind), a short fuzz pass,
#                    real-cluster tier
#   make tools       build what is missing of the cached tools (kubectl, helm,
#                    kube-apiserver, etcd, dkron, promtool; tests/bed/tools.sh)
#   make sanitize    unit suite under ASan+UBSan
#   make valgrind    unit suite under valgrind (no fork)
#   make fuzz        build the libFuzzer harnesses (clang) and run each for
#                    FUZZ_SECONDS (60) on its corpus (tests/fuzz/README.md)
#   make fuzz-short  the same for FUZZ_SHORT_SECONDS (6) each, as in `make test`
#   make demo        the local demo: 3 servers, 2 workers, a job, a server
#                    replaced (KEEP=1 leaves the cluster up)
#   make bench       benchmarks on the local cluster (bench/results.md)
#   make acceptance  the acceptance sequence on the local cluster, with a
#                    report of the missed job runs per phase
#   make format      format the C sources with clang-format 14
#   make format-check
#   make lint        static checks: shellcheck on every shell script,
#                    kubectl kustomize of the base and each overlay, helm lint
#                    --strict of the chart, clang-format, the layering
#   make layering    that discovery/ includes only its own headers (it is
#                    also compiled with -Idiscovery alone)
#
# User CFLAGS, CPPFLAGS and LDFLAGS are appended last and respected.

CC ?= cc
MAKEFLAGS += --no-print-directory
PKG_CONFIG ?= pkg-config
BUILD ?= build

# One version for --version, the HTTP User-Agent, the image and the chart
# (tests/unit checks that Chart.yaml's appVersion agrees).
VERSION := $(shell cat VERSION)

RUN_PKGS := libcurl libcjson libcares libmicrohttpd
TEST_PKGS := check

STD := -std=c11
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 \
        -Wstrict-prototypes -Wmissing-prototypes -Werror
OPT ?= -O2 -g
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2
SAN_FLAGS ?=

# Deferred (=) so that `make test` on a fresh machine can install the
# packages first and still get their flags.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(RUN_PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(RUN_PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

# Layering: discovery/ is the library the programs share, so it is compiled
# with its own include path only and cannot include a program's header; the
# programs and the tests see discovery's headers and every program's.
BASE_CPPFLAGS = -D_GNU_SOURCE -DDKRON_K8S_VERSION='"$(VERSION)"' -MMD -MP
DISCOVERY_CPPFLAGS = $(BASE_CPPFLAGS) -Idiscovery $(CPPFLAGS)
ALL_CPPFLAGS = $(BASE_CPPFLAGS) -Idiscovery -Iserver-wrapper -Iagent \
               -Iwebhook-receiver $(CPPFLAGS)
ALL_CFLAGS = $(STD) $(WARN) $(OPT) $(HARDEN) $(SAN_FLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

DISCOVERY_SRC := $(sort $(wildcard discovery/*.c))
SERVER_SRC := $(sort $(wildcard server-wrapper/*.c))
AGENT_SRC := $(sort $(wildcard agent/*.c))
RECEIVER_SRC := $(sort $(wildcard webhook-receiver/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
DISCOVERY_OBJ := $(call obj,$(DISCOVERY_SRC))
SERVER_OBJ := $(call obj,$(SERVER_SRC))
AGENT_OBJ := $(call obj,$(AGENT_SRC))
RECEIVER_OBJ := $(call obj,$(RECEIVER_SRC))
UNIT_OBJ := $(call obj,$(UNIT_SRC))
# The unit runner links every module of the binaries except their main().
SERVER_LIB_OBJ := $(filter-out %/main.o,$(SERVER_OBJ))
AGENT_LIB_OBJ := $(filter-out %/main.o,$(AGENT_OBJ))
RECEIVER_LIB_OBJ := $(filter-out %/main.o,$(RECEIVER_OBJ))

SERVER_BIN := $(BUILD)/dkron-server-wrapper
AGENT_BIN := $(BUILD)/dkron-agent-launcher
RECEIVER_BIN := $(BUILD)/dkron-webhook-receiver
UNIT_BIN := $(BUILD)/unit-tests
LIB := $(BUILD)/libdiscovery.a

.PHONY: all deps unit test e2e sanitize valgrind format format-check clean \
        acceptance bench demo check tools bed-up bed-down bed-status fuzz \
        fuzz-build fuzz-short lint layering soak cluster cluster-up cluster-down

all: $(SERVER_BIN) $(AGENT_BIN) $(RECEIVER_BIN)

$(BUILD)/%.o: %.c VERSION
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/discovery/%.o: discovery/%.c VERSION
	@mkdir -p $(@D)
	$(CC) $(DISCOVERY_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c VERSION
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(TEST_CFLAGS) -c $< -o $@

$(LIB): $(DISCOVERY_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(SERVER_BIN): $(SERVER_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(SERVER_OBJ) $(LIB) $(PKG_LIBS) $(LDLIBS)

$(AGENT_BIN): $(AGENT_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(AGENT_OBJ) $(LIB) $(PKG_LIBS) $(LDLIBS)

$(RECEIVER_BIN): $(RECEIVER_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(RECEIVER_OBJ) $(LIB) $(PKG_LIBS) $(LDLIBS)

$(UNIT_BIN): $(UNIT_OBJ) $(SERVER_LIB_OBJ) $(AGENT_LIB_OBJ) $(RECEIVER_LIB_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(SERVER_LIB_OBJ) $(AGENT_LIB_OBJ) \
	  $(RECEIVER_LIB_OBJ) \
	  $(LIB) $(TEST_LIBS) $(PKG_LIBS) $(LDLIBS)

# Installs what the build and tests need, from Debian 12's packages only.
# Idempotent: apt-get is not run when everything is present.
DEB_PKGS := build-essential pkg-config libcurl4-openssl-dev libcjson-dev \
            libc-ares-dev check libsubunit-dev libmicrohttpd-dev clang-format \
            valgrind dnsmasq-base openssl iproute2 jq curl ca-certificates python3 \
            clang libclang-rt-14-dev shellcheck containerd runc \
            containernetworking-plugins debootstrap conntrack socat iptables
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' \
	  || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; \
	else echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi

# The unit tests need the built binaries (supervision tests exec helpers).
unit: all $(UNIT_BIN)
	$(UNIT_BIN)
	tests/readme-help --check
	tests/version-check

check: test

# Everything CI runs, from a fresh Debian 12 machine: packages, the cached
# tools (the lint's kubectl and helm, the real-cluster tier's binaries), the
# static checks, the unit suites (plain, ASan+UBSan, valgrind), a short pass
# of every fuzz harness, the bed suite, the real Kubernetes tier.
test:
	$(MAKE) deps
	$(MAKE) tools
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) sanitize
	$(MAKE) valgrind
	$(MAKE) fuzz-short
	$(MAKE) e2e
	$(MAKE) cluster

# The real-cluster tier: builds the cached tools (kube-apiserver, etcd,
# kubectl, dkron) when missing, brings the local cluster up per scenario and
# tears it down. Needs root (network namespaces).
e2e: all
	tests/e2e/run

# The real Kubernetes tier (root, Docker): one cluster of real components
# (kubelets on containerd, controllers, scheduler, kube-proxy, CoreDNS) and
# the project's image built from the Dockerfile; the staging overlay
# deployed and disrupted (rollouts, drain, kills, a node lost, scale, the
# acceptance sequence). Figures in build/cluster/results.txt.
cluster: all
	tests/cluster/run

cluster-up: all
	tests/cluster/cluster up

cluster-down:
	tests/cluster/cluster down --all

# The acceptance sequence on the bed (scenario 60; tests/acceptance/run for
# a real cluster): jobs counted by the webhook receiver through a rolling
# restart, a scale 3 → 5 → 3, a leader delete and the workers replaced.
# The report goes to build/acceptance/.
acceptance: all
	tests/e2e/run 60-acceptance

# The chaos soak on the bed (scenario 61, which `make e2e` runs for 2
# minutes): SOAK_MINUTES of seeded random faults (server SIGKILL, leader and
# follower deletes, API server stopped or frozen, a worker replaced, scale
# 3 -> 5 -> 3, all servers replaced) under an @every 1s job, with the
# invariants checked throughout. SOAK_SEED=N replays a run's schedule. The
# scenario's time bound grows with SOAK_MINUTES. Report in build/soak/.
SOAK_MINUTES ?= 30
soak: all
	SOAK_MINUTES=$(SOAK_MINUTES) E2E_SCENARIO_TIMEOUT=$$(( $(SOAK_MINUTES) * 60 + 900 )) \
	  tests/e2e/run 61-soak

tools:
	tests/bed/tools.sh

# The local demo; it installs and builds what is missing itself (root).
demo:
	demo/run $(if $(filter 1,$(KEEP)),--keep)

# Timing and footprint figures on the local cluster (root); results go to
# bench/results.md. Not part of `make test`: timing goals are measured, not
# asserted.
bench: all
	bench/run

bed-up: all
	tests/bed/bed up

bed-down:
	tests/bed/bed down

bed-status:
	tests/bed/bed status

sanitize:
	UNIT_TIME_SCALE=3 $(MAKE) BUILD=$(BUILD)/san OPT="-O1 -g -fno-omit-frame-pointer" \
	  HARDEN= SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  unit

# CK_FORK=no so valgrind follows the tests themselves; timeouts are
# stretched because valgrind is ~20x slower.
VALGRIND := valgrind --quiet --error-exitcode=3 --leak-check=full \
  --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible \
  --suppressions=tests/valgrind.supp --track-fds=no
valgrind: all $(UNIT_BIN)
	CK_FORK=no CK_TIMEOUT_MULTIPLIER=20 UNIT_TIME_SCALE=10 $(VALGRIND) $(UNIT_BIN)

# libFuzzer harnesses (tests/fuzz/README.md), built with clang into
# $(FUZZ_BUILD), apart from the normal build. Each runs for FUZZ_SECONDS on
# a scratch corpus ($(FUZZ_BUILD)/corpus/<name>, kept between runs) seeded
# from tests/fuzz/corpus/<name>; a crash is saved as
# tests/fuzz/crashes/<name>-crash-<sha1> and fails the run.
FUZZ_CC ?= clang
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SHORT_SECONDS ?= 6
FUZZ_OPTS ?=
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = $(STD) $(WARN) -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
              -fsanitize=fuzzer-no-link $(PKG_CFLAGS) $(CFLAGS)
FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,%,$(filter-out \
                    tests/fuzz/common.c,$(sort $(wildcard tests/fuzz/*.c))))
# The code under test: discovery and the two programs' config loaders.
FUZZ_LIB := $(FUZZ_BUILD)/libfuzztarget.a
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(DISCOVERY_SRC) \
                  server-wrapper/wrapper_config.c \
                  server-wrapper/shutdown_policy.c server-wrapper/server_argv.c \
                  agent/launcher_config.c \
                  agent/agent_argv.c)
FUZZ_BINS := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_HARNESSES))

$(FUZZ_BUILD)/%.o: %.c VERSION
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CPPFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/discovery/%.o: discovery/%.c VERSION
	@mkdir -p $(@D)
	$(FUZZ_CC) $(DISCOVERY_CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	$(AR) rcs $@ $^

$(FUZZ_BINS): $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/tests/fuzz/%.o \
               $(FUZZ_BUILD)/tests/fuzz/common.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ \
	  $(PKG_LIBS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# Runs every harness (even after a failure) and fails if any failed.
fuzz: fuzz-build
	@mkdir -p tests/fuzz/crashes; failed=; \
	for h in $(FUZZ_HARNESSES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$h; log=$(FUZZ_BUILD)/$$h.log; \
	  if $(FUZZ_BUILD)/$$h -max_total_time=$(FUZZ_SECONDS) \
	      -print_final_stats=1 -artifact_prefix=tests/fuzz/crashes/$$h- \
	      $(FUZZ_OPTS) $(FUZZ_BUILD)/corpus/$$h tests/fuzz/corpus/$$h \
	      >$$log 2>&1; then \
	    echo "fuzz: $$h: ok, $$(sed -n \
	      's/^stat::number_of_executed_units: *//p' $$log) runs, $$(sed -n \
	      's/^stat::average_exec_per_sec: *//p' $$log)/s ($$log)"; \
	  else \
	    tail -n 60 $$log; \
	    saved=$$(sed -n 's/.*Test unit written to \(.*\)$$/\1/p' $$log); \
	    echo "fuzz: $$h FAILED: input saved as $${saved:-(none, see $$log)}"; \
	    echo "fuzz: replay with: $(FUZZ_BUILD)/$$h $${saved:-<input>}"; \
	    failed="$$failed $$h"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed"; exit 1; fi

fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SHORT_SECONDS)

C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || \
            find discovery server-wrapper agent webhook-receiver tests -name '*.[ch]')
format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run --Werror $(C_FILES)

# kubectl and helm come from the tool cache (tests/bed/tools-env.sh; `make
# tools` fills it, and `make test` runs it first), else from PATH. The shell
# scripts are the tracked *.sh files and the extensionless ones with a sh or
# bash #! line, under tests/, bench/, demo/ and .ci/ (fuzz corpora aside).
LINT_DIRS := tests bench demo .ci
TOOLS_BIN = $(shell bash -c '. tests/bed/tools-env.sh && echo "$$DKRON_TOOLS_BIN"' 2>/dev/null)
lint: format-check layering
	@scripts=$$( (git ls-files $(LINT_DIRS) 2>/dev/null || \
	    find $(LINT_DIRS) -type f) | while read -r f; do \
	  case $$f in \
	    */corpus/*) ;; \
	    *.sh) echo "$$f" ;; \
	    */*.*) ;; \
	    *) head -n 1 "$$f" | grep -Eq '^#!.*(/|env )(ba)?sh\b' && echo "$$f" ;; \
	  esac; done); \
	echo "shellcheck -x: $$(echo $$scripts | wc -w) scripts"; \
	shellcheck -x $$scripts
	@for t in kubectl helm; do \
	  PATH="$(TOOLS_BIN):$$PATH" command -v $$t >/dev/null || { \
	    echo "lint: no $$t in the tool cache ($(TOOLS_BIN)) nor in PATH;" \
	      "make tools builds it"; exit 1; }; \
	done
	@for d in kustomize/base kustomize/overlays/*/; do \
	  echo "kubectl kustomize $$d"; \
	  PATH="$(TOOLS_BIN):$$PATH" kubectl kustomize "$$d" >/dev/null || exit 1; \
	done
	PATH="$(TOOLS_BIN):$$PATH" helm lint --strict charts/dkron-k8s

# The layering by name as well as by include path: every header a
# discovery/ file includes in quotes is one of discovery/'s own, named
# without a directory (a relative path such as "../agent/rejoin.h" would
# get around -Idiscovery), and none it includes in <> is a program's.
PROGRAM_DIRS := server-wrapper agent webhook-receiver tests
layering:
	@bad=$$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' \
	    discovery/*.c discovery/*.h | sort -u | while read -r inc; do \
	  h=$${inc#?}; h=$${h%?}; \
	  case $$inc in \
	    \"*) case $$h in */*) echo "$$inc" ;; \
	          *) [ -f "discovery/$$h" ] || echo "$$inc" ;; esac ;; \
	    *) [ -z "$$(find $(PROGRAM_DIRS) -name "$${h##*/}" -print -quit)" ] || \
	         echo "$$inc" ;; \
	  esac; done); \
	if [ -n "$$bad" ]; then \
	  for inc in $$bad; do grep -Hn "include[[:space:]]*$$inc" discovery/*.[ch]; done; \
	  echo "layering: discovery/ must include only its own headers (above)"; \
	  exit 1; \
	fi; echo "layering: discovery/ includes only its own headers"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
