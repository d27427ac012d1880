# Hakoniwa: two commands do everything on a fresh machine.
#   make play   install what is missing, build, serve on http://127.0.0.1:$(PORT)
#   make test   install what is missing, run every test layer
# Everything is idempotent: a second run only checks versions and rebuilds what changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8080
TRUNK_VERSION := 0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or the generated JS breaks.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3 }' Cargo.lock)
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help play build test test-native test-wasm test-e2e size screenshots tools tools-build tools-browser clean schema split-profile

help:
	@echo "make play    build and serve Hakoniwa on http://127.0.0.1:$(PORT) (PORT= to change)"
	@echo "make test    run every test layer (native, wasm in Chromium, end-to-end in Chromium)"
	@echo "make size    print the gzip size of the built wasm, js and css"
	@echo "make bench   speed and size figures, native and in Chromium (bench <name> <value> <unit>)"
	@echo "make build   build the site into dist/ (release)"
	@echo "make split-profile  rewrite app/split-profile.txt (what the wasm's first part keeps)"
	@echo "make screenshots  the main states of the playground as PNGs in screenshots/"

# ---------------------------------------------------------------------------------------------
# Tools. Each step checks first and installs only what is missing or at the wrong version.

tools-build:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if [ "$$(trunk --version 2>/dev/null)" != "trunk $(TRUNK_VERSION)" ]; then \
	  echo ">> installing trunk $(TRUNK_VERSION) (about 15 minutes on 2 cores)"; \
	  cargo install trunk --version $(TRUNK_VERSION) --locked; \
	fi
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo ">> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 15 minutes on 2 cores)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --locked --force \
	    || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@if [ ! -x node_modules/.bin/wasm-opt ] || [ package.json -nt node_modules/.stamp ]; then \
	  npm ci --no-audit --no-fund && touch node_modules/.stamp; \
	fi

tools-browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo ">> installing Debian's chromium and chromium-driver"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; \
	fi

tools: tools-build tools-browser

# ---------------------------------------------------------------------------------------------
# Build and serve.

build: tools-build
	trunk build --release

play: build
	trunk serve --release --port $(PORT) --address 127.0.0.1

size: build
	@scripts/size.sh dist

# The functions the first part of the wasm keeps (app/split-profile.txt): an instrumented build
# is driven through start and a beginner's first commands, then the site is built as usual.
# Run it when the e2e test on the split says the page started with a cold function.
split-profile: tools
	HAKONIWA_SPLIT=instrument trunk build --release
	node scripts/split-profile.mjs
	trunk build --release
	@scripts/size.sh dist

# The main states of the playground as PNG files in screenshots/, for review.
screenshots: tools build
	node tests/e2e/screenshots.mjs

# ---------------------------------------------------------------------------------------------
# Tests: native, then wasm in headless Chromium, then the built site end to end.

test: test-native test-wasm test-e2e

test-native:
	cargo test --workspace --exclude hakoniwa-app

test-wasm: tools
	cd app && CHROMEDRIVER=$$(command -v chromedriver) \
	  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test --target wasm32-unknown-unknown -p hakoniwa-app

test-e2e: tools build
	node --test --test-reporter=spec tests/e2e/

clean:
	rm -rf dist target node_modules

# ---------------------------------------------------------------------------------------------
# Benchmarks: one `bench <name> <value> <unit>` line per figure; nothing fails on time.

# Native figures first (cargo bench), then the built site's in Chromium and Webernetes' in Node
# (scripts/bench-browser.mjs). About 20 minutes on 2 cores; the 5,000-node run stops at its cap.
.PHONY: bench
bench: tools build
	cargo bench -q -p hakoniwa-core --bench apiserver
	cargo bench -q -p hakoniwa-core --bench workloads
	cargo bench -q -p hakoniwa-core --bench kubectl
	cargo bench -q -p hakoniwa-core --bench scheduler
	cargo bench -q -p hakoniwa-core --bench slices
	cargo bench -q -p hakoniwa-core --bench scale
	node scripts/bench-browser.mjs

# Ten minutes of random kubectl command lines against the emulator (make test runs 3,000).
.PHONY: fuzz-kubectl
fuzz-kubectl:
	HAKONIWA_KUBECTL_FUZZ_SECONDS=600 cargo test --release -p hakoniwa-core --test kubectl_no_panic -- --nocapture

# Regenerates core/data/schema from k8s-openapi (a separate crate, not part of the build), with
# protobuf field numbers and Go omitempty facts when PROTO_API, PROTO_APIMACHINERY (generated.proto
# trees) and GO_API, GO_APIMACHINERY (types.go trees) of kubernetes/api and kubernetes/apimachinery
# v0.33.1 are given, e.g. from `git archive v0.33.1` of each.
schema:
	cd tools/schemagen && cargo run --release -- ../../core/data/schema/v1.33.json $(PROTO_API) $(PROTO_APIMACHINERY) $(if $(GO_API),--go $(GO_API) $(GO_APIMACHINERY))
