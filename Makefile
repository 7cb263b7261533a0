# canonic: mapping compiler + backfill runtime. `make help` lists targets.
SHELL := /bin/bash
GO ?= go
export CGO_ENABLED ?= 0

.PHONY: help generate check-generated build lambda rie test test-short chdb clickhouse demo bench fuzz clean

# Project-local tools (the Lambda Runtime Interface Emulator).
TOOLS_BIN := $(CURDIR)/.cache/bin
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
# ARCH selects the Lambda packages' architecture: amd64 (x86_64) or arm64.
ARCH ?= amd64

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

generate: ## regenerate generated/ and cmd/backfill-*/ from mappings/
	$(GO) generate ./...

check-generated: ## fail when generated code differs from what the mappings compile to
	$(GO) run ./cmd/canonic check
	$(GO) generate ./...
	@.ci/check-clean generated cmd mappings

build: ## build every command into bin/
	$(GO) build -o bin/ ./cmd/...

lambda: ## write dist/lambda/backfill-<service>-<table>.zip per table: the provided.al2023 bootstrap (ARCH=arm64 for Graviton)
	$(GO) run ./internal/tools/lambdazip --arch $(ARCH) --out dist/lambda

rie: ## install the AWS Lambda Runtime Interface Emulator into .cache/bin (the Lambda tests run it)
	@test -x $(TOOLS_BIN)/aws-lambda-rie || GOBIN=$(TOOLS_BIN) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

chdb: ## fetch the embedded ClickHouse engine (libchdb.so) into the user cache
	@internal/chdb/fetch-chdb.sh

clickhouse: ## install Debian's clickhouse-server (18.16) and zookeeper (3.8) when missing; tests start their own instances
	@internal/testenv/install-clickhouse.sh

test: chdb clickhouse rie ## run every test, with the embedded engine, a private clickhouse-server and the Lambda emulator
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

test-short: ## unit tests only (no engines needed)
	$(GO) test -short ./...

demo: chdb generate build ## backfill 5000 tickets from the loopback ConnectWise-compatible server into the embedded engine
	@internal/demo/demo.sh

# Each fuzz target runs a fixed number of inputs, so CI time does not depend
# on the machine's load (and the seed corpus always runs in `make test`).
FUZZ_N ?= 1000
fuzz: chdb ## run every fuzz target for FUZZ_N inputs
	$(GO) test -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZ_N)x ./gen/compiler
	$(GO) test -run '^$$' -fuzz '^FuzzQuoteString$$' -fuzztime $(FUZZ_N)x ./internal/chschema
	$(GO) test -run '^$$' -fuzz '^FuzzTicketDecode$$' -fuzztime $(FUZZ_N)x ./internal/samples
	$(GO) test -run '^$$' -fuzz '^FuzzConditionString$$' -fuzztime $(FUZZ_N)x ./internal/connectwise
	$(GO) test -run '^$$' -fuzz '^FuzzSplitRecords$$' -fuzztime $(FUZZ_N)x ./internal/connectwise
	$(GO) test -run '^$$' -fuzz '^FuzzSplitValidated$$' -fuzztime $(FUZZ_N)x ./internal/connectwise
	$(GO) test -run '^$$' -fuzz '^FuzzFastDecodeTickets$$' -fuzztime $(FUZZ_N)x ./internal/tables

bench: chdb clickhouse ## benchmarks and their ratios (see README: Performance); end to end and memory at 100k and 1M tickets, both engines; one package at a time, so no two benchmarks share the cores (tens of minutes)
	@uptime
	CANONIC_BENCH_N=100000,1000000 CANONIC_BENCH_MEM=1 CANONIC_BENCH_MEM_SIZES=100000,1000000 $(GO) test -p 1 -run '^$$' -bench . -benchmem -timeout 90m ./...
	@uptime

clean:
	rm -rf bin data rejects dist
