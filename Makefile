# Switchboard: `make run` serves the demo, `make test` runs every test.
# Both install what is missing (PostgreSQL, Chromium) on Debian/Ubuntu.
SHELL := /bin/bash
GO ?= go
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench bench-go generate check-generated check-tidy check-fmt staticcheck deps-pg deps-chromium vet

run: deps-pg
	$(GO) run ./cmd/switchboard demo

test: deps-pg deps-chromium check-generated check-tidy check-fmt vet staticcheck
	$(GO) test -count=1 -timeout 25m ./...

# The performance table (issue 8) on a throwaway cluster: the app as its own
# process, real webhooks and SSE streams over HTTP, every ceiling (pgbench,
# a bare net/http SSE server) measured in the same run. BENCH_FLAGS: see
# `switchboard bench -h`.
BENCH_BIN := $(shell mktemp -u /tmp/switchboard-bench.XXXXXX)
bench: deps-pg
	$(GO) build -o $(BENCH_BIN) ./cmd/switchboard
	$(BENCH_BIN) bench $(BENCH_FLAGS); rc=$$?; rm -f $(BENCH_BIN); exit $$rc

# The Go benchmarks (hot paths of db and inbox).
bench-go: deps-pg
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

vet:
	$(GO) vet ./...

# staticcheck is pinned in go.mod as a tool, like templ.
staticcheck:
	$(GO) tool staticcheck ./...

# go.mod and go.sum must be what `go mod tidy` makes of them.
check-tidy:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result"; exit 1; }

check-fmt:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "$$out"; echo "not gofmt-ed: run 'gofmt -w' on the files above"; exit 1; fi

generate:
	$(GO) tool templ generate

# The generated templ code is committed; a stale copy fails the run.
check-generated:
	@$(GO) tool templ generate >/dev/null
	@if [ -n "$$(git status --porcelain -- '*_templ.go')" ]; then \
		git status --porcelain -- '*_templ.go'; \
		echo "generated templ code is stale: run 'make generate' and commit the result"; exit 1; fi

# PostgreSQL server binaries (initdb, postgres); the app runs its own cluster.
deps-pg:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -x "$$(pg_config --bindir 2>/dev/null)/initdb" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null; then \
		echo "installing PostgreSQL: $(SUDO) apt-get install -y postgresql"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL is missing: install its server package (Debian/Ubuntu: sudo apt-get install -y postgresql), or set DATABASE_URL"; exit 1; \
	fi

# Headless Chromium for the browser tests (chromedp drives it directly).
deps-chromium:
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; then exit 0; fi; \
	if command -v apt-get >/dev/null; then \
		echo "installing Chromium: $(SUDO) apt-get install -y chromium"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is missing: install it (Debian/Ubuntu: sudo apt-get install -y chromium)"; exit 1; \
	fi
