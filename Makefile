# Weibao: the two commands a newcomer needs are `make run` and `make test`.
# Everything else is here for developers. The real build is CMake + Ninja.

BUILD      ?= build
ASAN_BUILD ?= build-asan
DEMO_DB    ?= demo/weibao.db
DEMO_PASSWORD ?= Weibao-Demo-2026
PORT       ?= 8080
C_SOURCES  := $(shell find src tests/unit tests/fuzz -name '*.[ch]' 2>/dev/null)

.PHONY: all build run test unit api-test e2e asan asan-build bench format format-check lint web deps-run deps-test deps-bench clean

all: build

deps-run:
	@scripts/deps.sh run
deps-test:
	@scripts/deps.sh test
deps-bench:
	@scripts/deps.sh bench

web:
	@if [ -f web/package.json ]; then scripts/build-web.sh; fi

build: web
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@ninja -C $(BUILD)

# Build, create the demo county once, and serve it on 127.0.0.1:$(PORT).
run: deps-run build
	@mkdir -p $(dir $(DEMO_DB))
	@if [ ! -f $(DEMO_DB) ]; then \
		$(BUILD)/weibao demo --db sqlite:$(DEMO_DB) --password '$(DEMO_PASSWORD)'; fi
	@echo
	@echo "  Weibao is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Log in as center, station, supervisor, director, grid, department, org, school,"
	@echo "  committee, auditor or admin; every demo account's password is $(DEMO_PASSWORD)"
	@echo "  (synthetic demo data only). Stop with Ctrl-C."
	@echo
	@exec $(BUILD)/weibao serve --db sqlite:$(DEMO_DB) --port $(PORT)

# Every test: lint; the unit tests, plain and under AddressSanitizer +
# UndefinedBehaviorSanitizer; the API and contract suites on SQLite and
# PostgreSQL against the sanitizer build; the browser suite against the
# release build. Each suite runs once (scripts/run-tests.sh).
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
# the servers of the integration suites (without abort_on_error)
SAN_RUN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
test: deps-test build asan-build lint
	@ctest --test-dir $(BUILD) --output-on-failure
	@$(SAN_ENV) ctest --test-dir $(ASAN_BUILD) --output-on-failure
	@$(SAN_RUN_ENV) scripts/run-tests.sh $(BUILD)/weibao $(ASAN_BUILD)/weibao

asan-build: web
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWEIBAO_SANITIZE=ON >/dev/null
	@ninja -C $(ASAN_BUILD)

# The sanitizer half of `make test` alone: the unit tests and the API suite.
asan: deps-test asan-build
	@$(SAN_ENV) ctest --test-dir $(ASAN_BUILD) --output-on-failure
	@$(SAN_RUN_ENV) WEIBAO_SKIP_E2E=1 scripts/run-tests.sh $(ASAN_BUILD)/weibao

bench: deps-bench build
	@mkdir -p bench/results
	@if [ -x scripts/bench.sh ]; then scripts/bench.sh $(BUILD)/weibao; fi
	@bash -o pipefail -c 'bench/loop_bench.sh $(BUILD)/weibao | tee bench/results/loop-sqlite.txt'
	@bash -o pipefail -c 'bench/registry_bench.sh $(BUILD)/weibao | tee bench/results/registry-sqlite.txt'
	@bash -o pipefail -c 'bench/registry_bench.sh $(BUILD)/weibao pg | tee bench/results/registry-postgresql.txt'

format:
	@clang-format -i $(C_SOURCES)

format-check:
	@clang-format --dry-run --Werror $(C_SOURCES)

# Style and banned functions (ARCHITECTURE.md: strcpy strcat sprintf vsprintf gets atoi atol strtok).
lint: format-check
	@if grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\(' src tests/unit tests/fuzz \
		--include='*.c' --include='*.h' 2>/dev/null; then \
		echo "banned functions found (use bounded, checked forms)"; exit 1; fi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
