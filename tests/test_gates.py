"""The house-style gates: each runs the real tool and fails the suite when it complains."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run, tool
from mlfence import cache as user_cache
from mlfence.pytest_rego import TEST_TIMEOUT, collector_env

COVERAGE_FLOOR = 90.0
# The Rego test runs allocate a lot and exit: conftest.run's collector settings for the Go tools
# (GO_TEST_ENV) take about half the CPU of Go's default (opa test policy: 40 s user with GOGC=100,
# 22 s with GOGC=400 or GOGC=off under a 1 GiB GOMEMLIMIT).


def test_opa_fmt_clean() -> None:
    proc = run([tool("opa"), "fmt", "--list", "policy"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"opa fmt would change:\n{proc.stdout}"


def test_opa_check_strict_against_gatekeeper_engine(gatekeeper_capabilities: Path) -> None:
    proc = run([tool("opa"), "check", "--strict", "--capabilities", str(gatekeeper_capabilities), "policy"])
    assert proc.returncode == 0, f"{gatekeeper_capabilities.name}:\n{proc.stderr or proc.stdout}"


def test_regal_lint_clean() -> None:
    proc = run([tool("regal"), "lint", "--format", "json", "policy"])
    report = json.loads(proc.stdout or "{}")
    violations = [
        f"{v['location']['file']}:{v['location']['row']} {v['category']}/{v['title']}: {v['description']}"
        for v in report.get("violations", [])
    ]
    assert not violations, "\n".join(violations)
    assert proc.returncode == 0, proc.stderr


PYTHON_SOURCES = ["tools", "tests", "bench"]


def test_ruff_clean() -> None:
    proc = run([str(ROOT / ".venv" / "bin" / "ruff"), "check", *PYTHON_SOURCES])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_clean() -> None:
    proc = run([str(ROOT / ".venv" / "bin" / "ruff"), "format", "--check", *PYTHON_SOURCES])
    assert proc.returncode == 0, "ruff format would change:\n" + proc.stdout[-4000:] + proc.stderr


def _mypy_env() -> dict[str, str]:
    """mypy's incremental cache in the user cache, beside the tools' (~/.cache/mlfence/mypy): a
    clean clone otherwise checks every module cold (~5 s CPU of the suite). mypy trusts a cached
    module only when its source's hash still matches (the mtime of a fresh clone differs), and
    keys the cache by its own version and options, so another checkout's entries are never
    taken for this one's. MYPY_CACHE_DIR or MLFENCE_CACHE_DIR=off in the environment win."""
    if "MYPY_CACHE_DIR" in os.environ:
        return {}
    where = user_cache.cache_dir()
    return {} if where is None else {"MYPY_CACHE_DIR": str(where / "mypy")}


def test_mypy_clean() -> None:
    """mypy with the settings in pyproject.toml ([tool.mypy]: tools/mlfence, every def typed)."""
    proc = run([str(ROOT / ".venv" / "bin" / "mypy")], env=_mypy_env())
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    assert "Success: no issues found" in proc.stdout, proc.stdout


@pytest.fixture(scope="module")
def rego_beside_data() -> subprocess.CompletedProcess[str]:
    """Every Rego test with the shipped data loaded beside the policy, in OPA with coverage (which
    the coverage gate reads: one `opa test` run for both). The pytest plugin runs the same tests on
    the policy alone, so each test passes with and without the data.

    (`conftest verify` of the same tests ran here too, until the suite neared its 5-minute budget:
    a third pass over the 1,147 tests, ~22 s CPU of the suite's ~525, checking only that conftest's
    embedded OPA (1.19) evaluates them as OPA 1.21 does. conftest itself stays proven on what users
    run through it: every rule's cases through `conftest test` with the shipped tree
    (test_engines.py) and every documented conftest command (test_conftest_docs.py).)"""
    # --coverage-runs= skips OPA's two extra passes per test (no rule indexing, no early exit) that
    # only say why a line was not covered; the covered and not-covered counts the gate reads come
    # from the normal pass and are the same without them (7,340 / 196 lines both ways, 23 -> 16 s CPU).
    coverage = ["--coverage", "--coverage-runs=", "--format", "json", "--timeout", TEST_TIMEOUT]
    # The plugin's collector settings (a 2 GiB heap before the first collection) rather than
    # GO_TEST_ENV's 1 GiB, which this run (live heap ~200 MB, ~8 GB allocated) reaches 11 times
    # (4.6 s CPU of collections): 21.8 s CPU instead of 22.8 s (means of 3 and 4; the fewer
    # collections partly go to page faults), peak RSS 1.1 -> 2.0 GB. A GOGC or GOMEMLIMIT in the
    # environment wins.
    return run([tool("opa"), "test", *coverage, "policy", "data"], env=collector_env())


def test_rego_line_coverage_at_least_90_percent(rego_beside_data: subprocess.CompletedProcess[str]) -> None:
    proc = rego_beside_data
    assert proc.returncode == 0, proc.stderr or "opa test failed; see the Rego items"
    report = json.loads(proc.stdout)
    files = report.get("files", {})
    covered = sum(f.get("covered_lines", 0) for name, f in files.items() if not name.endswith("_test.rego"))
    total = covered + sum(f.get("not_covered_lines", 0) for name, f in files.items() if not name.endswith("_test.rego"))
    percent = 100.0 * covered / total if total else 0.0
    worst = sorted(((f.get("coverage", 0.0), name) for name, f in files.items() if not name.endswith("_test.rego")))[:5]
    assert percent >= COVERAGE_FLOOR, f"policy line coverage {percent:.1f}% < {COVERAGE_FLOOR}%; lowest: {worst}"


def test_rego_tests_are_hermetic_beside_the_shipped_data(rego_beside_data: subprocess.CompletedProcess[str]) -> None:
    """Rego tests set the data they depend on with `with`: they pass whether or not the shipped
    data (the synced range indexes) is loaded beside them (the plugin's run has the policy alone)."""
    opa = rego_beside_data
    if opa.returncode != 0:  # the coverage report does not name failures: ask again for them
        again = run([tool("opa"), "test", "--timeout", TEST_TIMEOUT, "policy", "data"])
        pytest.fail(
            "opa test policy data:\n"
            + "\n".join(line for line in again.stdout.splitlines() if "FAIL" in line or "ERROR" in line)[-3000:]
            + again.stderr[-2000:]
        )
