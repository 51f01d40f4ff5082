# Single entry point. `make test` is what CI runs (.ci/run); `make example` is the main job.
SHELL := /bin/bash
BIN := $(CURDIR)/.tools/bin
VENV := $(CURDIR)/.venv/bin
export PATH := $(BIN):$(VENV):$(PATH)

.PHONY: setup test-setup example test fmt check lint generate build wheel docs bench clean

setup:
	@bash scripts/setup.sh

# The test target also needs the servers the sidecar and OCI tests run (nginx, registry) and
# the browser of reach's HTML test (scripts/setup-test.sh); `make example` installs none of them.
test-setup:
	@bash scripts/setup.sh --test-servers
	@bash scripts/setup-test.sh

# Scan the bundled example ML platform. Exit 1 means "findings" (expected: it holds bad
# examples on purpose); only a real error (exit 2) fails the target.
example: setup
	@$(VENV)/mlfence check examples/ ; rc=$$?; [ $$rc -le 1 ] || exit $$rc

# One worker more than cores (three on the two-core machine), a whole file per worker so the
# module and session fixtures (the wheel, the servers, the engines' gator run) are made once per
# worker; tests/conftest.py hands the long files out first. The extra worker uses the time the
# others wait on servers, sleeps and pip: on this machine, warm, alternated, 2 vs 3 workers
# took 256.0 / 260.6 s against 247.5 / 245.9 s of pytest, the same CPU (2026-12-07). pytest
# prints the 15 slowest tests (--durations=15 in pyproject.toml). The gates (opa fmt/check,
# regal, ruff check, ruff format, mypy) are tests in tests/test_gates.py.
WORKERS := $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST_PARALLEL := -n $(WORKERS) --dist loadfile

test: test-setup
	@$(VENV)/pytest $(PYTEST_PARALLEL)

fmt: setup
	@$(BIN)/opa fmt -w policy
	@$(VENV)/ruff check --fix tools tests bench

check: setup
	@$(VENV)/pytest -q tests/test_gates.py

# The same gate tests `make test` runs: regal, ruff check, ruff format --check and mypy.
lint: setup
	@$(VENV)/pytest -q -p no:cacheprovider tests/test_gates.py -k "regal or ruff or mypy"

generate: setup
	@$(VENV)/mlfence docs --out docs/rules
	@$(VENV)/mlfence plan examples/terraform/ml-platform.yaml --out examples/terraform/ml-platform.plan.json

build: setup
	@$(VENV)/mlfence build --out dist

# The installable wheel (policy, data, schemas and the pinned OPA inside): dist/mlfence-*.whl.
# Other platforms: bash scripts/build-wheel.sh --goos linux --goarch arm64 (see the script).
wheel: setup
	@bash scripts/build-wheel.sh

bench: setup
	@bash bench/run.sh

clean:
	rm -rf dist build .pytest_cache
