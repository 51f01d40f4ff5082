"""One case, every engine: conftest, Gatekeeper (gator) and the OPA bundle return the same
findings for every example of every rule, and the finding the example expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from engines import Verdict, Workspace, bundle_verdicts, conftest_verdicts, gator_verdicts
from mlfence import fixtures, parameters
from mlfence.fixtures import Case

CASES = fixtures.cases()


@pytest.fixture(scope="session")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Verdict]]:
    root = tmp_path_factory.mktemp("engines")
    written = fixtures.write(root / "fixtures", parameters.gatekeeper(ROOT / "data"))
    index = {f"{e['rule_id']}/{e['name']}": e for e in json.loads((root / "fixtures" / "cases.json").read_text())}
    ws = Workspace(root)
    return {
        "conftest": conftest_verdicts(ws, written, index),
        "bundle": bundle_verdicts(ws, written),
        "gator": gator_verdicts(ws, written, index),
    }


def _this_rule(verdict: Verdict, rule_id: str) -> set[str]:
    return {status for rid, status in verdict if rid == rule_id}


def test_every_rule_has_deny_and_allow_examples() -> None:
    from mlfence import catalog

    missing = []
    for rule in catalog.load():
        expects = {c.get("expect") for c in rule.examples}
        if not expects & {"deny", "warn"} or "allow" not in expects:
            missing.append(rule.rule_id)
    assert not missing, f"rules without a deny/warn and an allow example: {missing}"


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_engines_agree_and_match_expectation(case: Case, verdicts: dict[str, dict[str, Verdict]]) -> None:
    engines = ["conftest", "bundle"] + (["gator"] if case.target == "kubernetes" else [])
    answers = {engine: verdicts[engine][case.key] for engine in engines}
    assert len(set(answers.values())) == 1, f"engines disagree on {case.key}: " + json.dumps(
        {k: sorted(v) for k, v in answers.items()}, indent=1)
    mine = _this_rule(answers["bundle"], case.rule_id)
    if case.expect == "deny":
        assert "fail" in mine, f"{case.key}: expected a failing {case.rule_id} finding, got {sorted(mine)}"
    elif case.expect == "warn":
        assert mine and mine <= {"warn", "unknown"}, f"{case.key}: expected a warning, got {sorted(mine)}"
    else:
        assert not mine, f"{case.key}: expected no {case.rule_id} finding, got {sorted(mine)}"


def test_generated_gator_suite_passes(tmp_path: Path) -> None:
    from conftest import run, tool

    fixtures.write(tmp_path, parameters.gatekeeper(ROOT / "data"))
    proc = run([tool("gator"), "verify", "-v", str(tmp_path / "gator")])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    assert "--- PASS" in proc.stdout and "--- FAIL" not in proc.stdout
