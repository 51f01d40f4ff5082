"""Unchanged (no-op) Terraform resources through the CLI, conftest and the bundle: judged when a
changed resource depends on them, all of them in posture mode (`--all-resources`, the
all_resources parameter, a state file), and the summary counts the ones left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import ROOT, cli_in_process, opa_eval, run, tool
from mlfence.planfixture import build_plan

_OPEN_5000 = {
    "name": "mlflow",
    "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 5000, "to_port": 5000, "protocol": "tcp"}],
}


def _plan() -> dict[str, Any]:
    """An MLflow server created on an unchanged group that opens 5000 to the internet, and an
    unrelated unchanged group open on 22 that nothing in the plan touches."""
    return build_plan(
        [
            {"address": "aws_security_group.mlflow", "actions": ["no-op"], "values": {**_OPEN_5000, "id": "sg-1"}},
            {
                "address": "aws_security_group.legacy",
                "actions": ["no-op"],
                "values": {
                    "name": "legacy",
                    "id": "sg-9",
                    "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"}],
                },
            },
            {
                "address": "aws_instance.mlflow",
                "values": {"subnet_id": "subnet-1", "associate_public_ip_address": False},
                "unknown": {"vpc_security_group_ids": True},
                "references": {"vpc_security_group_ids": ["aws_security_group.mlflow.id", "aws_security_group.mlflow"]},
            },
        ]
    )


def _check(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = cli_in_process("check", "-q", "--format", "json", str(path), *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _sg_findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["resource"], f["status"]) for f in report["findings"] if f["rule_id"] == "MLF-TF-001"}


def test_cli_judges_unchanged_dependencies_and_counts_the_rest(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan()))
    # One in-process run prints the table and writes the JSON report (--json).
    proc = cli_in_process("check", "-q", str(plan), "--json", str(tmp_path / "report.json"))
    code, report = proc.returncode, json.loads((tmp_path / "report.json").read_text())
    assert code == 1
    assert _sg_findings(report) == {("aws_security_group.mlflow", "fail")}
    assert report["summary"]["unchanged_not_judged"] == 1
    assert "1 unchanged Terraform resources not judged" in proc.stdout


def test_cli_all_resources_judges_everything(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan()))
    _, report = _check(plan, "--all-resources")
    assert _sg_findings(report) == {("aws_security_group.mlflow", "fail"), ("aws_security_group.legacy", "fail")}
    assert report["summary"]["unchanged_not_judged"] == 0


def test_bundle_decision_and_parameter(tmp_path: Path) -> None:
    query = '[f.resource | some f in data.mlfence.decision.findings; f.rule_id == "MLF-TF-001"]'
    assert opa_eval(query, _plan(), ROOT / "policy", ROOT / "data") == ["aws_security_group.mlflow"]
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "data.json").write_text(json.dumps({"mlfence": {"overrides": {"all_resources": True}}}))
    found = opa_eval(query, _plan(), ROOT / "policy", ROOT / "data", overrides)
    assert sorted(found) == ["aws_security_group.legacy", "aws_security_group.mlflow"]


def test_conftest_judges_the_dependency(tmp_path: Path, shipped_conftest_policy: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan()))
    policy = str(shipped_conftest_policy)
    proc = run([tool("conftest"), "test", "-o", "json", "-p", policy, "-d", str(ROOT / "data"), str(plan)])
    results = json.loads(proc.stdout)
    failures = [f["msg"] for r in results for f in r.get("failures") or []]
    assert any("aws_security_group.mlflow" in m for m in failures), failures
    assert not any("aws_security_group.legacy" in m for m in failures), failures


def test_state_file_is_judged_as_posture() -> None:
    state = {
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_security_group.legacy",
                        "mode": "managed",
                        "type": "aws_security_group",
                        "name": "legacy",
                        "values": {
                            "name": "legacy",
                            "ingress": [
                                {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"}
                            ],
                        },
                    }
                ]
            }
        },
    }
    decision = opa_eval("data.mlfence.decision", state, ROOT / "policy", ROOT / "data")
    assert decision["input_kind"] == "terraform_plan"
    assert [f["resource"] for f in decision["findings"] if f["rule_id"] == "MLF-TF-001"] == [
        "aws_security_group.legacy"
    ]
