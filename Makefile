# Single entry point. `make test` is what CI runs (.ci/run); `make example` is the main job.
SHELL := /bin/bash
BIN := $(CURDIR)/.tools/bin
VENV := $(CURDIR)/.venv/bin
export PATH := $(BIN):$(VENV):$(PATH)

.PHONY: setup example test fmt check lint generate build docs bench clean

setup:
	@bash scripts/setup.sh

# Scan the bundled example ML platform. Exit 1 means "findings" (expected: it holds bad
# examples on purpose); only a real error (exit 2) fails the target.
example: setup
	@$(VENV)/mlfence check examples/ ; rc=$$?; [ $$rc -le 1 ] || exit $$rc

test: setup
	@bash scripts/setup-test.sh
	@$(VENV)/pytest

fmt: setup
	@$(BIN)/opa fmt -w policy
	@$(VENV)/ruff check --fix tools tests

check: setup
	@$(VENV)/pytest -q tests/test_gates.py

lint: setup
	@$(BIN)/regal lint policy
	@$(VENV)/ruff check tools tests

generate: setup
	@$(VENV)/mlfence docs --out docs/rules
	@$(VENV)/mlfence plan examples/terraform/ml-platform.yaml --out examples/terraform/ml-platform.plan.json

build: setup
	@$(VENV)/mlfence build --out dist

bench: setup
	@bash bench/run.sh

clean:
	rm -rf dist build .pytest_cache
