"""conftest as its users run it: every namespace, one namespace, one file without --combine.

All with the pinned conftest and this repository's `data/`. Every namespace against the main one
runs on the repository's `policy/` (docs/deploy.md), whose Rego tests are packages too; the
other questions are about what the rules decide, asked of the policy as `mlfence build` ships it
(conftest fixture shipped_conftest_policy: the same rules without their tests, about half the
Rego a conftest process parses and compiles; tests/test_engines.py checks that both judge alike).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT, run, tool
from ml_serving import DEFAULT_DENY, DEPLOYMENT
from mlfence import catalog

K8S_EXAMPLES = "examples/kubernetes/"
PLAN = "examples/terraform/ml-platform.plan.json"

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml-serving"}}


def conftest_json(*args: str, policy: str | Path = "policy") -> tuple[int, list[dict[str, Any]]]:
    proc = run(
        [tool("conftest"), "test", "--no-color", "-o", "json", "-p", str(policy), "-d", "data", *args],
        cwd=ROOT,
        timeout=300,
        env={"GOGC": "off"},  # one compile, then exit: no garbage collection spends less CPU
    )
    assert proc.returncode in (0, 1, 2), proc.stderr or proc.stdout
    return proc.returncode, json.loads(proc.stdout)


def messages(results: list[dict[str, Any]], kind: str) -> list[str]:
    """Every message of `kind` (failures, warnings) over all files, sorted."""
    return sorted(r["msg"] for result in results for r in result.get(kind) or [])


def rule_ids(results: list[dict[str, Any]], kind: str) -> set[str]:
    """The rule IDs, read from the data every result carries (conftest's metadata), not from msg."""
    return {r["metadata"]["rule_id"] for result in results for r in result.get(kind) or []}


def test_all_namespaces_reports_what_the_main_namespace_reports() -> None:
    for args in (["--combine", K8S_EXAMPLES], [PLAN]):
        code, main_only = conftest_json(*args)
        code_all, every = conftest_json("--all-namespaces", *args)
        assert code_all == code == 1, args
        assert messages(main_only, "failures"), f"{args}: the examples should fail"
        assert messages(every, "failures") == messages(main_only, "failures"), args
        assert messages(every, "warnings") == messages(main_only, "warnings"), args


def _write(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return path


def test_single_file_without_combine_does_not_report_the_default_deny_beside_it(
    tmp_path: Path, shipped_conftest_policy: Path
) -> None:
    policy = shipped_conftest_policy
    manifest = _write(tmp_path / "app.yaml", [NAMESPACE, DEFAULT_DENY, DEPLOYMENT])
    code, alone = conftest_json(str(manifest), policy=policy)
    assert code == 0, alone
    assert messages(alone, "failures") == []
    warnings = messages(alone, "warnings")
    assert rule_ids(alone, "warnings") == {"MLF-K8S-008", "MLF-K8S-009"}
    assert all("not judged" in w and "--combine" in w for w in warnings), warnings
    assert not any("no effective default deny" in w or "no NetworkPolicy selects" in w for w in warnings)
    # With --combine the verdict is made, and the default deny in the file satisfies both rules.
    code, combined = conftest_json("--combine", str(manifest), policy=policy)
    assert (code, messages(combined, "failures"), messages(combined, "warnings")) == (0, [], [])
    # --fail-on-warn makes the unjudged rules fail the step.
    code, _ = conftest_json("--fail-on-warn", str(manifest), policy=policy)
    assert code == 1


def test_the_same_file_without_its_default_deny_fails_when_combined(
    tmp_path: Path, shipped_conftest_policy: Path
) -> None:
    manifest = _write(tmp_path / "app.yaml", [NAMESPACE, DEPLOYMENT])
    code, combined = conftest_json("--combine", str(manifest), policy=shipped_conftest_policy)
    assert code == 1
    assert rule_ids(combined, "failures") == {"MLF-K8S-009"}
    assert rule_ids(combined, "warnings") == {"MLF-K8S-008"}


def test_a_rule_package_namespace_finds_nothing_so_rules_are_selected_with_data(
    tmp_path: Path, shipped_conftest_policy: Path
) -> None:
    """docs/deploy.md: --namespace <rule package> passes everything (the rules read the input the
    main adapter builds); the documented way to run one rule is a rule_settings data file."""
    package = catalog.by_id("MLF-K8S-001").package
    code, by_package = conftest_json("--combine", "--namespace", package, K8S_EXAMPLES, policy=shipped_conftest_policy)
    assert (code, messages(by_package, "failures")) == (0, [])
    doc = (ROOT / "docs" / "deploy.md").read_text()
    assert "--namespace` with a rule package" in doc and "rule_settings:" in doc
    selection = tmp_path / "only-egress.yaml"
    selection.write_text(yaml.safe_dump({"mlfence": {"config": {"rule_settings": {"enable": ["MLF-K8S-001"]}}}}))
    code, selected = conftest_json("--combine", "-d", str(selection), K8S_EXAMPLES, policy=shipped_conftest_policy)
    assert code == 1
    assert rule_ids(selected, "failures") == {"MLF-K8S-001"}
    assert rule_ids(selected, "warnings") == set()
