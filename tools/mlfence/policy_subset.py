"""The Rego modules one scan needs. OPA parses and compiles every module it is given, whether a
query reaches it or not, and that is most of what one `mlfence check` of a small file costs
(bench/README.md). A scan reaches: the parts of package mlfence that data.mlfence.scan reads
(SCAN_MODULES), the rule packages data.mlfence.k8s[area][rule] routes the scanned kinds to
(policy/mlfence/evaluate.rego: the rule index, data/mlfence/rule_index), every Terraform rule
when a plan is scanned, and every package those modules reference, transitively. `mlfence reach`
compiles the same way from REACH_MODULES, routing no rule.

References are read from the source text (`data.a.b...`, imports included), which is a superset
of what a module can reach: a reference reaches every package it names a part of, or that it is
a part of. A module left out that a kept one still called would fail the compile (undefined
function or unsafe variable), never pass silently; a kept module's full `data.` reference to a
rule left out would read undefined, which is why every reference is followed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# The files of package mlfence that data.mlfence.scan reads (tests/test_policy_subset.py checks
# them against `opa deps data.mlfence.scan`); the package's other files serve the sidecar, the
# reach model and conftest, and reach libraries a scan never evaluates.
SCAN_MODULES = ("mlfence/evaluate.rego", "mlfence/scan.rego")
# What data.mlfence.reach reads (tests/test_policy_subset.py checks it as SCAN_MODULES): the reach
# model and the document helpers of the scan it calls; it runs no rule (no target is routed).
REACH_MODULES = (*SCAN_MODULES, "mlfence/reach.rego")
ENTRY_PACKAGE = "mlfence"
# The dynamic references through which evaluate.rego runs the rules of a target.
RULE_ROOTS = {"kubernetes": "mlfence.k8s", "terraform": "mlfence.terraform"}

_PACKAGE = re.compile(r"^package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
_REFERENCE = re.compile(r"\bdata((?:\.[A-Za-z_]\w*)+)")
_COMMENT_LINE = re.compile(r"^\s*#.*$", re.MULTILINE)


@dataclass(frozen=True)
class Module:
    path: Path
    package: str
    references: frozenset[str]  # dotted paths under data, e.g. "lib.mlfence.k8s"


def _packages_by_reference(packages: list[str]) -> Callable[[str], list[str]]:
    """A lookup of the packages a reference reaches: those it names a part of (data.a.b.c reaches
    package a.b) and those it is a part of (data.a reaches package a.b)."""
    below: dict[str, list[str]] = {}
    for package in packages:
        parts = package.split(".")
        for end in range(1, len(parts) + 1):
            below.setdefault(".".join(parts[:end]), []).append(package)
    known = set(packages)

    def reached(reference: str) -> list[str]:
        parts = reference.split(".")
        above = [p for p in (".".join(parts[:end]) for end in range(1, len(parts))) if p in known]
        return above + below.get(reference, [])

    return reached


@cache
def _read(path: Path, mtime_ns: int, size: int) -> Module:
    text = _COMMENT_LINE.sub("", path.read_text(encoding="utf-8"))
    found = _PACKAGE.search(text)
    package = found.group(1) if found else ""
    return Module(path, package, frozenset(m.group(1)[1:] for m in _REFERENCE.finditer(text)))


def modules(policy: Path) -> list[Module]:
    """Every non-test module under the policy folder, as OPA would load it with
    `--ignore *_test.rego`. Reading all of them costs ~0.05 s CPU per run: what was read is
    kept in the user cache, keyed by every module's path and stat (mlfence.cache)."""
    from mlfence import cache

    paths = [p for p in sorted(policy.rglob("*.rego")) if not p.name.endswith("_test.rego")]
    key = cache.sources_key(*(cache.file_identity(p) for p in paths))
    found = cache.json_value(
        "policy-modules",
        key,
        lambda: [[m.package, sorted(m.references)] for m in (_read(p, *_stamp(p)) for p in paths)],
    )
    try:
        return [Module(p, str(package), frozenset(refs)) for p, (package, refs) in zip(paths, found, strict=True)]
    except (TypeError, ValueError):  # an entry of another shape: read the modules again
        return [_read(p, *_stamp(p)) for p in paths]


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def kubernetes_rules(rule_index: Any, kinds: Iterable[str]) -> set[str] | None:
    """The rule packages data.mlfence.k8s[area][rule] runs for objects of `kinds`, as
    evaluate.rego's _k8s_violations picks them; None when the index is missing or not of the
    expected shape (every rule runs then, here as in the Rego)."""
    index = rule_index.get("kubernetes") if isinstance(rule_index, dict) else None
    if not isinstance(index, dict) or not isinstance(index.get("kinds"), dict):
        return None
    lists = [index["kinds"].get(kind, []) for kind in kinds]
    lists.append(index.get("any_kind", []))
    packages = set()
    for pairs in lists:
        if not isinstance(pairs, list):
            return None
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
                return None
            packages.add(f"{RULE_ROOTS['kubernetes']}.{pair[0]}.{pair[1]}")
    return packages


def needed(
    policy: Path, targets: set[str], kubernetes: set[str] | None, entry_modules: tuple[str, ...] = SCAN_MODULES
) -> list[Path]:
    """The module files a scan of documents of `targets` needs, `kubernetes` being the rule
    packages the scanned kinds route to (None: all); `entry_modules` are the files of package
    mlfence the query reads (REACH_MODULES for data.mlfence.reach, with no target)."""
    everything = modules(policy)
    by_package: dict[str, list[Module]] = {}
    for module in everything:
        by_package.setdefault(module.package, []).append(module)
    entry = [m for m in everything if m.path.relative_to(policy).as_posix() in entry_modules]
    if len(entry) != len(entry_modules):
        raise FileNotFoundError(f"{policy} lacks one of {', '.join(entry_modules)}")
    # Package mlfence is taken file by file (SCAN_MODULES), never whole.
    reached = _packages_by_reference([p for p in by_package if p != ENTRY_PACKAGE])
    kept: dict[Path, Module] = {}
    pending = list(entry)
    for target in sorted(targets):
        root = RULE_ROOTS[target]
        for package, members in by_package.items():
            chosen = kubernetes is None or package in kubernetes if target == "kubernetes" else True
            if package.startswith(root + ".") and chosen:
                pending += members
    # evaluate.rego's references to the rule roots are the routing just resolved; anywhere
    # else they would reach every rule.
    routed = set(RULE_ROOTS.values())
    while pending:
        module = pending.pop()
        if module.path in kept:
            continue
        kept[module.path] = module
        for reference in module.references - routed if module in entry else module.references:
            for package in reached(reference):
                pending += by_package[package]
    return sorted(kept)


def rule_index(data: Path) -> Any:
    """The rule index OPA would load from a staged data tree (settings.stage_data), or None when
    it is absent or another data file could also contribute to data.mlfence.rule_index: one at
    data/ or data/mlfence/, or more than one under data/mlfence/rule_index/."""
    if any((data / where / name).exists() for where in ("", "mlfence") for name in DATA_NAMES):
        return None
    present = [p for p in (data / "mlfence" / "rule_index").rglob("*") if p.name in DATA_NAMES]
    if len(present) != 1 or present[0] != data / "mlfence" / "rule_index" / "data.json":
        return None
    try:
        return json.loads(present[0].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# The file names OPA's loader reads as data documents (settings.DATA_NAMES, and .yml).
DATA_NAMES = ("data.json", "data.yaml", "data.yml")
