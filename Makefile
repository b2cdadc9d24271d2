# libjourney: `make demo` runs the bike delivery, `make test` runs every test, `make bench` the benchmarks.
# Each target installs what it needs by itself.

CARGO ?= cargo

.PHONY: all demo test test-rust lint bench clean

all: test

## demo: replay the bike delivery scenario and print what the agent sees
demo:
	$(CARGO) run --quiet -p journey-core --example bike_delivery

## test: build everything and run every test suite
test: lint test-rust

## test-rust: unit, vector, property and robustness tests of the core, plus doctests
test-rust:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## lint: formatting and clippy, warnings as errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

## bench: release-mode benchmarks; they print tables and never fail on speed
bench:
	$(CARGO) bench -p journey-core

clean:
	$(CARGO) clean
