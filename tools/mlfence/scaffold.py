"""`mlfence new-rule`: the three files of a new rule, with the next free ID.

IDs are never reused: the next ID is one above the highest ever used in the target, counting
retired rules: the `retired-ids` of our Regal rule's settings in .regal/config.yaml, the one list
that `regal lint` (a retired ID in a rule fails it) and this command read.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from mlfence import catalog, toolchain
from mlfence.errors import MlfenceError
from mlfence.files import write_text_atomic

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
ID_PREFIX = {"kubernetes": "MLF-K8S", "terraform": "MLF-TF"}


class ScaffoldError(MlfenceError, ValueError):
    """The new rule cannot be created as asked."""


def _retired() -> set[str]:
    path = toolchain.project_root() / ".regal" / "config.yaml"
    if not path.exists():
        return set()
    try:
        settings = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ScaffoldError(f"{path}: not valid YAML: {exc}") from exc
    rule = ((settings.get("rules") or {}).get("mlfence") or {}).get("rule-metadata") or {}
    return {str(i) for i in rule.get("retired-ids") or ()}


def next_id(target: str) -> str:
    prefix = ID_PREFIX[target]
    used = {r.rule_id for r in catalog.load()} | _retired()
    numbers = [int(i.rsplit("-", 1)[1]) for i in used if i.startswith(prefix + "-")]
    return f"{prefix}-{max(numbers, default=0) + 1:03d}"


def create(target: str, area: str, slug: str) -> list[Path]:
    if target not in ID_PREFIX:
        raise ScaffoldError(f"target must be one of {', '.join(ID_PREFIX)}")
    for name, value in (("area", area), ("slug", slug)):
        if not SLUG.match(value):
            raise ScaffoldError(f"{name} {value!r} must be snake_case (letters, digits, _)")
    try:
        target_package = catalog.target_package(target)
    except catalog.CatalogError as exc:
        raise ScaffoldError(str(exc)) from None
    folder = toolchain.policy_dir().joinpath(*target_package.split(".")) / area / slug
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists")
    rule_id = next_id(target)
    package = f"{target_package}.{area}.{slug}"
    kubernetes = target == "kubernetes"
    lib = "k8s" if kubernetes else "tfplan"
    reads = "k8s.resource" if kubernetes else "r.address"
    body = (
        '\tk8s.in_scope\n\tk8s.kind == "<fill in>"\n\tmsg := sprintf("%s ...", [k8s.resource])'
        if kubernetes
        else '\tsome r in tfplan.of_type("<fill in>")\n\tmsg := sprintf("%s ...", [r.address])'
    )
    kinds_line = (
        "kinds: [<fill in>]  # or kind_groups: [pod-workloads] for every kind that runs pods"
        if kubernetes
        else "kinds: [<fill in>]"
    )
    rule = f"""# METADATA
# title: <fill in: one line that says what is wrong>
# description: >-
#   <fill in: the threat in 2-4 lines>
# related_resources:
#   - ref: <fill in: provider or upstream documentation URL>
# custom:
#   id: {rule_id}
#   long_id: {catalog.TARGETS[target]}-{slug.replace("_", "-")}
#   severity: high
#   target: {target}
#   {kinds_line}
#   recommended_action: >-
#     <fill in: what to write instead>
package {package}

import data.lib.mlfence.{lib}
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), {reads}, msg) if {{
{body}
}}
"""
    wrap = '{"review": {"object": obj}, "parameters": params}' if kubernetes else '{"plan": obj, "parameters": params}'
    test = f"""package {package}_test

import data.{package}

_violations(obj, params) := v if {{
	v := {slug}.violation with input as {wrap}
}}

test_deny_fill_in if {{
	count(_violations({{}}, {{}})) == 1
}}

test_allow_fill_in if {{
	count(_violations({{}}, {{}})) == 0
}}
"""
    examples = (
        "cases:\n  - name: fill-in-bad\n    expect: deny\n"
        + ("    object: {}\n" if kubernetes else "    resources: []\n")
        + "  - name: fill-in-good\n    expect: allow\n"
        + ("    object: {}\n" if kubernetes else "    resources: []\n")
    )
    written = [folder / f"{slug}.rego", folder / f"{slug}_test.rego", folder / "examples.yaml"]
    for path, text in zip(written, (rule, test, examples), strict=True):
        write_text_atomic(path, text)
    return written
