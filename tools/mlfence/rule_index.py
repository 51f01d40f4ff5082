"""The rule index: which Kubernetes rules can apply to an object of each kind.

The bundle, conftest and the CLI evaluate rules through `data.mlfence` (policy/mlfence/
evaluate.rego). Without an index every Kubernetes rule runs on every object; a Pod needs 12 of
the 35. The index is written from the rules' METADATA `kinds` (the same list Gatekeeper's
Constraints match on), committed at data/mlfence/rule_index/data.json (`make generate`; a test
fails when it is stale) and rewritten into every bundle `mlfence build` stages, so a bundle never
ships an index older than its rules. As in Gatekeeper, a kind no rule lists is checked by none
(except rules without `kinds`); without an index every rule runs.

It also lists the Kubernetes rules that read data.inventory (`cross_object`): their verdict on an
object depends on the objects around it, so conftest's adapter withholds their findings when it
sees a document alone (no `--combine`) instead of reporting, say, a default deny as missing that
sits in the same file (policy/main/main.rego).

Terraform rules are indexed the same way by resource type (their `kinds`; `aws_bedrock*` names
every type with that prefix): a plan runs only the rules of the types its resource_changes hold,
since each rule judges resources of its kinds and every resource a rule sees comes from those
changes. Most real plans hold none of the types a given rule checks, and running it anyway cost
~2 ms per plan for the 47 rules (bench/README.md, section 16).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlfence import rego_source, toolchain
from mlfence.catalog import Rule
from mlfence.files import write_text_atomic

PATH = Path("data/mlfence/rule_index/data.json")  # data path: mlfence.rule_index


def _pair(rule: Rule) -> list[str]:
    """[area, rule] of package <target package>.<area>.<rule>: policy/mlfence/evaluate.rego reads
    data.<target package>[area][rule]."""
    return [rule.area, rule.slug]


def build(rules: Iterable[Rule], lib_root: Path | None = None) -> dict[str, Any]:
    """{"kubernetes": {"kinds": {kind: [[area, rule]]}, "any_kind": [[area, rule]],
    "cross_object": [rule IDs]}, "terraform": _terraform(rules)}; lib_root (default: the
    project's policy/lib) is where the rules' imports are resolved."""
    lib_root = lib_root or toolchain.policy_dir() / "lib"
    rules = list(rules)  # read twice: the Kubernetes rules, then the Terraform ones
    kinds: dict[str, list[list[str]]] = {}
    any_kind: list[list[str]] = []
    cross_object: list[str] = []
    kubernetes = sorted((r for r in rules if r.target == "kubernetes"), key=lambda r: r.package)
    if len({r.target_package for r in kubernetes}) > 1:
        raise ValueError(f"Kubernetes rules in several packages: {sorted({r.target_package for r in kubernetes})}")
    for rule in kubernetes:
        if not rule.kinds:
            any_kind.append(_pair(rule))
        for kind in sorted(set(rule.kinds)):
            kinds.setdefault(kind, []).append(_pair(rule))
        if rego_source.reads_inventory(rule.source, lib_root):
            cross_object.append(rule.rule_id)
    return {
        "kubernetes": {
            "kinds": dict(sorted(kinds.items())),
            "any_kind": any_kind,
            "cross_object": sorted(cross_object),
        },
        "terraform": _terraform(rules),
    }


def _terraform(rules: Iterable[Rule]) -> dict[str, Any]:
    """{"types": {type: [[area, rule]]}, "prefixes": {prefix: [[area, rule]]}, "any_type": [[area,
    rule]]} for the Terraform rules (package mlfence.terraform.<area>.<rule>): a kind ending in
    `*` is a prefix, a rule without kinds runs for every plan."""
    types: dict[str, list[list[str]]] = {}
    prefixes: dict[str, list[list[str]]] = {}
    any_type: list[list[str]] = []
    for rule in sorted((r for r in rules if r.target == "terraform"), key=lambda r: r.package):
        if not rule.kinds:
            any_type.append(_pair(rule))
        for kind in sorted(set(rule.kinds)):
            if kind.endswith("*"):
                prefixes.setdefault(kind[:-1], []).append(_pair(rule))
            else:
                types.setdefault(kind, []).append(_pair(rule))
    return {"types": dict(sorted(types.items())), "prefixes": dict(sorted(prefixes.items())), "any_type": any_type}


def dumps(index: dict[str, Any]) -> str:
    return json.dumps(index, indent=1, sort_keys=True) + "\n"


def write(rules: Iterable[Rule], path: Path, lib_root: Path | None = None) -> Path:
    write_text_atomic(path, dumps(build(rules, lib_root)))
    return path
