"""One case, every engine: conftest, Gatekeeper (gator) and the OPA bundle return the same
findings for every example of every rule, and the finding the example expects. Among them the
Calico and Cilium cases of MLF-K8S-063 (a dialect policy's egress to every destination) and the
Calico cases of MLF-K8S-060 (a Calico policy opening an undeclared flow), whose messages are
checked here too: at admission, the bundle's and gator's name the Calico policy that opened the
flow. (One file, so that pytest-xdist's --dist loadfile runs them with the session's answers.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import gatorsuite
import opaserver
from conftest import ROOT, run, tool
from engines import (
    PROBE,
    ConftestAnswers,
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

CASES = fixtures.cases()


@dataclass(frozen=True)
class Answers:
    verdicts: dict[str, dict[str, Verdict]]  # engine -> case key -> verdict (conftest, bundle)
    conftest: ConftestAnswers  # also the shipped conftest policy against the repository's folder
    gator: dict[str, list[str]]  # case key -> how gator disagreed with the bundle's findings
    fixtures: Path  # what `mlfence fixtures` writes (fixtures.write), shipped parameters
    findings: dict[str, list[dict[str, Any]]]  # case key -> the bundle's findings on its object
    workspace: Workspace


@pytest.fixture(scope="session")
def answers(tmp_path_factory: pytest.TempPathFactory, built_bundle: Path) -> Answers:
    root = tmp_path_factory.mktemp("engines")
    written = fixtures.write(root / "fixtures", parameters.gatekeeper(ROOT / "data"))
    index = {f"{e['rule_id']}/{e['name']}": e for e in json.loads((root / "fixtures" / "cases.json").read_text())}
    ws = Workspace(root, built_bundle)
    with opaserver.serving(root / "opa", PROBE, bundle=built_bundle) as ws.server:
        findings = bundle_findings(ws, written)
        conftest = conftest_verdicts(ws, written, index, findings)
        gator = gator_failures(ws, written, findings)
    return Answers(
        verdicts={
            "conftest": conftest.verdicts,
            "bundle": {key: verdict_of(f) for key, f in findings.items()},
        },
        conftest=conftest,
        gator=gator,
        fixtures=root / "fixtures",
        findings=findings,
        workspace=ws,
    )


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
def test_engines_agree_and_match_expectation(case: Case, answers: Answers) -> None:
    verdicts = {engine: answers.verdicts[engine][case.key] for engine in ("conftest", "bundle")}
    # A case with an inventory runs through conftest --combine; a single object without it, where
    # the rules that read the other objects are not judged (docs/deploy.md).
    bundle_seen_by_conftest = verdicts["bundle"] if case.inventory else judged_alone(verdicts["bundle"])
    assert verdicts["conftest"] == bundle_seen_by_conftest, f"engines disagree on {case.key}: " + json.dumps(
        {k: sorted(v) for k, v in verdicts.items()}, indent=1
    )
    if case.target == "kubernetes":  # every rule's findings on the object, message by message
        assert_gator_agrees(case.key, answers.gator)
    mine = _this_rule(verdicts["bundle"], case.rule_id)
    if case.expect == "deny":
        assert "fail" in mine, f"{case.key}: expected a failing {case.rule_id} finding, got {sorted(mine)}"
    elif case.expect == "warn":
        assert mine and mine <= {"warn", "unknown"}, f"{case.key}: expected a warning, got {sorted(mine)}"
    else:
        assert not mine, f"{case.key}: expected no {case.rule_id} finding, got {sorted(mine)}"


def test_conftest_repository_folder_judges_as_the_shipped_policy(answers: Answers) -> None:
    """The engines' conftest runs use the policy `mlfence build` ships for conftest (no Rego tests);
    the repository's folder with its tests (`conftest test -p policy`, as the README shows) gives
    the same results, failure by failure, on every shipped-parameter single-object case."""
    shipped, repository = answers.conftest.shipped_tree, answers.conftest.repository_folder
    assert len(shipped) > 100, len(shipped)
    assert sum(len(r.get("failures") or []) + len(r.get("warnings") or []) for r in shipped) > 50
    assert repository == shipped


def test_generated_gator_suite_passes(answers: Answers) -> None:
    """The gator suite `mlfence fixtures` ships (the one the engines fixture wrote) passes as is."""
    from conftest import run, tool

    proc = run([tool("gator"), "verify", "-v", str(answers.fixtures / "gator")])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    assert "--- PASS" in proc.stdout and "--- FAIL" not in proc.stdout


CALICO_OPENS = "MLF-K8S-060/calico-policy-opens-the-registry"
CALICO_DECIDER = "Calico NetworkPolicy model-registry/registry-in ingress rule 0 (Allow)"


def _chosen(case: Case) -> bool:
    return case.rule_id == "MLF-K8S-063" or (case.rule_id == "MLF-K8S-060" and case.name.startswith("calico-"))


def test_the_dialect_cases_exist() -> None:
    """Each runs through test_engines_agree_and_match_expectation (conftest, bundle and gator)."""
    keys = {c.key for c in CASES if _chosen(c)}
    assert CALICO_OPENS in keys and "MLF-K8S-060/calico-policy-admits-only-ci" in keys
    assert {"MLF-K8S-063/calico-training-to-internet-on-443", "MLF-K8S-063/cilium-world-entity"} <= keys


def test_dialect_egress_messages_name_the_rule_of_the_policy(answers: Answers) -> None:
    texts = {
        case.name: sorted(f["message"] for f in answers.findings[case.key] if f["rule_id"] == "MLF-K8S-063")
        for case in CASES
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
    case = next(c for c in CASES if c.key == CALICO_OPENS)
    messages = [f["message"] for f in answers.findings[case.key] if f["rule_id"] == "MLF-K8S-060"]
    assert len(messages) == 3 and all(CALICO_DECIDER in m for m in messages), messages
    assert any("ml-training/trainer (component training) can reach model-registry/registry" in m for m in messages)
    suites, _aliases = gatorsuite.write_suites(
        tmp_path,
        [
            gatorsuite.GatorCase(
                name=case.key,
                document=case.document,
                findings=answers.findings[case.key],
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
