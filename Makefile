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

.PHONY: help setup deps debian go-tools lint typecheck test test-unit test-integration env crds base-image app-images bench bench-image

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: deps debian go-tools ## install everything the tests need (idempotent)

deps: node_modules/.package-lock.json ## npm dependencies from the lockfile

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

debian: ## Debian packages: docker-registry, containerd, runc, htpasswd, busybox-static
	scripts/setup-debian.sh

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
	node libs/testenv/src/cli.ts

crds: deps ## regenerate deploy/crds from libs/crd-types
	node libs/crd-types/src/cli/write-crds.ts

BASE_IMAGE_REPOSITORY ?= 127.0.0.1:5000/fireworkers/workerd-runtime

base-image: deps ## build the runtime base image (workerd + glibc + CA certs) and push it to $BASE_IMAGE_REPOSITORY; prints and writes dist/base-image.ref
	@mkdir -p dist
	BASE_IMAGE_REPOSITORY=$(BASE_IMAGE_REPOSITORY) BASE_IMAGE_REF_FILE=dist/base-image.ref node apps/job-builder/src/cli/push-base-image.ts

APP_IMAGE_REPOSITORY_PREFIX ?= 127.0.0.1:5000/fireworkers

app-images: deps ## the apps' images without Docker: a Node base from real packages + one layer per app, pushed to $APP_IMAGE_REPOSITORY_PREFIX
	APP_IMAGE_REPOSITORY_PREFIX=$(APP_IMAGE_REPOSITORY_PREFIX) NODE_PACKAGE_DIR="$$(scripts/ensure-node.sh --npm)/.." node apps/job-builder/src/cli/push-app-images.ts

bench: bench-image ## every benchmark

bench-image: deps ## bundle image assemble + push vs buildah from an equivalent Dockerfile, same base (prints the ratio)
	scripts/setup-debian.sh --bench
	node bench/image-build.bench.ts
