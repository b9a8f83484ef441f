# tunekit — the two commands a newcomer needs are `make test` and
# `go run ./examples/fullbot`. `make check` validates a release.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
MIN_COVERAGE ?= 80

.PHONY: test check bench tools fmt vet tidy staticcheck cover secrets docs assets

# Tests that need a real redis-server or promtool fail instead of skipping.
REQUIRE := TUNEKIT_REQUIRE_REDIS=1 TUNEKIT_REQUIRE_PROMTOOL=1

## test: every test, with the race detector, against a real redis-server
## and promtool.
test: tools
	$(REQUIRE) $(GO) test -race -count=1 ./...

## check: the release validation: gofmt, vet, tidy and verified modules,
## staticcheck, no secrets in tracked files, doc.go and examples everywhere,
## the shipped alert rules and dashboard, race tests and per-package coverage,
## with a summary of what passed, warned and failed.
check: tools
	GO=$(GO) MIN_COVERAGE=$(MIN_COVERAGE) scripts/check.sh

## bench: every benchmark, with allocations.
bench: tools
	$(GO) test -run '^$$' -bench . -benchmem ./...

## tools: make sure the programs the tests run against are installed.
tools:
	@scripts/need.sh redis-server redis-server
	@scripts/need.sh promtool prometheus

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi; \
	echo "ok   gofmt"

vet:
	$(GO) vet ./...

tidy:
	$(GO) mod tidy -diff
	$(GO) mod verify

staticcheck:
	$(STATICCHECK) ./...

## secrets: no credentials in tracked files; test values must look fake.
secrets:
	$(GO) run ./internal/cmd/secretscan

## docs: doc.go and a runnable example per package, a doc comment per
## exported name.
docs:
	$(GO) run ./internal/cmd/doccheck

## assets: deploy/prometheus/alerts.yml is current and passes promtool
## check/test rules; the Grafana dashboard reads only series tunekit exports.
assets: tools
	$(REQUIRE) $(GO) test -count=1 ./deploy/ ./internal/cmd/genrules/

## cover: the per-package coverage table alone.
cover: tools
	$(REQUIRE) GO=$(GO) MIN_COVERAGE=$(MIN_COVERAGE) scripts/coverage.sh
