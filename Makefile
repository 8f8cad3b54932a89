# Portique — developer and operator entry points. See README.md.
#   make run            build the front-end, start the demo site on http://127.0.0.1:8080
#   make test           the whole suite (front-end build, go vet, go test ./...) on SQLite
#   make test-postgres  the same on PostgreSQL ($(PG_URL))
#   make bench          load benchmark of the real server (figures in README.md)
#   make build          static binary ./portique (CGO_ENABLED=0, version stamped)
#   make screenshots    retakes docs/img from the demo site in Chromium
#   make cross          release binaries for linux, windows and macOS in dist/

GO      ?= go
NPM     ?= npm
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X portique/internal/app.Version=$(VERSION)
PG_URL  ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# Extra flags for go test, e.g. make test TESTFLAGS='-run Browser -v'.
TESTFLAGS ?=

.PHONY: run test test-postgres test-all vet frontend build cross bench screenshots clean

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

# Release binaries in dist/, one per platform, no C toolchain needed:
# dist/portique-linux-amd64, -linux-arm64, -windows-amd64.exe, -darwin-arm64.
PLATFORMS := linux/amd64 linux/arm64 windows/amd64 darwin/arm64
cross: frontend
	@mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		out=dist/portique-$$os-$$arch$$ext; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$out ./cmd/portique; \
		echo "  $$out"; \
	done

# Retakes the screenshots of docs/img from the demo site (a browser test).
screenshots: frontend
	PORTIQUE_SCREENSHOTS=1 $(GO) test -count=1 -run TestScreenshots ./internal/browsertest

bench: build
	$(GO) run ./cmd/portique-bench -bin ./portique

clean:
	rm -rf portique dist internal/web/static/dist
