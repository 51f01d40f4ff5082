"""The rule index: which Kubernetes rules can apply to an object of each kind.

The bundle, conftest and the CLI evaluate rules through `data.mlfence` (policy/mlfence/
evaluate.rego). Without an index every Kubernetes rule runs on every object; a Pod needs 12 of
the 35. The index is written from the rules' METADATA `kinds` (the same list Gatekeeper's
Constraints match on), committed at data/mlfence/rule_index/data.json (`make generate`; a test
fails when it is stale) and rewritten into every bundle `mlfence build` stages, so a bundle never
ships an index older than its rules. As in Gatekeeper, a kind no rule lists is checked by none
(except rules without `kinds`); without an index every rule runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlfence.catalog import Rule
from mlfence.files import write_text_atomic

PATH = Path("data/mlfence/rule_index/data.json")  # data path: mlfence.rule_index
TARGET_PACKAGE = {"kubernetes": "k8s"}


def _pair(rule: Rule) -> list[str]:
    """[area, rule] of package k8s.<area>.<rule>."""
    parts = rule.package.split(".")
    if len(parts) != 3 or parts[0] != TARGET_PACKAGE[rule.target]:
        raise ValueError(f"{rule.rule_id}: package {rule.package} is not k8s.<area>.<rule>")
    return parts[1:]


def build(rules: Iterable[Rule]) -> dict[str, Any]:
    """{"kubernetes": {"kinds": {kind: [[area, rule]]}, "any_kind": [[area, rule]]}}."""
    kinds: dict[str, list[list[str]]] = {}
    any_kind: list[list[str]] = []
    for rule in sorted((r for r in rules if r.target == "kubernetes"), key=lambda r: r.package):
        if not rule.kinds:
            any_kind.append(_pair(rule))
        for kind in sorted(set(rule.kinds)):
            kinds.setdefault(kind, []).append(_pair(rule))
    return {"kubernetes": {"kinds": dict(sorted(kinds.items())), "any_kind": any_kind}}


def dumps(index: dict[str, Any]) -> str:
    return json.dumps(index, indent=1, sort_keys=True) + "\n"


def write(rules: Iterable[Rule], path: Path) -> Path:
    write_text_atomic(path, dumps(build(rules)))
    return path
