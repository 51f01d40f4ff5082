"""The Helm chart `mlfence build` writes: linted with the pinned helm, rendered with `helm template`,
the same objects as the kustomize tree by default, values that change what they say, and the
rendered output judged by gator."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, SAFE_LOADER, run, tool
from mlfence import gatekeeper, helmchart, parameters

OPEN_EGRESS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "open-egress", "namespace": "ml-serving"},
    "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]},
}
AUDIT_ONLY = {r.rule_id for r in gatekeeper.kubernetes_rules() if r.gatekeeper_enforcement}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[gatekeeper.Artifact]]:
    artifacts = gatekeeper.artifacts(parameters.gatekeeper(ROOT / "data"))
    chart = tmp_path_factory.mktemp("helm") / "chart"
    for path, text in helmchart.files(artifacts, gatekeeper.kubernetes_rules()).items():
        (chart / path).parent.mkdir(parents=True, exist_ok=True)
        (chart / path).write_text(text)
    return chart, artifacts


def _template(chart: Path, values: dict[str, Any] | None = None, *sets: str) -> subprocess.CompletedProcess[str]:
    args = [tool("helm"), "template", "mlfence", str(chart)]
    if values is not None:
        (chart.parent / "values-test.yaml").write_text(yaml.safe_dump(values))
        args += ["-f", str(chart.parent / "values-test.yaml")]
    for item in sets:
        args += ["--set", item]
    return run(args)


def _objects(proc: subprocess.CompletedProcess[str]) -> dict[tuple[str, str], dict[str, Any]]:
    assert proc.returncode == 0, proc.stderr
    # libyaml's safe loader when PyYAML has it: the same objects, and the chart's rendered stream
    # (~1 MB per render, six renders) parses in a tenth of the pure-Python loader's time.
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.load_all(proc.stdout, Loader=SAFE_LOADER) if d}


def _constraints(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        d["metadata"]["labels"]["mlfence.io/rule-id"]: d
        for d in objects.values()
        if d["apiVersion"].startswith("constraints.gatekeeper.sh/")
    }


def test_chart_lints_with_the_pinned_helm(built: tuple[Path, list[gatekeeper.Artifact]]) -> None:
    chart, _ = built
    proc = run([tool("helm"), "lint", "--strict", str(chart)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 chart(s) failed" in proc.stdout


def test_default_render_is_the_kustomize_tree(built: tuple[Path, list[gatekeeper.Artifact]]) -> None:
    chart, artifacts = built
    rendered = _objects(_template(chart))
    kustomize = {
        (a.document["kind"], a.document["metadata"]["name"]): a.document
        for a in artifacts
        if a.document["kind"] != "Kustomization"
    }
    assert set(rendered) == set(kustomize)
    assert [k for k in kustomize if rendered[k] != kustomize[k]] == []


def test_render_follows_the_settings_system_namespaces(tmp_path: Path) -> None:
    """A user who judges kube-system (system_namespaces without it) gets no exclusion of it, in the
    kustomize tree and in the chart alike."""
    params = {**parameters.gatekeeper(ROOT / "data"), "system_namespaces": ["gatekeeper-system"]}
    artifacts = gatekeeper.artifacts(params)
    chart = tmp_path / "chart"
    for path, text in helmchart.files(artifacts, gatekeeper.kubernetes_rules()).items():
        (chart / path).parent.mkdir(parents=True, exist_ok=True)
        (chart / path).write_text(text)
    rendered = _constraints(_objects(_template(chart)))
    assert rendered["MLF-K8S-002"]["spec"]["match"]["excludedNamespaces"] == ["gatekeeper-system"]
    kustomize = {a.document["metadata"]["name"]: a.document for a in artifacts if a.path.startswith("constraints/mlf")}
    assert all(rendered[c["metadata"]["labels"]["mlfence.io/rule-id"]] == c for c in kustomize.values())


def test_two_releases_split_templates_from_constraints(built: tuple[Path, list[gatekeeper.Artifact]]) -> None:
    chart, _ = built
    first = _objects(_template(chart, None, "constraints.enabled=false"))
    assert {k[0] for k in first} == {"ConstraintTemplate", "SyncSet"}
    second = _objects(_template(chart, None, "templates.enabled=false", "sync.enabled=false"))
    assert {k[0] for k in second} == {gatekeeper.constraint_kind(r) for r in gatekeeper.kubernetes_rules()}


def test_values_set_actions_parameters_exemptions_and_namespaces(built: tuple[Path, list[gatekeeper.Artifact]]) -> None:
    chart, _ = built
    everyone = _constraints(_objects(_template(chart, {"enforcementAction": "warn"})))
    assert {c["spec"]["enforcementAction"] for r, c in everyone.items() if r not in AUDIT_ONLY} == {"warn"}
    assert {everyone[r]["spec"]["enforcementAction"] for r in AUDIT_ONLY} == {"dryrun"}
    exemption = {
        "rule": "MLF-K8S-001",
        "resource": "ml-serving/NetworkPolicy/open-*",
        "reason": "proxy rollout",
        "owner": "platform",
        "expires": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat(),
    }
    values = {
        "exemptions": [exemption],
        "excludedNamespaces": ["kube-system"],
        "rules": {
            "MLF-K8S-001": {"enforcementAction": "dryrun", "parameters": {"open_share_threshold": 0.5}},
            "MLF-K8S-002": {"excludedNamespaces": ["kube-system", "monitoring"]},
            "MLF-K8S-010": {"enabled": False},
        },
    }
    rendered = _objects(_template(chart, values))
    constraints = _constraints(rendered)
    assert constraints["MLF-K8S-001"]["spec"]["enforcementAction"] == "dryrun"
    assert constraints["MLF-K8S-001"]["spec"]["parameters"]["open_share_threshold"] == 0.5
    assert all(c["spec"]["parameters"]["exemptions"] == [exemption] for c in constraints.values())
    assert constraints["MLF-K8S-002"]["spec"]["match"]["excludedNamespaces"] == ["kube-system", "monitoring"]
    assert constraints["MLF-K8S-003"]["spec"]["match"]["excludedNamespaces"] == ["kube-system"]
    assert "excludedNamespaces" not in constraints["MLF-K8S-049"]["spec"]["match"]  # exposure: everywhere
    assert "MLF-K8S-010" not in constraints and ("ConstraintTemplate", "mlfk8s010hostport") not in rendered


def test_values_schema_refuses_a_misspelt_parameter_or_action(built: tuple[Path, list[gatekeeper.Artifact]]) -> None:
    chart, _ = built
    typo = _template(chart, {"rules": {"MLF-K8S-001": {"parameters": {"open_share_treshold": 0.5}}}})
    assert typo.returncode != 0 and "open_share_treshold" in typo.stderr
    foreign = _template(chart, {"rules": {"MLF-K8S-001": {"parameters": {"pii_labels": {}}}}})
    assert foreign.returncode != 0
    action = _template(chart, {"rules": {"MLF-K8S-008": {"enforcementAction": "deny"}}})  # audit-only
    assert action.returncode != 0


def test_gator_judges_the_rendered_chart(tmp_path: Path, built: tuple[Path, list[gatekeeper.Artifact]]) -> None:
    """The rendered objects install in Gatekeeper (gator loads every template and Constraint) and
    deny what the kustomize tree denies; the chart's exemption value reaches the Rego."""
    chart, _ = built
    manifest = tmp_path / "object.yaml"
    manifest.write_text(yaml.safe_dump(OPEN_EGRESS))

    def denied(values: dict[str, Any] | None, rule: str | None = None) -> set[str]:
        """gator's denials of the chart rendered with `values`: every template and Constraint, or
        with `rule` only that rule's (and every object that is neither)."""
        rendered = tmp_path / "rendered.yaml"
        proc = _template(chart, values)
        assert proc.returncode == 0, proc.stderr
        rendered.write_text(proc.stdout if rule is None else _only_rule(proc.stdout, rule))
        gator = run([tool("gator"), "test", "-o", "json", "-f", str(rendered), "-f", str(manifest)])
        assert gator.returncode in (0, 1), gator.stderr
        return {r["metadata"]["details"]["rule_id"] for r in json.loads(gator.stdout or "[]") or []}

    assert "MLF-K8S-001" in denied(None)
    exemption = {
        "rule": "MLF-K8S-001",
        "resource": "ml-serving/NetworkPolicy/open-*",
        "reason": "proxy rollout",
        "owner": "platform",
        "expires": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat(),
    }
    # Only what is asserted: MLF-K8S-001's template and Constraint (the run above loaded them all).
    assert "MLF-K8S-001" not in denied({"exemptions": [exemption]}, "MLF-K8S-001")


def _only_rule(stream: str, rule: str) -> str:
    """A rendered chart with the ConstraintTemplates and Constraints of one rule only."""
    docs = [d for d in yaml.load_all(stream, Loader=SAFE_LOADER) if d]
    [kind] = {d["kind"] for d in docs if (d["metadata"].get("labels") or {}).get("mlfence.io/rule-id") == rule}
    kept = [
        d
        for d in docs
        if d["kind"] == kind
        or (d["kind"] == "ConstraintTemplate" and d["spec"]["crd"]["spec"]["names"]["kind"] == kind)
        or (d["kind"] != "ConstraintTemplate" and not d["apiVersion"].startswith("constraints.gatekeeper.sh/"))
    ]
    assert {d["kind"] for d in kept} >= {"ConstraintTemplate", kind}
    return yaml.safe_dump_all(kept)
