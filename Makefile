# fireworkers: the front door. `make test` sets everything up from nothing and runs every check.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Node >= 22.12 first on PATH: the machine's own when recent enough, else Node 22 fetched from the npm registry.
NODE_BIN := $(shell scripts/ensure-node.sh)
ifeq ($(NODE_BIN),)
$(error no Node >= 22.12 and could not fetch one; see the output of scripts/ensure-node.sh)
endif
export PATH := $(CURDIR)/node_modules/.bin:$(NODE_BIN):$(PATH)
export NX_DAEMON := false
export NX_NO_CLOUD := true
export WRANGLER_SEND_METRICS := false

.PHONY: help setup deps debian go-tools python lint typecheck test test-unit test-integration env crds api-token \
	base-image app-images bench bench-image bench-operator bench-upload bench-e2e bench-kv setup-cluster up up-cluster down cluster-status e2e \
	deploy undeploy

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: deps debian go-tools python ## install everything the tests need (idempotent)

deps: node_modules/.package-lock.json ## npm dependencies from the lockfile

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

debian: ## Debian packages: docker-registry, containerd, runc, htpasswd, busybox-static
	scripts/setup-debian.sh

python: ## schemathesis (the API fuzzer), pinned in tools/fuzz/requirements.txt, in a venv under the cache dir
	scripts/setup-python.sh >/dev/null

go-tools: ## etcd, kube-apiserver, kube-controller-manager, kubectl, versitygw from the Go module proxy (cached)
	scripts/go-tools.sh >/dev/null

lint: deps ## eslint, with Nx module boundaries enforced
	nx show projects >/dev/null
	eslint --max-warnings=0 .

typecheck: deps ## tsc --noEmit over the whole workspace
	tsc -p tsconfig.json

test-unit: deps ## pure logic, no processes
	vitest run --project unit

test-integration: setup ## against real kube-apiserver, S3, registry, containerd, workerd, wrangler
	vitest run --project integration

test: setup lint typecheck ## everything: setup, lint, typecheck, unit and integration tests
	vitest run

env: setup ## start the test environment for manual use; prints endpoints, credentials and a kubeconfig
	node tools/testenv/src/cli.ts

setup-cluster: deps ## what the single-node cluster needs: Debian packages (--cluster) and the node binaries (--node)
	scripts/setup-debian.sh --cluster
	scripts/go-tools.sh --node >/dev/null

up-cluster: setup-cluster ## start the single-node Kubernetes cluster (background); prints its kubeconfig
	node tools/cluster/src/cli.ts up

up: up-cluster ## the whole platform on the single-node cluster: images, deploy/local, account + token; prints the wrangler env
	node tools/cluster/src/platform/up.ts

OVERLAY ?= local
# The machine's kubectl if there is one, else the pinned one built by scripts/go-tools.sh.
KUBECTL ?= $$(command -v kubectl || echo "$$(scripts/go-tools.sh | sed -n 's/^K8S_BIN_DIR=//p')/kubectl")
deploy: deps ## kubectl apply -k deploy/$$OVERLAY (local|example) against the current kube context; undeploy removes it
	$(KUBECTL) apply --server-side --force-conflicts --field-manager=fireworkers-deploy -k deploy/$(OVERLAY)

undeploy: deps ## kubectl delete -k deploy/$$OVERLAY: everything make deploy created (workers included)
	$(KUBECTL) delete --ignore-not-found --wait=true -k deploy/$(OVERLAY)

down: deps ## stop the cluster and remove what it left on the host (pods, mounts, iptables, bridge); keeps its state
	node tools/cluster/src/cli.ts down

cluster-status: deps ## is the cluster running, and how to reach it
	node tools/cluster/src/cli.ts status

e2e: up ## end-to-end tests with the real wrangler against the platform on the single-node cluster (make up first, fast when up)
	FIREWORKERS_E2E=1 vitest run --project e2e

crds: deps ## regenerate deploy/crds from libs/crd-types
	node libs/crd-types/src/cli/write-crds.ts

bench: bench-upload bench-image bench-operator bench-e2e bench-kv ## every benchmark; each prints its figures and ratios

bench-upload: setup ## upload through fake-cf-api vs direct S3 (throughput ratio, API RSS growth)
	node bench/upload.bench.ts

bench-operator: setup ## operator: converge 100 accounts x 10 versions (time, apiserver requests per version)
	node bench/operator-converge.ts 100 10

bench-e2e: up ## on the make up platform: deploy-to-serving p50/p95 with its breakdown; wrk via the platform path vs bare workerd
	scripts/setup-debian.sh --bench
	node bench/e2e.bench.ts

bench-kv: up ## on the make up platform: env.KV.get (cached) vs a constant via wrk; uncached gateway GET vs direct S3 GET; kv bulk put 10k vs S3
	scripts/setup-debian.sh --bench
	node bench/kv.bench.ts

api-token: deps ## issue an API token: make api-token ACCOUNT=<id> [NAMESPACE=fireworkers] [CREATE_ACCOUNT=1]
	@test -n "$(ACCOUNT)" || { echo "usage: make api-token ACCOUNT=<account id> [NAMESPACE=ns] [CREATE_ACCOUNT=1]" >&2; exit 2; }
	node apps/fake-cf-api/src/cli/issue-token.ts --account "$(ACCOUNT)" $(if $(NAMESPACE),--namespace "$(NAMESPACE)") $(if $(CREATE_ACCOUNT),--create-account)

BASE_IMAGE_REPOSITORY ?= 127.0.0.1:5000/fireworkers/workerd-runtime

base-image: deps ## build the runtime base image (workerd + glibc + CA certs) and push it to $BASE_IMAGE_REPOSITORY; prints and writes dist/base-image.ref
	@mkdir -p dist
	BASE_IMAGE_REPOSITORY=$(BASE_IMAGE_REPOSITORY) BASE_IMAGE_REF_FILE=dist/base-image.ref node tools/images/src/cli/push-base-image.ts

APP_IMAGE_REPOSITORY_PREFIX ?= 127.0.0.1:5000/fireworkers

app-images: deps ## the apps' images without Docker: a Node base from real packages + one layer per app, pushed to $APP_IMAGE_REPOSITORY_PREFIX
	APP_IMAGE_REPOSITORY_PREFIX=$(APP_IMAGE_REPOSITORY_PREFIX) NODE_PACKAGE_DIR="$$(scripts/ensure-node.sh --npm)/.." node tools/images/src/cli/push-app-images.ts

bench-image: deps ## bundle image assemble + push vs buildah from an equivalent Dockerfile, same base (prints the ratio)
	scripts/setup-debian.sh --bench
	node bench/image-build.bench.ts
