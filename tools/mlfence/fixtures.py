"""`mlfence fixtures`: one case, every engine.

Each rule's examples.yaml is expanded into what each engine reads: raw manifests and plan JSON
(conftest, the CLI), AdmissionReviews (bundle, webhook) and a `gator verify` suite. The index
(cases.json) lets the cross-engine test compare verdicts case by case.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlfence import catalog, gatekeeper, planfixture, toolchain
from mlfence.catalog import Rule
from mlfence.errors import MlfenceError
from mlfence.files import write_text_atomic

EXPECTATIONS = ("deny", "warn", "allow")


class FixtureError(MlfenceError, ValueError):
    """An examples.yaml case is malformed."""


@dataclass(frozen=True)
class Case:
    rule_id: str
    name: str
    expect: str
    target: str
    parameters: dict[str, Any]
    document: dict[str, Any]  # the Kubernetes object or the plan
    inventory: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.rule_id}/{self.name}"


def _check(rule: Rule, raw: dict[str, Any]) -> None:
    where = f"{rule.directory / 'examples.yaml'}: case {raw.get('name')!r}"
    if not isinstance(raw.get("name"), str) or not raw["name"]:
        raise FixtureError(f"{where}: every case needs a name")
    if raw.get("expect") not in EXPECTATIONS:
        raise FixtureError(f"{where}: expect must be one of {', '.join(EXPECTATIONS)}")
    if not isinstance(raw.get("parameters", {}), dict):
        raise FixtureError(f"{where}: parameters must be a mapping")
    if rule.target == "kubernetes" and not isinstance(raw.get("object"), dict):
        raise FixtureError(f"{where}: a Kubernetes case needs an object")
    if rule.target == "terraform" and not isinstance(raw.get("resources"), list):
        raise FixtureError(f"{where}: a Terraform case needs a resources list")


def cases(rules: tuple[Rule, ...] | None = None) -> list[Case]:
    out = []
    for rule in rules if rules is not None else catalog.load():
        seen: set[str] = set()
        for raw in rule.examples:
            _check(rule, raw)
            if raw["name"] in seen:
                raise FixtureError(f"{rule.directory / 'examples.yaml'}: duplicate case name {raw['name']!r}")
            seen.add(raw["name"])
            if rule.target == "kubernetes":
                document = raw["object"]
            else:
                try:
                    document = planfixture.build_plan(raw["resources"])
                except planfixture.FixtureError as exc:
                    raise FixtureError(f"{rule.directory / 'examples.yaml'}: case {raw['name']!r}: {exc}") from exc
            out.append(
                Case(
                    rule.rule_id,
                    raw["name"],
                    raw["expect"],
                    rule.target,
                    raw.get("parameters") or {},
                    document,
                    list(raw.get("inventory") or []),
                )
            )
    return out


def admission_review(obj: dict[str, Any], case_key: str) -> dict[str, Any]:
    """An admission.k8s.io/v1 AdmissionReview for creating the object (uid stable per case)."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    api_version = str(obj.get("apiVersion", "v1"))
    group, _, version = api_version.rpartition("/")
    request: dict[str, Any] = {
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlfence:{case_key}")),
        "kind": {"group": group, "version": version, "kind": obj.get("kind", "")},
        "resource": {"group": group, "version": version, "resource": str(obj.get("kind", "")).lower() + "s"},
        "name": metadata.get("name", ""),
        "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:ci:deployer"},
        "object": obj,
        "oldObject": None,
        "dryRun": False,
    }
    if metadata.get("namespace"):
        request["namespace"] = metadata["namespace"]
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def write(out: Path, base_parameters: dict[str, Any], enforcement_action: str | None = None) -> list[Case]:
    """Expand every example below `out`; returns the cases in index order."""
    all_cases = cases()
    index = []
    for case in all_cases:
        folder = out / ("k8s" if case.target == "kubernetes" else "terraform") / case.rule_id / case.name
        entry = {**asdict(case), "document": None, "inventory": None, "files": {}}
        if case.target == "kubernetes":
            manifests = [case.document, *case.inventory]
            entry["files"]["manifest"] = _put(folder / "object.yaml", _yaml(manifests))
            entry["files"]["object"] = _put(folder / "object-only.yaml", _yaml([case.document]))
            review = admission_review(case.document, case.key)
            entry["files"]["admission_review"] = _put(
                folder / "admission-review.json", json.dumps(review, indent=2, sort_keys=True)
            )
            if case.inventory:
                entry["files"]["inventory"] = _put(folder / "inventory.yaml", _yaml(case.inventory))
        else:
            entry["files"]["plan"] = _put(folder / "plan.json", json.dumps(case.document, indent=2, sort_keys=True))
        index.append({k: v for k, v in entry.items() if v is not None})
    _write_gator_suite(
        out / "gator", [c for c in all_cases if c.target == "kubernetes"], base_parameters, enforcement_action
    )
    write_text_atomic(out / "cases.json", json.dumps(index, indent=2, sort_keys=True) + "\n")
    return all_cases


def _yaml(documents: list[Any]) -> str:
    """The documents as one YAML stream (keys sorted), written with gatekeeper.dump's emitter."""
    return yaml.dump_all(documents, Dumper=gatekeeper.SAFE_DUMPER, sort_keys=True)


def _put(path: Path, text: str) -> str:
    write_text_atomic(path, text if text.endswith("\n") else text + "\n")
    return str(path)


def _write_gator_suite(out: Path, k8s_cases: list[Case], base: dict[str, Any], action: str | None) -> None:
    rules = {r.rule_id: r for r in gatekeeper.kubernetes_rules()}
    lib_root = toolchain.policy_dir() / "lib"
    tests = []
    for rule_id, rule in sorted(rules.items()):
        name = rule.rule_id.lower()
        template_path = f"templates/{name}.yaml"
        write_text_atomic(out / template_path, gatekeeper.dump(gatekeeper.template(rule, lib_root)))
        groups: dict[str, list[Case]] = {}
        for case in (c for c in k8s_cases if c.rule_id == rule_id):
            groups.setdefault(json.dumps(case.parameters, sort_keys=True), []).append(case)
        for number, (params_key, group) in enumerate(sorted(groups.items())):
            constraint_path = f"constraints/{name}-{number}.yaml"
            params = {**base, **json.loads(params_key)}
            write_text_atomic(out / constraint_path, gatekeeper.dump(gatekeeper.constraint(rule, params, action)))
            gator_cases = []
            for case in group:
                object_path = f"cases/{name}/{gatekeeper.case_file_name(case.name)}.yaml"
                write_text_atomic(out / object_path, _yaml([case.document]))
                gator_case: dict[str, Any] = {"name": case.name, "object": object_path}
                if case.inventory:
                    inventory_path = f"cases/{name}/{gatekeeper.case_file_name(case.name)}-inventory.yaml"
                    write_text_atomic(out / inventory_path, _yaml(case.inventory))
                    gator_case["inventory"] = [inventory_path]
                if case.expect == "allow":
                    gator_case["assertions"] = [{"violations": "no"}]
                else:
                    gator_case["assertions"] = [{"violations": "yes", "message": rule.rule_id}]
                gator_cases.append(gator_case)
            tests.append(
                {
                    "name": f"{name}-{number}",
                    "template": template_path,
                    "constraint": constraint_path,
                    "cases": gator_cases,
                }
            )
    suite = {
        "apiVersion": "test.gatekeeper.sh/v1alpha1",
        "kind": "Suite",
        "metadata": {"name": "mlfence"},
        "tests": tests,
    }
    write_text_atomic(out / "suite.yaml", gatekeeper.dump(suite))
