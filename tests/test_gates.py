"""The house-style gates: each runs the real tool and fails the suite when it complains."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import ROOT, run, tool

COVERAGE_FLOOR = 90.0


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


def test_ruff_clean() -> None:
    proc = run([str(ROOT / ".venv" / "bin" / "ruff"), "check", "tools", "tests"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rego_line_coverage_at_least_90_percent() -> None:
    proc = run([tool("opa"), "test", "--coverage", "--format", "json", "policy"])
    assert proc.returncode == 0, proc.stderr or "opa test failed; see the Rego items"
    report = json.loads(proc.stdout)
    files = report.get("files", {})
    covered = sum(f.get("covered_lines", 0) for name, f in files.items() if not name.endswith("_test.rego"))
    total = covered + sum(f.get("not_covered_lines", 0) for name, f in files.items()
                          if not name.endswith("_test.rego"))
    percent = 100.0 * covered / total if total else 0.0
    worst = sorted(((f.get("coverage", 0.0), name) for name, f in files.items()
                    if not name.endswith("_test.rego")))[:5]
    assert percent >= COVERAGE_FLOOR, f"policy line coverage {percent:.1f}% < {COVERAGE_FLOOR}%; lowest: {worst}"


def test_rego_tests_are_hermetic_beside_the_shipped_data() -> None:
    """Rego tests set the data they depend on with `with`: they pass whether or not the shipped
    data (the synced range indexes) is loaded beside them, in OPA and in conftest."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        opa, conftest = pool.map(run, [[tool("opa"), "test", "policy", "data"],
                                       [tool("conftest"), "verify", "--no-color", "-p", "policy", "-d", "data"]])
    assert opa.returncode == 0, "opa test policy data:\n" + "\n".join(
        line for line in opa.stdout.splitlines() if "FAIL" in line or "ERROR" in line)[-3000:] + opa.stderr[-2000:]
    assert conftest.returncode == 0, "conftest verify -p policy -d data:\n" + \
        (conftest.stdout + conftest.stderr)[-3000:]
    assert "0 failures" in conftest.stdout, conftest.stdout[-2000:]
