"""The batched Gatekeeper check can fail: a case whose expected findings are wrong fails, by its
own name and naming the rule, while the cases around it in the same gator run pass; in the one
`gator test` run (single-object rules, and inventory readers where the run's objects do not change
the answer), in a packed `gator test` run (inventory readers, cases with their own inventory) and
in the `gator verify` suites (inventory readers judged with the case's own inventory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gatorsuite
from conftest import ROOT
from engines import assert_gator_agrees
from ml_serving import DEFAULT_DENY, DEPLOYMENT
from mlfence import parameters

OPEN_EGRESS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "open-egress", "namespace": "ml-serving"},
    "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]},
}
EGRESS_FINDING = {"rule_id": "MLF-K8S-001", "status": "fail", "message": "MLF-K8S-001: anything"}


def test_a_wrong_expectation_fails_its_case_by_name(tmp_path: Path) -> None:
    cases = [
        # Deliberately broken: claims the open policy has no MLF-K8S-001 finding.
        gatorsuite.GatorCase(
            name="broken/open-egress-said-clean", document=OPEN_EGRESS, findings=[], also=frozenset({"MLF-K8S-001"})
        ),
        # Deliberately broken the other way: a finding gator will not produce.
        gatorsuite.GatorCase(name="broken/closed-said-open", document=DEFAULT_DENY, findings=[EGRESS_FINDING]),
        gatorsuite.GatorCase(name="fine/closed", document=DEFAULT_DENY, findings=[]),
        # Deliberately broken under an inventory-reading rule (a gator verify suite's case).
        # Its pods are selected by no NetworkPolicy of the inventory: MLF-K8S-009, which reads data.inventory.
        gatorsuite.GatorCase(
            name="broken/deployment-said-isolated",
            document=DEPLOYMENT,
            findings=[],
            inventory=[DEPLOYMENT],
            also=frozenset({"MLF-K8S-009"}),
        ),
        # Deliberately broken under the same inventory reader in the one `gator test` run, whose
        # inventory holds every object of the run: the caller claims (wrongly) that the strict
        # decision finds the Deployment isolated there, but OPEN_EGRESS opens its pods' egress.
        gatorsuite.GatorCase(
            name="broken/deployment-said-isolated-beside-open-egress",
            document=DEPLOYMENT,
            findings=[],
            also=frozenset({"MLF-K8S-009"}),
            findings_in_one_run=[],
        ),
        # Deliberately broken under the same inventory reader in a packed `gator test` run (the
        # judge below claims, as for the case above, that the run's objects leave the strict
        # decision's findings as they are).
        gatorsuite.GatorCase(
            name="broken/deployment-said-isolated-in-a-packed-run",
            document=DEPLOYMENT,
            findings=[],
            inventory=[DEPLOYMENT],
            also=frozenset({"MLF-K8S-009"}),
        ),
    ]
    assert gatorsuite.in_one_run(cases[0], "MLF-K8S-001") and not gatorsuite.in_one_run(cases[3], "MLF-K8S-009")
    assert gatorsuite.in_one_run(cases[4], "MLF-K8S-009")

    def judge(asked: list[tuple[gatorsuite.GatorCase, list[dict[str, Any]]]]) -> list[list[dict[str, Any]]]:
        """The packed case keeps its findings; the suite's case (said to change) stays in the suite."""
        changed = [{**EGRESS_FINDING, "rule_id": "MLF-K8S-009"}]
        return [case.findings if "packed" in case.name else changed for case, _objects in asked]

    failures = gatorsuite.verify(tmp_path, cases, parameters.gatekeeper(ROOT / "data"), parts=1, judge=judge)
    assert set(failures) == {
        "broken/open-egress-said-clean",
        "broken/closed-said-open",
        "broken/deployment-said-isolated",
        "broken/deployment-said-isolated-beside-open-egress",
        "broken/deployment-said-isolated-in-a-packed-run",
    }, failures
    assert any(
        r.startswith("mlf-k8s-009-0: unexpected number of violations: got 1 violations but want exactly 0")
        for r in failures["broken/deployment-said-isolated-in-a-packed-run"]
    ), failures
    assert any(
        r.startswith("mlf-k8s-009-0: unexpected number of violations: got 1 violations but want exactly 0")
        for r in failures["broken/deployment-said-isolated-beside-open-egress"]
    ), failures
    assert any(
        r.startswith("mlf-k8s-009-0: unexpected number of violations: got 1")
        for r in failures["broken/deployment-said-isolated"]
    ), failures
    # The open policy also breaks other egress rules the broken case claimed clean: each fails.
    assert any(
        r.startswith("mlf-k8s-001-0: unexpected number of violations: got 1")
        for r in failures["broken/open-egress-said-clean"]
    ), failures
    with pytest.raises(AssertionError, match="gator disagrees with the bundle on broken/closed-said-open"):
        assert_gator_agrees("broken/closed-said-open", failures)
    assert_gator_agrees("fine/closed", failures)


def test_parse_reads_gator_verify_output() -> None:
    output = "\n".join(
        [
            "=== RUN   mlf-k8s-001-0",
            "    === RUN   a/one",
            "    --- PASS: a/one\t(0.2s)",
            "    === RUN   a/two",
            "    --- FAIL: a/two\t(0.2s)",
            "        unexpected number of violations: got 0 violations but want exactly 1",
            "--- FAIL: mlf-k8s-001-0\t(0.5s)",
            "=== RUN   mlf-k8s-002-0",
            "--- FAIL: mlf-k8s-002-0\t(0.1s)",
            "  adding template: rego_parse_error",
            "FAIL",
        ]
    )
    failures, ran, errors = gatorsuite.parse(output)
    assert failures == {
        "a/two": ["mlf-k8s-001-0: unexpected number of violations: got 0 violations but want exactly 1"]
    }
    assert ran == {"a/one", "a/two"}
    assert errors == ["--- FAIL: mlf-k8s-002-0\t(0.1s)\n  adding template: rego_parse_error"]
