# The two commands: `make run` and `make test`. Everything else is their parts.
GO        ?= go
ADDR      ?= 127.0.0.1:8080
DATA      ?= ./data
TESTFLAGS ?= -count=1 -timeout 30m
FUZZTIME  ?= 10s
export GLIMPSE_TESTDATA := $(CURDIR)/.cache

.PHONY: run test build deps-run deps-test testdata generate check-generated vet unit fuzz bench

run: deps-run build
	./bin/glimpse-web -addr $(ADDR) -data $(DATA)

test: deps-test testdata check-generated vet unit fuzz

build: generate
	$(GO) build -o bin/glimpse-web ./cmd/web
	$(GO) build -o bin/glimpse-engine ./cmd/engine

deps-run:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

testdata:
	@scripts/fetch-testdata.sh

generate:
	$(GO) tool templ generate

# CI fails when the committed templ output is stale.
check-generated: generate
	@git diff --exit-code --stat -- '*_templ.go' || (echo "templ output is stale: run 'go tool templ generate' and commit" >&2; exit 1)
	@test -z "$$(git ls-files --others --exclude-standard -- '*_templ.go')" || (echo "uncommitted *_templ.go files" >&2; exit 1)

vet:
	$(GO) vet ./...

unit:
	$(GO) test $(TESTFLAGS) ./...

# Each fuzz target runs briefly on top of its seed corpus.
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
