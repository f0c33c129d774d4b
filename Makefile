# agentchain: `make start` runs a local devnet, `make test` runs every test.
# `make help` lists the targets.

BINDIR      ?= $(CURDIR)/build
BIN         := $(BINDIR)/agentchaind
TOOLS_BIN   := $(CURDIR)/tools/bin
GO          ?= go
VALIDATORS  ?= 4
export GOTOOLCHAIN ?= local
SHELL       := /bin/bash

VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS     := -X github.com/cosmos/cosmos-sdk/version.Name=agentchain \
               -X github.com/cosmos/cosmos-sdk/version.AppName=agentchaind \
               -X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
               -X github.com/cosmos/cosmos-sdk/version.Commit=$(COMMIT)

# Rebuild the binary whenever a Go source, go.mod or go.sum changes, or an
# asset the binary embeds (the dashboard's pages).
GO_SOURCES := $(shell find . -name '*.go' -not -path './tools/*' -not -path './third_party/*' -not -name '*_test.go') go.mod go.sum Makefile \
              $(wildcard internal/dashboard/static/*)

.DEFAULT_GOAL := help

## help: list the targets
help:
	@echo "agentchain make targets:"
	@awk '/^## /{sub(/^## /,""); i=index($$0,": "); printf "  %-16s %s\n", substr($$0,1,i-1), substr($$0,i+2)}' $(MAKEFILE_LIST)

## build: build agentchaind into build/
build: $(BIN)

$(BIN): $(GO_SOURCES)
	@mkdir -p $(BINDIR)
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/agentchaind

# The release before the v2 upgrade, for rehearsing it (TestGovernedUpgrade).
BIN_V1 := $(BINDIR)/agentchaind-v1

$(BIN_V1): $(GO_SOURCES)
	@mkdir -p $(BINDIR)
	$(GO) build -tags agentchain_v1 -ldflags '$(LDFLAGS)' -o $(BIN_V1) ./cmd/agentchaind

# The node with libsecp256k1 (cgo) verifying signatures, for the
# mixed-build test (TestMixedBuildsVerifySignaturesAlike).
BIN_CGO := $(BINDIR)/agentchaind-cgo

$(BIN_CGO): $(GO_SOURCES)
	@mkdir -p $(BINDIR)
	CGO_ENABLED=1 $(GO) build -tags libsecp256k1_sdk -ldflags '$(LDFLAGS) -X github.com/cosmos/cosmos-sdk/version.BuildTags=libsecp256k1_sdk' -o $(BIN_CGO) ./cmd/agentchaind

## install: install agentchaind into $GOPATH/bin
install:
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/agentchaind

## start: run a single-validator devnet from config.yml in the foreground (RESET=1 starts over)
start: $(BIN)
	@BIN=$(BIN) RESET=$(RESET) bash scripts/start.sh

## dashboard: serve the read-only web dashboard of the make start devnet on http://127.0.0.1:8090 (DASHBOARD_FLAGS for more)
dashboard: $(BIN)
	$(BIN) dashboard --node-rest http://127.0.0.1:$${API_PORT:-1317} --node-rpc http://127.0.0.1:$${RPC_PORT:-26657} $(DASHBOARD_FLAGS)

## localnet: run VALIDATORS (default 4) validators on 127.0.0.1 in the background (RESET=1 starts over)
localnet: $(BIN)
	@BIN=$(BIN) VALIDATORS=$(VALIDATORS) RESET=$(RESET) bash scripts/localnet.sh start

## localnet-stop: stop the localnet's nodes
localnet-stop:
	@BIN=$(BIN) bash scripts/localnet.sh stop

## localnet-status: print the height and app hash of every localnet node
localnet-status: $(BIN)
	@BIN=$(BIN) bash scripts/localnet.sh status

AGENT_BINS := $(BINDIR)/summarizer $(BINDIR)/researcher $(BINDIR)/report-writer $(BINDIR)/agent-demo

## agents: build the example agents (summarizer, researcher, report-writer) and the demo into build/
agents: $(AGENT_BINS)

$(AGENT_BINS): $(GO_SOURCES)
	@mkdir -p $(BINDIR)
	$(GO) build -o $(BINDIR)/ ./examples/summarizer ./examples/researcher ./examples/report-writer ./examples/agent-demo

## demo: run the example agents on the make start devnet (or a throwaway one) and tell the story
demo: $(BIN) $(AGENT_BINS)
	@BIN=$(BIN) BINDIR=$(BINDIR) bash scripts/demo.sh

## test: run every test: unit, integration, a benchmark smoke run, then e2e on real nodes
test: test-unit test-ts fuzz-smoke bench-smoke test-e2e

## test-ts: the TypeScript client (ts/, @agentchain/client): build it and run its tests
test-ts:
	cd ts && npm ci --no-audit --no-fund && npm test

## test-unit: unit and integration tests (in-process app, no network)
test-unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -e /tests/e2e -e /tests/bench)

## test-e2e: end-to-end tests on real agentchaind processes on 127.0.0.1 (sequential)
test-e2e: $(BIN) $(BIN_V1) $(BIN_CGO) $(AGENT_BINS)
	AGENTCHAIND_BIN=$(BIN) AGENTCHAIND_V1_BIN=$(BIN_V1) AGENTCHAIND_CGO_BIN=$(BIN_CGO) AGENT_BIN_DIR=$(BINDIR) $(GO) test -count=1 -p 1 -timeout 25m ./tests/e2e/... -v -run '$(RUN)' 2>&1 | \
		grep -v -e '^=== \(RUN\|PAUSE\|CONT\)' ; exit $${PIPESTATUS[0]}

## test-faults: the full fault matrix (kill, pause, two down, late node, state sync, restart all) and the governed upgrade, on 4 validators
test-faults: $(BIN) $(BIN_V1)
	AGENTCHAIN_FAULTS=all AGENTCHAIND_BIN=$(BIN) AGENTCHAIND_V1_BIN=$(BIN_V1) $(GO) test -count=1 -p 1 -timeout 40m ./tests/e2e/ -v \
		-run 'TestFaultMatrix|TestGovernedUpgrade' 2>&1 | grep -v -e '^=== \(RUN\|PAUSE\|CONT\)' ; exit $${PIPESTATUS[0]}

## loadtest: node-level load at rising rates on a 1- and a 4-validator localnet (sends, job lifecycles, mixed): included tx/s, latency percentiles, block time, mempool, CPU and RSS per node, saturation (LOAD_STEP, LOAD_VALIDATORS, LOAD_SEND_RATES, LOAD_HIRE_RATES, LOAD_MIX_RATES, LOAD_BLOCK_TIME)
loadtest: $(BIN)
	AGENTCHAIN_LOAD=full AGENTCHAIND_BIN=$(BIN) $(GO) test -count=1 -p 1 -timeout 90m ./tests/e2e/ -run 'TestNodeLoad$$' -v 2>&1 | \
		grep -v -e '^=== \(RUN\|PAUSE\|CONT\)' ; exit $${PIPESTATUS[0]}

## loadtest-clients: agentkit's client modes on one node, 10^5 txs each (polling as agentkit did, agentkit's defaults): node CPU per tx by part (LOAD_TXS, LOAD_WINDOW, LOAD_MODES, LOAD_PROFILE_DIR, LOAD_INDEXER, LOAD_IAVL_CACHE)
loadtest-clients: $(BIN)
	AGENTCHAIN_LOAD=full AGENTCHAIND_BIN=$(BIN) $(GO) test -count=1 -p 1 -timeout 90m ./tests/e2e/ -run 'TestLoad$$' -v 2>&1 | \
		grep -v -e '^=== \(RUN\|PAUSE\|CONT\)' ; exit $${PIPESTATUS[0]}

SIM_SEEDS  ?= 1,2,4,7,9
SIM_BLOCKS ?= 500
SIM_SIZE   ?= 200

## sim: long simulations: SIM_BLOCKS (500) blocks of SIM_SIZE (200) operations, seeds SIM_SEEDS (5), invariants after every block (minutes)
sim:
	$(GO) test -count=1 -timeout 180m ./tests/sims -run 'TestFullAppSimulation' -v \
		-NumBlocks=$(SIM_BLOCKS) -BlockSize=$(SIM_SIZE) -Seeds=$(SIM_SEEDS) 2>&1 | \
		grep -v -e '^=== \(RUN\|PAUSE\|CONT\)' -e 'INF ' ; exit $${PIPESTATUS[0]}

# The fuzz targets, as package:Target.
FUZZ_TARGETS := \
	./tests/fuzz:FuzzDecodeTx ./tests/fuzz:FuzzDecodeJSON ./tests/fuzz:FuzzMsgHandlers \
	./x/agentid/types:FuzzKeyProof ./x/agentid/types:FuzzSpendBucket ./x/agentid/types:FuzzAgentFields \
	./x/escrow/types:FuzzSplitShare ./x/market/types:FuzzSplitDispute ./x/market/types:FuzzBuildMilestones \
	./x/reputation/types:FuzzScore ./internal/collidx:FuzzPageRange
FUZZTIME ?= 60s

## fuzz: run every fuzz target for FUZZTIME (60s) each; a crash is saved under the package's testdata/fuzz
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; done

## fuzz-smoke: every fuzz target for 300 executions (part of make test; the seed corpora also run in test-unit)
# A count, not a duration: with a wall-clock -fuzztime, Go 1.26's fuzz coordinator can report
# "context deadline exceeded" as a failure at the deadline on a busy machine (golang/go#75804,
# fixed in Go 1.27), with no failing input.
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$${FUZZTIME_SMOKE:-300x}

## bench: benchmark table: custom messages against bank send, as ratios (takes minutes)
bench:
	$(GO) test -count=1 -timeout 90m -run 'TestBenchTable|TestStateBytesPerSettledJob|TestStateWritesPerTx' ./tests/bench -v -args -bench.full

## bench-smoke: one short iteration of every benchmark row (part of make test)
bench-smoke:
	$(GO) test -count=1 -timeout 10m -run 'TestBenchTable|TestStateBytesPerSettledJob|TestStateWritesPerTx' ./tests/bench

## lint: golangci-lint (with gofumpt) on the whole module
lint: $(TOOLS_BIN)/golangci-lint
	$(TOOLS_BIN)/golangci-lint run ./...

## proto-gen: regenerate every *.pb.go and *.pb.gw.go from proto/ (offline)
proto-gen: $(TOOLS_BIN)/buf
	PATH=$(TOOLS_BIN):$$PATH bash scripts/protocgen.sh

## proto-check: fail if the committed generated code differs from a fresh generation
proto-check: $(TOOLS_BIN)/buf
	PATH=$(TOOLS_BIN):$$PATH bash scripts/protocgen.sh --check

## tools: install the pinned tools (buf, protoc plugins, golangci-lint) into tools/bin
tools: $(TOOLS_BIN)/buf $(TOOLS_BIN)/golangci-lint

$(TOOLS_BIN)/buf $(TOOLS_BIN)/golangci-lint: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(TOOLS_BIN) $(GO) install tool
	@touch $(TOOLS_BIN)/*

## clean: remove build outputs (not the devnet: make start RESET=1 does that)
clean:
	rm -rf $(BINDIR)

.PHONY: loadtest loadtest-clients help build install start dashboard localnet localnet-stop localnet-status agents demo test test-unit test-ts test-e2e sim fuzz fuzz-smoke bench bench-smoke lint proto-gen proto-check tools clean
