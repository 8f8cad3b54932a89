# Portique — developer and operator entry points. See README.md.
#   make run            build the front-end, start the demo site on http://127.0.0.1:8080
#   make test           the whole suite (front-end build, go vet, go test ./...) on SQLite
#   make test-postgres  the same on PostgreSQL ($(PG_URL))
#   make bench          load benchmark of the real server (figures in README.md)
#   make build          static binary ./portique (CGO_ENABLED=0, version stamped)

GO      ?= go
NPM     ?= npm
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X portique/internal/app.Version=$(VERSION)
PG_URL  ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# Extra flags for go test, e.g. make test TESTFLAGS='-run Browser -v'.
TESTFLAGS ?=

.PHONY: run test test-postgres test-all vet frontend build cross bench clean

# node_modules is (re)installed only when missing or older than the lock file.
node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

frontend: node_modules/.package-lock.json
	$(NPM) run --silent build

run: frontend
	PORTIQUE_DEMO=1 PORTIQUE_ADDR=127.0.0.1:8080 PORTIQUE_DATA=./data $(GO) run ./cmd/portique serve --demo=true

vet:
	$(GO) vet ./...

# go test prints one summary line per package ("ok", "FAIL", "?"); the
# pipefail-free form keeps make's exit status = go test's.
test: frontend vet
	$(GO) test -count=1 -timeout 40m $(TESTFLAGS) ./...

test-postgres:
	PORTIQUE_TEST_POSTGRES='$(PG_URL)' $(MAKE) test

test-all: test test-postgres

build: frontend
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o portique ./cmd/portique

# Proves the binary needs no C toolchain on other platforms.
cross: frontend
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o /dev/null ./cmd/portique
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o /dev/null ./cmd/portique
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o /dev/null ./cmd/portique

bench: build
	$(GO) run ./cmd/portique-bench -bin ./portique

clean:
	rm -rf portique internal/web/static/dist
