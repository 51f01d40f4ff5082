"""The Terraform part of the rule index (data/mlfence/rule_index, `terraform`) runs on a plan only
the rules of the resource types its resource_changes hold (policy/mlfence/evaluate.rego). That
must never change a finding: every Terraform example of every rule (examples.yaml, with its
parameters) and the example plan are judged the same with the shipped index as with every rule
run, and each example that expects a finding still gets it from its own rule when routed."""

from __future__ import annotations

import json
from typing import Any

from conftest import ROOT, strict_eval
from mlfence import catalog, fixtures, rule_index

# Each group of documents sharing parameters, judged twice in one evaluation: as shipped (routed by
# the index) and with every rule run (no index). The group's parts are bound before the `with`s:
# inside a comprehension, `with input as group.input` read the replaced input (an empty scan).
QUERY = """answers := [[routed, every_rule] |
	some group in input.groups
	documents := group.input
	params := group.params
	routed := data.mlfence.scan with input as documents with data.mlfence.overrides as params
	every_rule := data.mlfence.scan with input as documents with data.mlfence.overrides as params
		with data.mlfence.rule_index as {}
]"""


def _groups() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The documents grouped by parameters, and the rule ID each example that expects a finding
    expects it from (by document path)."""
    groups: dict[str, dict[str, Any]] = {}
    expected: dict[str, str] = {}
    plan = json.loads((ROOT / "examples" / "terraform" / "ml-platform.plan.json").read_text())
    sources: list[tuple[str, dict[str, Any], dict[str, Any]]] = [("ml-platform.plan.json", {}, plan)]
    for case in fixtures.cases():
        if case.target == "terraform":
            sources.append((case.key, case.parameters, case.document))
            if case.expect != "allow":
                expected[case.key] = case.rule_id
    for path, params, document in sources:
        group = groups.setdefault(json.dumps(params, sort_keys=True), {"params": params, "input": {"documents": []}})
        documents = group["input"]["documents"]
        documents.append({"path": path, "index": len(documents), "document": document})
    return list(groups.values()), expected


def test_routing_by_resource_type_changes_no_finding() -> None:
    groups, expected = _groups()
    assert len(expected) >= 47  # at least one failing example per Terraform rule
    answers = strict_eval(QUERY, {"groups": groups}, None, ROOT / "policy", ROOT / "data")["answers"]
    assert len(answers) == len(groups)
    found: dict[str, set[str]] = {}
    for group, (routed, every_rule) in zip(groups, answers, strict=True):
        assert len(routed) == len(group["input"]["documents"])
        assert routed == every_rule
        for answer in routed:
            found[answer["path"]] = {f["rule_id"] for f in answer["findings"]}
    for path, rule_id in expected.items():
        assert rule_id in found[path], path


def test_index_routes_every_terraform_rule_by_its_kinds() -> None:
    index = rule_index.build(catalog.load())["terraform"]
    routes = {
        (kind, tuple(pair))
        for section, suffix in (("types", ""), ("prefixes", "*"))
        for kind, pairs in index[section].items()
        for pair in pairs
        for kind in [kind + suffix]
    }
    rules = [rule for rule in catalog.load() if rule.target == "terraform"]
    assert len(rules) >= 47
    for rule in rules:
        pair = (rule.area, rule.slug)
        assert {(kind, pair) for kind in rule.kinds} <= routes, rule.rule_id
        assert rule.kinds or pair in {tuple(p) for p in index["any_type"]}, rule.rule_id
