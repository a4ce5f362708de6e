# skiff: a Kubernetes-compatible cluster in one binary.
#
#   make build    bin/skiff, with the version kubectl expects (v1.37.2-skiff.<commit>)
#   make run      build, then run `skiff server` with its defaults (data in ~/.skiff)
#   make test     unit + integration tests (in a network namespace), verify, e2e, then the real-node e2e
#   make verify   gofmt, go vet, generated code up to date
#   make e2e      only the end-to-end suite (hack/e2e/run.sh)
#   make e2e-runtime  the real-node suite on containerd (hack/e2e/runtime.sh; root)
#   make bench    the benchmarks in hack/bench (BENCH_CLUSTER_PHASES="scheduler deploy big" adds 5,000 nodes)
#   make codegen  regenerate generated code (hack/update-codegen.sh)
#   make kubectl  bin/kubectl from k8s.io/kubectl, for machines without /usr/bin/kubectl
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO ?= go
BIN := bin

# The Kubernetes release skiff's API follows; the skiff build is a pre-release of it, so that kubectl
# (which parses the server's gitVersion as semver) sees a well-formed v1.37.2-skiff.<commit>.
KUBE_VERSION := v1.37.2
KUBE_MAJOR := 1
KUBE_MINOR := 37
GIT_COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
# Semver forbids a numeric pre-release identifier with a leading zero (an all-digit short hash
# like 0123456), so an all-digit hash gets git describe's "g" in front.
GIT_SHORT := $(shell h=$$(git rev-parse --short=7 HEAD 2>/dev/null) && \
	{ [[ "$$h" =~ ^[0-9]+$$ ]] && echo "g$$h" || echo "$$h"; })
GIT_TREE_STATE := $(shell [ -z "$$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo clean || echo dirty)
VERSION ?= $(KUBE_VERSION)-skiff.$(or $(GIT_SHORT),dev)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)

VERSION_LDFLAGS := $(foreach pkg,k8s.io/component-base/version k8s.io/client-go/pkg/version, \
	-X $(pkg).gitVersion=$(VERSION) \
	-X $(pkg).gitMajor=$(KUBE_MAJOR) \
	-X $(pkg).gitMinor=$(KUBE_MINOR) \
	-X $(pkg).gitCommit=$(GIT_COMMIT) \
	-X $(pkg).gitTreeState=$(GIT_TREE_STATE) \
	-X $(pkg).buildDate=$(BUILD_DATE))
LDFLAGS ?= -s -w
# kubectl is upstream's code at the release skiff follows: it reports that release.
KUBECTL_LDFLAGS := $(foreach pkg,k8s.io/component-base/version k8s.io/client-go/pkg/version, \
	-X $(pkg).gitVersion=$(KUBE_VERSION) -X $(pkg).gitMajor=$(KUBE_MAJOR) -X $(pkg).gitMinor=$(KUBE_MINOR) \
	-X $(pkg).buildDate=$(BUILD_DATE))

# `make run`: skiff's own defaults; override as make run DATA_DIR=/tmp/skiff PORT=7443 ARGS=...
DATA_DIR ?= $(HOME)/.skiff
PORT ?= 6443
# Nodes are simulated until the node agent runs real containers.
SIMULATED_NODES ?= 1

# Tests of the server run in a network namespace (hack/netns-run.sh): only loopback, nothing
# leaves the machine. The namespace has no network, so modules are fetched and everything is
# compiled before entering it.
NETNS_RUN := hack/netns-run.sh
TEST_FLAGS ?= -timeout 30m
UNIT_PKGS = $(shell $(GO) list ./... | grep -v '/test/e2e')

.PHONY: build
build: ## Build bin/skiff.
	@echo "go build -o $(BIN)/skiff ./cmd/skiff  # $(VERSION), tree $(GIT_TREE_STATE)"
	@$(GO) build -ldflags '$(LDFLAGS) $(VERSION_LDFLAGS)' -o $(BIN)/skiff ./cmd/skiff

.PHONY: run
run: build ## Build and run `skiff server` (state in DATA_DIR, API on 127.0.0.1:PORT).
	@echo "Starting skiff; its admin kubeconfig is $(DATA_DIR)/admin.kubeconfig:"
	@echo "  export KUBECONFIG=$(DATA_DIR)/admin.kubeconfig; kubectl get namespaces"
	$(BIN)/skiff server --data-dir $(DATA_DIR) --secure-port $(PORT) --simulated-nodes $(SIMULATED_NODES) $(ARGS)

.PHONY: test
test: unit verify e2e e2e-runtime ## Unit and integration tests, verify, e2e, real-node e2e.

.PHONY: deps
deps: ## Download modules and compile every package and test, outside any network namespace.
	@# -exec /bin/true compiles the test binaries without running them: a TestMain that starts a
	@# server must only ever run inside the namespace.
	$(GO) mod download
	$(GO) test -count=1 -run '^$$' -exec /bin/true ./... >/dev/null

.PHONY: unit
unit: deps ## Unit and integration tests (go test ./..., without test/e2e) in a network namespace.
	$(NETNS_RUN) $(GO) test $(TEST_FLAGS) $(UNIT_PKGS)

.PHONY: verify
verify: ## gofmt, go vet and generated code.
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt wants changes in:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	hack/verify-codegen.sh

.PHONY: e2e
e2e: ## End-to-end tests of bin/skiff driven by kubectl.
	hack/e2e/run.sh

.PHONY: e2e-runtime
e2e-runtime: ## End-to-end tests of a real node on containerd, in a network namespace (root; skips without containerd).
	hack/e2e/runtime.sh

.PHONY: bench
bench: build ## Benchmarks: API server (hack/bench/run.sh), scheduler and control loop (hack/bench/cluster.sh), then a real node on containerd (hack/bench/node.sh; BENCH_NODE=0 skips it, default 1 where containerd is installed).
	hack/bench/run.sh
	hack/bench/cluster.sh $(BENCH_CLUSTER_PHASES)
	if [ "$(or $(BENCH_NODE),$$(command -v containerd >/dev/null 2>&1 && echo 1))" = 1 ]; then hack/bench/node.sh; fi

.PHONY: codegen
codegen: ## Regenerate generated code.
	hack/update-codegen.sh

.PHONY: kubectl
kubectl: ## bin/kubectl built from k8s.io/kubectl (its own module in hack/e2e/kubectl).
	cd hack/e2e/kubectl && $(GO) build -ldflags '$(LDFLAGS) $(KUBECTL_LDFLAGS)' -o $(CURDIR)/$(BIN)/kubectl .

.PHONY: clean
clean: ## Remove build output.
	rm -rf $(BIN) _output

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'
