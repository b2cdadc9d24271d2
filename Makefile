# libjourney: `make demo` runs the bike delivery, `make test` runs every test, `make bench` the benchmarks.
# Each target installs what it needs by itself.

SHELL := /bin/bash
CARGO ?= cargo
CC ?= gcc
CXX ?= g++
PREFIX ?= /usr/local
CFLAGS_STRICT := -std=c11 -Wall -Wextra -Werror -g -Iinclude
STATIC_LIBS := -lpthread -ldl -lm
VALGRIND := valgrind --quiet --suppressions=$(CURDIR)/tests/c/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1
# The C tests' debug library has a target directory of its own: `cargo test --workspace`, in the
# other lane of `make test`, rebuilds target/debug's libjourney with other features, and would
# replace it under the C tests while they link and run.
FFI_DEBUG_DIR := target/c-build
DEBUG_LIB := $(FFI_DEBUG_DIR)/debug
RELEASE_LIB := target/release
C_TESTS := test_flow test_errors test_callbacks test_threads test_durable test_cancel test_ingest_file test_partition
BUILD := target/c
VENV := .venv
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml)
SONAME := libjourney.so.$(firstword $(subst ., ,$(VERSION)))
PY := $(VENV)/bin/python

.PHONY: tansu test-kafka-broker test-stable test-nightly cli wrk load-test test-load test-genesys-sdk test-genesys-js-sdk test-cxone-sdk bench-smoke test-cli-readme test-browser timeline-screenshot chromium types check-types miri-tools miri miri-smoke docs test-demos test-npm-pack fuzz fuzz-smoke fuzz-tools test-c-asan all demo demo-c demo-python demo-node test crash-test soak test-rust test-c test-install test-python test-pip-install test-node python node lint header check-header ffi ffi-release bench install clean

all: test

## demo: replay the bike delivery scenario and print what the agent sees
demo:
	$(CARGO) run --quiet -p journey-core --example bike_delivery

## cli: the `journey` command (docs/cli.md), at target/release/journey
cli:
	$(CARGO) build --release -p journey-cli
	@echo "cli: target/release/journey (or: cargo install --path cli)"

## chromium: Debian's headless browser, for the timeline's browser test (installed when missing)
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## test-browser: Chromium loads `journey timeline`'s page of the bike delivery and `journey flow`'s
## charts of it and of a generated shop; the tests check the DOM the scripts leave (lanes, marks and
## details; a rect per node and a path per link) and take screenshots
test-browser: chromium
	$(CARGO) test -p journey-cli --test timeline -- --ignored
	$(CARGO) test -p journey-cli --test flow -- --ignored

## test-scale-out-readme: the README's Dask and Kafka session, run as written in a fresh directory
test-scale-out-readme: python
	rm -rf target/readme/scale-out && python3 tools/readme_block.py scale-out target/readme/scale-out/session.sh
	ln -s $(CURDIR)/examples $(CURDIR)/.venv target/readme/scale-out/
	cd target/readme/scale-out && timeout 300 bash -e session.sh > run.out 2> run.err || { cat run.err; exit 1; }
	cd target/readme/scale-out && { \
	  grep -q '^15 events: 15 accepted, 0 duplicates, 0 rejected; 1 journeys and 3 sessions in results.json$$' run.out && \
	  grep -q '"eventsAccepted": 15' backfill.json && \
	  test "$$(cat consumer-*.log | grep -c '"event": "assigned"')" -ge 4; \
	} || { tail -n +1 run.out run.err consumer-*.log; exit 1; }

## test-cli-readme: the README's `journey` session (replay, timeline, serve over HTTPS and the
## vendor's curl), run as written in a fresh directory; the demo's NDJSON must be current
test-cli-readme:
	python3 tools/scenario_events.py --check
	$(CARGO) build --quiet -p journey-cli
	rm -rf target/readme/cli && python3 tools/readme_block.py cli target/readme/cli/session.sh
	ln -s $(CURDIR)/examples target/readme/cli/examples
	cd target/readme/cli && PATH=$(CURDIR)/target/debug:$$PATH bash -e session.sh > run.out 2> run.err
	grep -Eq '^examples/data/bike_delivery.ndjson +15 +15 +0 +0$$' target/readme/cli/run.out
	grep -q '<section class="lane ' target/readme/cli/dana.html
	grep -q '{"delivery":"queued","overwritten":false}' target/readme/cli/run.out
	grep -q '"eventName":"From_Postman"' target/readme/cli/run.out
	grep -q '"externalId":"order-1234"' target/readme/cli/run.out
	grep -q '"eventName":"promo_opened"' target/readme/cli/run.out
	@echo "README: the journey session ran as written (replay, timeline, serve, the vendor's curl, an app event)"

## test-genesys-sdk: Genesys' own Python SDK (PureCloudPlatformClientV2, its version pinned in
## cli/tests/genesys_sdk/requirements.txt) against `journey serve`: its JourneyApi creates, lists,
## patches and deletes segments, outcomes and action maps, and reads them back unchanged; sends app
## events without a token; reads sessions, conversations and events in its own models
test-genesys-sdk: $(VENV)/bin/maturin
	$(VENV)/bin/pip install --quiet -r cli/tests/genesys_sdk/requirements.txt
	$(CARGO) build --quiet -p journey-cli
	JOURNEY=$(CURDIR)/target/debug/journey $(PY) -m pytest -q cli/tests/genesys_sdk

## test-genesys-js-sdk: Genesys' JavaScript SDK (npm purecloud-platform-client-v2, pinned in
## cli/tests/genesys_js_sdk/package.json) against `journey serve` through its JourneyApi's own
## methods; every answer is type-checked against the SDK's own models with tsc --strict
test-genesys-js-sdk: cli/tests/genesys_js_sdk/node_modules/.package-lock.json
	$(CARGO) build --quiet -p journey-cli
	cd cli/tests/genesys_js_sdk && JOURNEY=$(CURDIR)/target/debug/journey node --test test.mjs

cli/tests/genesys_js_sdk/node_modules/.package-lock.json: cli/tests/genesys_js_sdk/package.json
	cd cli/tests/genesys_js_sdk && npm install --no-audit --no-fund

## test-cxone-sdk: NICE's CXone agent SDK (npm @nice-devone/*, pinned in
## cli/tests/cxone_sdk/package.json) in headless Chromium against `journey serve`: the page, on its
## own origin, logs the agent in through CORS, and the SDK's get-next-event loop receives the custom
## event an action map sends and one a host sends, then a join, then the logout
test-cxone-sdk: chromium cli/tests/cxone_sdk/node_modules/.package-lock.json
	$(CARGO) build --quiet -p journey-cli
	cd cli/tests/cxone_sdk && JOURNEY=$(CURDIR)/target/debug/journey node --test test.mjs

cli/tests/cxone_sdk/node_modules/.package-lock.json: cli/tests/cxone_sdk/package.json
	cd cli/tests/cxone_sdk && npm install --no-audit --no-fund

## wrk: Debian's HTTP load generator, for the load test (installed when missing)
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

## load-test: `journey serve` (release) under wrk for 10 s per workload, beside the Node example
## server: requests/s and p99 (bench/http_load.py; never fails on speed, fails on error answers)
load-test: wrk bindings-node/node_modules/.package-lock.json
	$(CARGO) build --release -p journey-cli
	cd bindings-node && npx napi build --platform --release
	python3 bench/http_load.py --journey target/release/journey --seconds 10

## test-load: the load test's short version (1 s per workload, debug builds), so it cannot rot
test-load: wrk node
	$(CARGO) build --quiet -p journey-cli
	python3 bench/http_load.py --journey target/debug/journey --seconds 1 --limit 3000

## timeline-screenshot: refresh docs/timeline.png, the screenshot the README shows
timeline-screenshot: test-browser
	cp target/tmp/timeline/journey.png docs/timeline.png

## flow-screenshot: refresh docs/flow.png, the `journey flow` chart the README shows
flow-screenshot: test-browser
	cp target/tmp/flow/flow.png docs/flow.png

## test: build everything and run every test suite, in two lanes side by side (one per core of
## a 2-core machine), each suite once. The lanes share no build output they both write: the
## bindings lane builds target/debug, target/maturin and the Node addon (in
## target/x86_64-unknown-linux-gnu) and target/release; the native lane Miri's and the fuzzer's
## own directories, target/c-build for the C tests, and the wheels. Python's .venv and the Node
## modules they both read are made first. Much of the native lane is one thread (Miri, libFuzzer,
## valgrind), beside the other lane's compiles.
test: $(VENV)/bin/maturin bindings-node/node_modules/.package-lock.json
	@$(MAKE) --no-print-directory -j2 test-bindings-lane test-native-lane

## test-bindings-lane: lint, the generated header and types checked, then Rust, Python, Node, the
## demos, the installed C library, the README programs and the vendors' clients, one after another
## (the half of `make test` that builds the bindings)
test-bindings-lane:
	@$(MAKE) --no-print-directory -j1 lint check-header check-types test-rust test-python test-node test-demos test-npm-pack test-install test-browser test-cli-readme test-scale-out-readme test-load test-genesys-sdk test-genesys-js-sdk test-cxone-sdk docs bench-smoke

## test-native-lane: Miri and the fuzz targets, the C tests under valgrind and ASan, the wheel and
## the sdist, one after another
test-native-lane:
	@$(MAKE) --no-print-directory -j1 miri-smoke fuzz-smoke test-c test-c-asan test-pip-install

## test-stable: every suite on the stable toolchain, one after another
test-stable:
	@$(MAKE) --no-print-directory -j1 lint check-header check-types test-rust test-c test-c-asan test-install test-python test-pip-install test-node test-demos test-npm-pack test-browser test-cli-readme test-scale-out-readme test-load test-genesys-sdk test-genesys-js-sdk test-cxone-sdk docs bench-smoke

## test-nightly: the short runs of Miri and of the fuzz targets, one after the other
test-nightly:
	@$(MAKE) --no-print-directory -j1 miri-smoke fuzz-smoke

## test-rust: unit, vector, property, robustness and concurrency tests, the ABI's vectors, doctests
## (the benches, which --all-targets runs as tests, on their smoke-sized inputs)
test-rust:
	JOURNEY_BENCH_SMOKE=1 $(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## crash-test: the full crash test: 250 SIGKILLs of a process working on a durable store, each
## recovery checked against the acknowledged calls (make test runs 20 of them)
crash-test:
	JOURNEY_CRASH_KILLS=$${JOURNEY_CRASH_KILLS:-250} $(CARGO) test --release -p journey-core --test crash -- --nocapture

## soak: 5.25M events over 21 simulated days with retention set; memory and store size level off
soak:
	$(CARGO) bench -p journey-core --bench retention

## fuzz: every libFuzzer target for FUZZ_SECONDS each (default 60), corpora seeded from the vectors;
## a finding is left in fuzz/artifacts/<target>/ and fails the target
FUZZ_TARGETS := ingest_json catalog config batches action_events c_abi sequence
FUZZ_SECONDS ?= 60
# -O: optimized. (--dev builds in a third of the time, but runs each target's seed corpus so
# slowly that the smoke run took 14 minutes instead of 7: c_abi's alone took 390 s.)
FUZZ_BUILD ?= -O
fuzz: fuzz-tools
	cd fuzz && python3 seed.py
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t ($(FUZZ_SECONDS) s)"; \
		(cd fuzz && $(CARGO) +nightly fuzz run $(FUZZ_BUILD) $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) \
			-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>&1 | grep -E '^(Done|stat::number_of_executed_units)|panicked|ERROR|SUMMARY|artifact'; \
			exit $${PIPESTATUS[0]}) || exit 1; \
	done

## fuzz-smoke: the harness's own tests (the agent-queue model, the heap counter), then each fuzz
## target for a few seconds (make test), so none of them rots
fuzz-smoke: fuzz-tools
	cd fuzz && $(CARGO) +nightly test --quiet --lib -- --test-threads=1
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$${FUZZ_SMOKE_SECONDS:-4}

## fuzz-tools: the nightly toolchain's cargo-fuzz, installed when missing
fuzz-tools:
	@$(CARGO) +nightly --version >/dev/null 2>&1 || { echo "fuzzing needs a nightly toolchain (rustup toolchain install nightly)"; exit 1; }
	@command -v cargo-fuzz >/dev/null || $(CARGO) install --quiet --locked cargo-fuzz

## miri: the core's unit tests under Miri (undefined behaviour, data races, leaks), about 40 minutes
## on one core. One test is skipped: 100,000 out-of-order inserts take hours under Miri, and the
## same code runs in the short ones. `make test` runs miri-smoke.
MIRI := MIRIFLAGS="-Zmiri-disable-isolation" $(CARGO) +nightly miri test --quiet -p journey-core --lib
miri: miri-tools
	$(MIRI) -- --skip inserts_in_any_order_keep_time_order_and_ranks

## miri-smoke: the agent queues, JSON reader, interrupts and stream reader under Miri (about a minute)
miri-smoke: miri-tools
	$(MIRI) -- state::agent::tests json:: interrupt:: stream::

## miri-tools: the nightly toolchain's miri and rust-src components, installed when missing
miri-tools: fuzz-tools
	@$(CARGO) +nightly miri --version >/dev/null 2>&1 || rustup +nightly component add miri rust-src

## lint: formatting and clippy, warnings as errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

## header: regenerate include/journey.h from ffi/ with cbindgen
header:
	$(CARGO) run --quiet -p journey-header

## types: regenerate the result types of Node (the generated region of bindings-node/types.d.ts,
## which napi-rs copies into index.d.ts) and Python (libjourney/types.py) from the core's types
types:
	$(CARGO) run --quiet -p journey-types

## check-types: fail when the committed TypeScript or Python result types are not what the core's
## types generate
check-types:
	$(CARGO) run --quiet -p journey-types -- --check

## check-header: fail when the committed include/journey.h is not what cbindgen generates
check-header:
	$(CARGO) run --quiet -p journey-header -- --check

## ffi: the debug C library (in target/c-build); programs linked to it need its SONAME, so that
## link is made beside it
ffi:
	CARGO_TARGET_DIR=$(CURDIR)/$(FFI_DEBUG_DIR) $(CARGO) build -p journey-ffi
	ln -sf libjourney.so $(DEBUG_LIB)/$(SONAME)

ffi-release:
	$(CARGO) build --release -p journey-ffi

## test-c: the C tests, linked shared (run under valgrind) and static (run as they are: test-c-asan
## checks the static library's memory under AddressSanitizer); the header compiled as C99, C11 and
## C17 with -pedantic and as C++11 to C++20
test-c: ffi
	@command -v valgrind >/dev/null || { echo "test-c needs valgrind (apt-get install valgrind)"; exit 1; }
	@mkdir -p $(BUILD)
	@for t in $(C_TESTS); do \
		$(CC) $(CFLAGS_STRICT) tests/c/$$t.c -o $(BUILD)/$$t-shared -L$(DEBUG_LIB) -ljourney -Wl,-rpath,$(CURDIR)/$(DEBUG_LIB) -lpthread || exit 1; \
		$(CC) $(CFLAGS_STRICT) tests/c/$$t.c -o $(BUILD)/$$t-static $(DEBUG_LIB)/libjourney.a $(STATIC_LIBS) || exit 1; \
	done
	@for std in c++11 c++14 c++17 c++20; do \
		echo "header as $$std"; \
		$(CXX) -std=$$std -pedantic -Wall -Wextra -Werror -Iinclude tests/c/header.cpp -o $(BUILD)/header-cpp $(DEBUG_LIB)/libjourney.a $(STATIC_LIBS) || exit 1; \
		$(BUILD)/header-cpp || exit 1; \
	done
	@for std in c99 c11 c17; do \
		echo "header as $$std -pedantic"; \
		echo '#include "journey.h"' | $(CC) -std=$$std -pedantic -Wall -Wextra -Werror -Iinclude -x c -c - -o /dev/null || exit 1; \
	done
	@for t in $(C_TESTS); do \
		echo "valgrind $$t (shared)"; \
		$(VALGRIND) $(BUILD)/$$t-shared || exit 1; \
		echo "$$t (static)"; \
		$(BUILD)/$$t-static || exit 1; \
	done

## test-c-asan: the C tests again, built with AddressSanitizer (and UBSan) against the static library
test-c-asan: ffi
	@mkdir -p $(BUILD)/asan
	@for t in $(C_TESTS); do \
		$(CC) $(CFLAGS_STRICT) -fsanitize=address,undefined -fno-omit-frame-pointer tests/c/$$t.c -o $(BUILD)/asan/$$t \
			$(DEBUG_LIB)/libjourney.a $(STATIC_LIBS) || exit 1; \
		echo "asan $$t"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 $(BUILD)/asan/$$t > $(BUILD)/asan/$$t.log \
			|| { cat $(BUILD)/asan/$$t.log; exit 1; }; \
	done

## demo-c: the bike delivery through the C ABI
demo-c: ffi-release
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_STRICT) examples/c/bike_delivery.c -o $(BUILD)/bike_delivery $(RELEASE_LIB)/libjourney.a $(STATIC_LIBS)
	$(BUILD)/bike_delivery

## install: the header, libjourney.so.MAJOR.MINOR.PATCH with its SONAME link (libjourney.so.MAJOR)
## and development link (libjourney.so), libjourney.a, and journey.pc / journey-static.pc under
## PREFIX (default /usr/local)
install: ffi-release
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/journey.h $(DESTDIR)$(PREFIX)/include/journey.h
	install -m 755 $(RELEASE_LIB)/libjourney.so $(DESTDIR)$(PREFIX)/lib/libjourney.so.$(VERSION)
	ln -sf libjourney.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libjourney.so
	install -m 644 $(RELEASE_LIB)/libjourney.a $(DESTDIR)$(PREFIX)/lib/libjourney.a
	for pc in journey journey-static; do \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' ffi/$$pc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$pc.pc; \
	done

## test-install: install into target/install, then build and run the C example through pkg-config,
## linked shared (it must need libjourney.so.MAJOR) and static (it must need no libjourney)
test-install: ffi-release
	@mkdir -p $(BUILD)
	rm -rf $(CURDIR)/target/install
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/target/install
	readelf -d target/install/lib/libjourney.so.$(VERSION) | grep -q 'SONAME.*\[$(SONAME)\]'
	test "$$(readlink target/install/lib/libjourney.so)" = $(SONAME)
	PKG_CONFIG_PATH=$(CURDIR)/target/install/lib/pkgconfig pkg-config --exists journey journey-static
	PKG_CONFIG_PATH=$(CURDIR)/target/install/lib/pkgconfig $(MAKE) --no-print-directory -C examples/c clean run run-static > $(BUILD)/pkg-config-example.log
	test "$$(grep -c '"sessionsEnded":2' $(BUILD)/pkg-config-example.log)" = 2
	test "$$(grep -c '"actionMapsFired":2' $(BUILD)/pkg-config-example.log)" = 2
	test "$$(grep -c '"verdict": "fired"' $(BUILD)/pkg-config-example.log)" = 4
	readelf -d examples/c/bike_delivery | grep -q 'NEEDED.*\[$(SONAME)\]'
	! readelf -d examples/c/bike_delivery-static | grep -q 'NEEDED.*libjourney'
	$(MAKE) --no-print-directory -C examples/c clean
	@echo "install: examples/c built through pkg-config, shared ($(SONAME)) and static, ran the bike delivery"
	rm -rf target/readme/c && python3 tools/readme_block.py c target/readme/c/example.c
	cd target/readme/c && PKG_CONFIG_PATH=$(CURDIR)/target/install/lib/pkgconfig \
		$(CC) $(CFLAGS_STRICT) $$(PKG_CONFIG_PATH=$(CURDIR)/target/install/lib/pkgconfig pkg-config --cflags journey) example.c -o example \
		$$(PKG_CONFIG_PATH=$(CURDIR)/target/install/lib/pkgconfig pkg-config --libs journey)
	cd target/readme/c && $(VALGRIND) ./example > run.out && $(VALGRIND) ./example >> run.out
	grep -q '"status":"accepted"' target/readme/c/run.out && grep -q '"status":"duplicate"' target/readme/c/run.out
	@echo "README: the C program ran as written, against the installed library"

## .venv: Python 3 with maturin, pytest, mypy, the benchmark's peers (fastjsonschema, orjson, jsonschema-rs), Dask for the backfill example, confluent-kafka for the Kafka one, pandas for paths_to_pandas
$(VENV)/bin/maturin:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet maturin pytest pytest-xdist mypy fastjsonschema orjson jsonschema-rs "dask[distributed]" confluent-kafka pandas pandas-stubs ziglang auditwheel

## python: build the `libjourney` package into .venv (editable)
python: $(VENV)/bin/maturin
	cd bindings-python && ../$(VENV)/bin/maturin develop --quiet --target-dir ../target/maturin

## test-python: pytest (vectors and Python behaviour) and mypy --strict over the tests and examples.
## The Kafka tests mostly wait for consumer groups' timeouts: they run beside the others, four at a time (pytest-xdist).
test-python: python
	mkdir -p target
	$(PY) -c "import xdist" 2>/dev/null || $(VENV)/bin/pip install --quiet pytest-xdist
	JOURNEY_TANSU=$$(test -x $(TANSU) && echo $(CURDIR)/$(TANSU)) $(PY) -m pytest -q -rs -p no:cacheprovider \
	  -n 4 bindings-python/tests/test_kafka.py > target/pytest-kafka.log 2>&1 & kafka=$$!; \
	$(PY) -m pytest -q bindings-python/tests --ignore=bindings-python/tests/test_kafka.py; others=$$?; \
	wait $$kafka; kafka_status=$$?; echo "--- the Kafka tests:"; cat target/pytest-kafka.log; \
	test $$others -eq 0 && test $$kafka_status -eq 0
	$(VENV)/bin/mypy --strict bindings-python/tests examples/python
	python3 tools/readme_block.py python target/readme/typed/example.py
	$(VENV)/bin/mypy --strict target/readme/typed/example.py
	$(PY) examples/python/bike_delivery.py > target/python-demo.log
	grep -q '"sessionsEnded": 2' target/python-demo.log
	grep -q '"actionMapsFired": 2' target/python-demo.log && grep -q '"verdict": "fired"' target/python-demo.log

## tansu: a Kafka broker (crates.io tansu 0.6.0, sqlite storage) for what librdkafka's mock cluster
## cannot do, such as creating topics; about 16 minutes to build on 2 cores, once (in target/tools).
## test-python runs the tests that need it when it is there (docs/scale-out.md, "Brokers")
TANSU := target/tools/tansu/bin/tansu
$(TANSU):
	$(CARGO) install --locked tansu@0.6.0 --features dynostore,libsql --root target/tools/tansu \
	  --target-dir target/tools/tansu-build
tansu: $(TANSU)

## test-kafka-broker: the Kafka example's tests on tansu, built first when missing
test-kafka-broker: python $(TANSU)
	JOURNEY_TANSU=$(CURDIR)/$(TANSU) $(PY) -m pytest -q bindings-python/tests/test_kafka.py -k real_broker

## test-pip-install: the release wheel for manylinux2014 (zig links it against glibc 2.17), its tag
## checked by auditwheel, installed into a fresh venv where the README's Python program runs as
## written in an empty directory; then the sdist, built into a wheel from source (unoptimized, in
## an empty target directory: what it checks is that the sdist holds everything the build needs)
WHEEL_TOOLS := $(VENV)/lib/python3*/site-packages/ziglang
test-pip-install: $(VENV)/bin/maturin
	ls -d $(WHEEL_TOOLS) >/dev/null 2>&1 || $(VENV)/bin/pip install --quiet ziglang auditwheel
	rm -rf target/wheels target/pip-venv target/sdist-wheel
	cd bindings-python && PATH=$(CURDIR)/$(VENV)/bin:$$PATH ../$(VENV)/bin/maturin build --quiet --release --zig \
		--compatibility manylinux2014 --target-dir ../target/wheel --out ../target/wheels
	$(VENV)/bin/auditwheel show target/wheels/libjourney-*.whl > target/wheels/auditwheel.txt
	grep -q '"manylinux_2_17_x86_64"' target/wheels/auditwheel.txt || { cat target/wheels/auditwheel.txt; exit 1; }
	@echo "wheel: $$(cd target/wheels && ls *.whl), $$(stat -c %s target/wheels/*.whl) bytes; auditwheel: manylinux_2_17_x86_64"
	python3 -m venv target/pip-venv
	target/pip-venv/bin/pip install --quiet target/wheels/libjourney-*.whl
	rm -rf target/readme/python && python3 tools/readme_block.py python target/readme/python/example.py
	cd target/readme/python && $(CURDIR)/target/pip-venv/bin/python example.py > run.out
	diff target/readme/python/run.out <(python3 tools/readme_block.py --expected python)
	@echo "README: the Python program ran as written, against the installed wheel"
	cd bindings-python && ../$(VENV)/bin/maturin sdist --out ../target/wheels 2>/dev/null
	rm -rf target/sdist-build
	MATURIN_PEP517_ARGS="--profile dev" CARGO_TARGET_DIR=$(CURDIR)/target/sdist-build \
		target/pip-venv/bin/pip wheel --quiet --no-deps target/wheels/libjourney-$(VERSION).tar.gz -w target/sdist-wheel
	@echo "sdist: target/wheels/libjourney-$(VERSION).tar.gz builds $$(ls target/sdist-wheel)"

## demo-python: the bike delivery through the Python package
demo-python: python
	$(PY) examples/python/bike_delivery.py

## node: npm install (when package.json changed) and build the addon with @napi-rs/cli
bindings-node/node_modules/.package-lock.json: bindings-node/package.json
	cd bindings-node && npm install --no-audit --no-fund

node: bindings-node/node_modules/.package-lock.json
	cd bindings-node && npx napi build --platform

## test-node: node --test (vectors, Node behaviour, the HTTP example), tsc --noEmit, index.d.ts current, demo
test-node: node
	cd bindings-node && node --test __test__/
	bindings-node/node_modules/.bin/tsc -p examples/node/tsconfig.json
	@git diff --quiet -- bindings-node/index.d.ts || { echo "bindings-node/index.d.ts changed when built: commit the regenerated file"; exit 1; }
	node examples/node/bike_delivery.mjs > target/node-demo.log
	grep -q '"sessionsEnded": 2' target/node-demo.log
	grep -q '"actionMapsFired": 2' target/node-demo.log && grep -q '"verdict": "fired"' target/node-demo.log

## test-demos: the Rust, Python and Node demos print exactly the same text (the action maps' firings and
## explanations included)
test-demos: python node
	mkdir -p target/demos
	$(CARGO) run --quiet -p journey-core --example bike_delivery > target/demos/rust.out
	$(PY) examples/python/bike_delivery.py > target/demos/python.out
	node examples/node/bike_delivery.mjs > target/demos/node.out
	diff target/demos/rust.out target/demos/python.out
	diff target/demos/rust.out target/demos/node.out
	@echo "demos: Rust, Python and Node print the same $$(wc -l < target/demos/rust.out) lines"

## test-npm-pack: `npm pack` (its prepack builds the stripped release addon), the tarball's size,
## then the README's Node program run as written in an empty project that installed the tarball
test-npm-pack: bindings-node/node_modules/.package-lock.json
	rm -rf target/npm && mkdir -p target/npm/project
	cd bindings-node && npm pack --silent --pack-destination ../target/npm > ../target/npm/name
	@size=$$(stat -c %s target/npm/$$(cat target/npm/name)); echo "npm pack: $$(cat target/npm/name), $$size bytes"; \
		test $$size -lt 5242880 || { echo "the tarball must stay under 5 MB"; exit 1; }
	cd target/npm/project && npm init -y > /dev/null && npm install --no-audit --no-fund --silent ../$$(cat ../name)
	python3 tools/readme_block.py node target/npm/project/example.mjs
	cd target/npm/project && node example.mjs > run.out
	diff target/npm/project/run.out <(python3 tools/readme_block.py --expected node)
	@echo "README: the Node program ran as written, against the packed tarball"

## demo-node: the bike delivery through the npm package
demo-node: node
	node examples/node/bike_delivery.mjs

## docs: every language's API reference into target/docs, warnings as errors: rustdoc (rust/),
## Doxygen for journey.h (c/), pdoc for the Python package (python/) and TypeDoc for the npm
## package's declarations (node/). Installs doxygen, pdoc and typedoc when missing.
docs: python node
	@command -v doxygen >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq doxygen; }
	rm -rf target/docs && mkdir -p target/docs/c
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --quiet --no-deps -p journey-core -p journey-ffi
	cp -r target/doc target/docs/rust
	doxygen docs/c/Doxyfile
	$(PY) -c "import pdoc" 2>/dev/null || $(VENV)/bin/pip install --quiet pdoc
	# Every warning fails the docs, except pdoc's about the keys of the TypedDicts that types.py
	# writes in functional form (keys that are Python keywords, `from` and `in`, have no source line).
	PYTHONWARNINGS='error,ignore:Cannot determine where libjourney.types.:UserWarning' $(VENV)/bin/pdoc --docformat restructuredtext -o target/docs/python libjourney
	cd bindings-node && npx typedoc --treatWarningsAsErrors --disableSources --out ../target/docs/node index.d.ts
	printf '%s\n' '<!doctype html><meta charset="utf-8"><title>libjourney API reference</title><h1>libjourney API reference</h1><ul>' \
		'<li><a href="rust/journey_core/index.html">Rust: journey-core</a></li>' '<li><a href="c/html/index.html">C: journey.h</a></li>' \
		'<li><a href="python/libjourney.html">Python: libjourney</a></li>' '<li><a href="node/index.html">Node: libjourney</a></li></ul>' > target/docs/index.html
	@echo "docs: target/docs/index.html links the Rust, C, Python and Node references"

## bench: release-mode benchmarks; they print tables and never fail on speed
bench: $(VENV)/bin/maturin
	$(CARGO) bench -p journey-core -p journey-ffi
	cd bindings-python && ../$(VENV)/bin/maturin develop --quiet --release --target-dir ../target/maturin
	$(PY) bench/python_ingest.py
	$(PY) bench/python_wakeup.py
	$(PY) bench/scale_out_bench.py
	$(PY) bench/kafka_bench.py
	$(MAKE) --no-print-directory bindings-node/node_modules/.package-lock.json
	cd bindings-node && npx napi build --platform --release
	node bench/node_ingest.mjs
	node bench/node_wakeup.mjs
	$(CARGO) build --release -p journey-cli
	python3 bench/replay_store.py --journey target/release/journey
	$(MAKE) --no-print-directory load-test

## bench-smoke: every benchmark's code on tiny inputs, in debug builds, timing nothing (make test),
## so that none can break unseen: the cargo benches of journey-core and journey-ffi with
## JOURNEY_BENCH_SMOKE=1, and bench/*.py and bench/*.mjs with --smoke (the load test has test-load;
## baseline.py is python_ingest's peers)
bench-smoke: python node
	JOURNEY_BENCH_SMOKE=1 $(CARGO) test --quiet -p journey-core -p journey-ffi --bench '*'
	$(PY) bench/python_ingest.py --smoke
	$(PY) bench/python_wakeup.py --smoke
	$(PY) bench/scale_out_bench.py --smoke
	$(PY) bench/kafka_bench.py --smoke
	node bench/node_ingest.mjs --smoke
	node bench/node_wakeup.mjs --smoke
	$(CARGO) build --quiet -p journey-cli
	python3 bench/replay_store.py --journey target/debug/journey --smoke

clean:
	$(CARGO) clean
