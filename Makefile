# tunekit — the two commands a newcomer needs are `make test` and
# `go run ./examples/fullbot`. `make check` validates a release.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
MIN_COVERAGE ?= 80

.PHONY: test check bench tools fmt vet tidy staticcheck cover

## test: every test, with the race detector, against a real redis-server.
test: tools
	TUNEKIT_REQUIRE_REDIS=1 $(GO) test -race -count=1 ./...

## check: formatting, vet, tidy modules, staticcheck and coverage.
check: fmt vet tidy staticcheck cover

## bench: every benchmark, with allocations.
bench: tools
	$(GO) test -run '^$$' -bench . -benchmem ./...

## tools: make sure the servers the tests run against are installed.
tools:
	@scripts/need.sh redis-server redis-server

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

cover: tools
	TUNEKIT_REQUIRE_REDIS=1 MIN_COVERAGE=$(MIN_COVERAGE) scripts/coverage.sh
