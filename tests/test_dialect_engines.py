"""The Calico and Cilium cases of MLF-K8S-063 (a dialect policy's egress to every destination) and
the Calico cases of MLF-K8S-060 (a Calico policy opening an undeclared flow) through conftest, the
OPA bundle and gator, as tests/test_engines.py runs every case; and, at admission, the decision
message of the bundle and of gator naming the Calico policy that opened the flow."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import gatorsuite
from conftest import ROOT, run, tool
from engines import (
    Verdict,
    Workspace,
    assert_gator_agrees,
    bundle_findings,
    conftest_verdicts,
    gator_failures,
    judged_alone,
    verdict_of,
)
from mlfence import fixtures, parameters
from mlfence.fixtures import Case

CALICO_OPENS = "MLF-K8S-060/calico-policy-opens-the-registry"
CALICO_DECIDER = "Calico NetworkPolicy model-registry/registry-in ingress rule 0 (Allow)"


def _chosen(case: Case) -> bool:
    return case.rule_id == "MLF-K8S-063" or (case.rule_id == "MLF-K8S-060" and case.name.startswith("calico-"))


@dataclass(frozen=True)
class Answers:
    cases: list[Case]
    conftest: dict[str, Verdict]
    bundle: dict[str, list[dict[str, Any]]]
    gator: dict[str, list[str]]
    workspace: Workspace


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory, built_bundle: Path) -> Answers:
    root = tmp_path_factory.mktemp("dialect-engines")
    written = [c for c in fixtures.write(root / "fixtures", parameters.gatekeeper(ROOT / "data")) if _chosen(c)]
    index = {f"{e['rule_id']}/{e['name']}": e for e in json.loads((root / "fixtures" / "cases.json").read_text())}
    ws = Workspace(root, built_bundle)
    found = bundle_findings(ws, written)
    return Answers(written, conftest_verdicts(ws, written, index, found), found, gator_failures(ws, written, found), ws)


def test_the_cases_exist() -> None:
    keys = {c.key for c in fixtures.cases() if _chosen(c)}
    assert CALICO_OPENS in keys and "MLF-K8S-060/calico-policy-admits-only-ci" in keys
    assert {"MLF-K8S-063/calico-training-to-internet-on-443", "MLF-K8S-063/cilium-world-entity"} <= keys


def test_every_engine_agrees_and_matches_the_expectation(answers: Answers) -> None:
    assert answers.cases
    for case in answers.cases:
        bundle = verdict_of(answers.bundle[case.key])
        assert answers.conftest.verdicts[case.key] == (bundle if case.inventory else judged_alone(bundle)), case.key
        assert_gator_agrees(case.key, answers.gator)
        mine = {status for rule_id, status in bundle if rule_id == case.rule_id}
        if case.expect == "deny":
            assert "fail" in mine, f"{case.key}: {sorted(bundle)}"
        else:
            assert not mine, f"{case.key}: {sorted(bundle)}"


def test_dialect_egress_messages_name_the_rule_of_the_policy(answers: Answers) -> None:
    texts = {
        case.name: sorted(f["message"] for f in answers.bundle[case.key] if f["rule_id"] == "MLF-K8S-063")
        for case in answers.cases
        if case.rule_id == "MLF-K8S-063"
    }
    assert texts["calico-training-to-internet-on-443"] == [
        "MLF-K8S-063: Calico NetworkPolicy ml-training/trainer-egress egress rule 0 (Allow) allows nets "
        "0.0.0.0/0, i.e. every address"
    ]
    assert texts["cilium-world-entity"] == [
        "MLF-K8S-063: CiliumNetworkPolicy ml-notebooks/notebook-egress egress rule 0 allows toEntities world, "
        "i.e. every address outside the cluster"
    ]


def test_admission_names_the_calico_policy_that_opened_the_flow(answers: Answers, tmp_path: Path) -> None:
    """The bundle's decision on the AdmissionReview of the Calico policy names its rule in every
    MLF-K8S-060 message; gator, with the generated template, the synced inventory and the
    Constraint's declared flows, prints the same messages (a `gator verify` suite asserting it)."""
    case = next(c for c in answers.cases if c.key == CALICO_OPENS)
    messages = [f["message"] for f in answers.bundle[case.key] if f["rule_id"] == "MLF-K8S-060"]
    assert len(messages) == 3 and all(CALICO_DECIDER in m for m in messages), messages
    assert any("ml-training/trainer (component training) can reach model-registry/registry" in m for m in messages)
    suites, _aliases = gatorsuite.write_suites(
        tmp_path,
        [
            gatorsuite.GatorCase(
                name=case.key,
                document=case.document,
                findings=answers.bundle[case.key],
                parameters=case.parameters,
                inventory=[case.document, *case.inventory],
                also=frozenset({case.rule_id}),
            )
        ],
        answers.workspace.base_gatekeeper,
        parts=1,
    )
    suite = yaml.safe_load(suites[0].read_text())
    [test] = [t for t in suite["tests"] if t["name"].startswith("mlf-k8s-060")]
    pattern = CALICO_DECIDER.replace("(", r"\(").replace(")", r"\)")
    test["cases"][0]["assertions"].append({"violations": 3, "message": pattern})
    suites[0].write_text(yaml.safe_dump(suite, sort_keys=False))
    proc = run([tool("gator"), "verify", "-v", str(suites[0])])
    assert proc.returncode == 0 and "--- FAIL" not in proc.stdout, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert f"--- PASS: {case.key}" in proc.stdout, proc.stdout[-3000:]
