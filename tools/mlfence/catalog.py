"""The rule catalog: every rule's metadata (from its METADATA block) and its examples.

Metadata is read with `opa inspect -a`, so the catalog, the docs, the Gatekeeper templates and
the findings all come from the one annotation block each rule carries. A rule names a group of
kinds (`custom.kind_groups: [pod-workloads]`) instead of copying a long kind list; the groups
are defined once, in lib.mlfence.k8s (`kind_groups`), and resolved here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mlfence import cache as user_cache
from mlfence import levels, toolchain
from mlfence.errors import MlfenceError

RULE_ID = re.compile(r"^MLF-(K8S|TF)-\d{3}$")
SEVERITIES = levels.SEVERITIES
# The targets a rule may declare, with the short name its long_id (and its target package) uses.
TARGETS = {"kubernetes": "k8s", "terraform": "terraform"}


class CatalogError(MlfenceError, RuntimeError):
    """The policy tree breaks the rule contract (docs/writing-rules.md)."""


@dataclass(frozen=True)
class Rule:
    rule_id: str
    long_id: str
    title: str
    description: str
    severity: str
    target: str
    kinds: tuple[str, ...]
    remediation: str
    package: str
    source: Path
    related: tuple[str, ...] = ()
    # Gatekeeper enforcement this rule always uses, whatever `mlfence build` is asked for
    # (e.g. "dryrun" for audit-only checks such as a Namespace lacking its default-deny).
    gatekeeper_enforcement: str = ""
    examples: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    # The platform behaviour the rule encodes (custom.platform) and the sources it was checked
    # against (custom.verified_against: repo, path and commit or ref, version, facts).
    platform: str = ""
    verified_against: tuple[dict[str, str], ...] = field(default=(), compare=False)

    @property
    def slug(self) -> str:
        return self.package.rsplit(".", 1)[-1]

    @property
    def area(self) -> str:
        """The area (Kubernetes) or provider (Terraform): the package's second-to-last part."""
        return self.package.rsplit(".", 2)[-2]

    @property
    def target_package(self) -> str:
        """The package holding every rule of the target: the package without area and slug."""
        return self.package.rsplit(".", 2)[0]

    @property
    def directory(self) -> Path:
        return self.source.parent


def _package_of(path: list[dict[str, Any]]) -> str:
    return ".".join(str(p["value"]) for p in path[1:])


# libyaml's loader when PyYAML has it: every rule's examples are read whenever the catalog is.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_examples(directory: Path) -> tuple[dict[str, Any], ...]:
    examples = directory / "examples.yaml"
    if not examples.exists():
        return ()
    try:
        document = yaml.load(examples.read_text(), Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{examples}: not valid YAML: {exc}") from exc
    cases = document.get("cases") if isinstance(document, dict) else None
    if not isinstance(cases, list):
        raise CatalogError(f"{examples}: expected a top-level 'cases' list")
    return tuple(cases)


def _kind_groups(root: Path) -> dict[str, tuple[str, ...]]:
    """Group name -> kinds, from data.lib.mlfence.k8s.kind_groups (policy/lib/mlfence/k8s_pods.rego)."""
    proc = toolchain.run(
        "opa",
        "eval",
        "--format",
        "json",
        "-d",
        str(root / "lib"),
        "--ignore",
        "*_test.rego",
        "data.lib.mlfence.k8s.kind_groups",
        cwd=root.parent,
        env=toolchain.compile_gc_env(),
    )
    if proc.returncode != 0:
        raise CatalogError(f"cannot read the kind groups: {proc.stderr.strip()}")
    result = json.loads(proc.stdout).get("result") or []
    groups = result[0]["expressions"][0]["value"] if result else {}
    return {str(name): tuple(str(k) for k in kinds) for name, kinds in groups.items()}


def _kinds(custom: dict[str, Any], source: Path, groups: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The kinds of the rule's groups, in group order, then the kinds it names itself."""
    kinds: list[str] = []
    for name in custom.get("kind_groups") or ():
        if str(name) not in groups:
            raise CatalogError(f"{source}: kind group {name!r} is not one of {', '.join(sorted(groups))}")
        kinds += groups[str(name)]
    kinds += [str(k) for k in custom.get("kinds") or ()]
    return tuple(dict.fromkeys(kinds))


def _rule_from(annotation: dict[str, Any], root: Path, groups: dict[str, tuple[str, ...]]) -> Rule:
    meta = annotation["annotations"]
    custom = meta.get("custom") or {}
    source = (root / annotation["location"]["file"]).resolve()
    if not source.exists():
        source = Path(annotation["location"]["file"]).resolve()
    rule_id = str(custom.get("id", ""))
    if not RULE_ID.match(rule_id):
        raise CatalogError(f"{source}: custom.id {rule_id!r} is not MLF-K8S-NNN / MLF-TF-NNN")
    severity = str(custom.get("severity", ""))
    if severity not in SEVERITIES:
        raise CatalogError(f"{source}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    target = str(custom.get("target", ""))
    if target not in TARGETS:
        raise CatalogError(f"{source}: target {target!r} is not kubernetes or terraform")
    for key in ("title", "description"):
        if not meta.get(key):
            raise CatalogError(f"{source}: METADATA needs a {key}")
    if not custom.get("recommended_action"):
        raise CatalogError(f"{source}: METADATA needs custom.recommended_action")
    return Rule(
        rule_id=rule_id,
        long_id=str(custom.get("long_id", "")),
        title=meta["title"].strip(),
        description=" ".join(meta["description"].split()),
        severity=severity,
        target=target,
        kinds=_kinds(custom, source, groups),
        remediation=" ".join(str(custom["recommended_action"]).split()),
        package=_package_of(annotation["path"]),
        source=source,
        related=tuple(r.get("ref", "") for r in meta.get("related_resources") or ()),
        gatekeeper_enforcement=str(custom.get("gatekeeper_enforcement", "")),
        examples=_load_examples(source.parent),
        platform=" ".join(str(custom.get("platform") or "").split()),
        verified_against=_sources(custom.get("verified_against")),
    )


def _sources(raw: Any) -> tuple[dict[str, str], ...]:
    """custom.verified_against as flat strings (folded YAML joined to one line); the Regal
    rule-metadata rule checks its shape, so anything else is left out here."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        {str(key): " ".join(str(value).split()) for key, value in entry.items() if value is not None}
        for entry in raw
        if isinstance(entry, dict)
    )


@cache
def load(policy: Path | None = None) -> tuple[Rule, ...]:
    """Every rule of the policy tree (a package whose METADATA carries custom.id), sorted by ID;
    IDs must be unique."""
    root = (policy or toolchain.policy_dir()).resolve()
    if not root.is_dir():
        raise CatalogError(f"{root} is not a policy folder")
    annotations, groups = _annotations_and_groups(root)
    rules = [
        _rule_from(a, root.parent, groups)
        for a in annotations
        if a["annotations"].get("scope") == "package" and (a["annotations"].get("custom") or {}).get("id")
    ]
    seen: dict[str, Path] = {}
    for rule in rules:
        if rule.rule_id in seen:
            raise CatalogError(f"rule ID {rule.rule_id} is used by {seen[rule.rule_id]} and {rule.source}")
        seen[rule.rule_id] = rule.source
    return tuple(sorted(rules, key=lambda r: r.rule_id))


def _annotations_and_groups(root: Path) -> tuple[list[dict[str, Any]], dict[str, tuple[str, ...]]]:
    """The METADATA of every package and the kind groups. Reading them costs two OPA processes
    (~1 s CPU), which every `check` that validates rule IDs would pay: the answer is kept in the
    user cache (mlfence.cache), keyed by the policy's Rego sources (paths and bytes) and the
    engine's version, so an edited or moved policy misses."""
    engine = toolchain.binary("opa")
    sources = sorted(p for p in root.rglob("*.rego") if not p.name.endswith("_test.rego"))
    key = user_cache.sources_key(str(root), str(engine), toolchain.engine_version(engine), files=sources)
    value = user_cache.json_value("catalog", key, lambda: _inspect(root))
    groups = {str(name): tuple(str(k) for k in kinds) for name, kinds in value["groups"].items()}
    return value["annotations"], groups


def _inspect(root: Path) -> dict[str, Any]:
    proc = toolchain.run(
        "opa", "inspect", "-a", "--format", "json", str(root), cwd=root.parent, env=toolchain.compile_gc_env()
    )
    if proc.returncode != 0:
        raise CatalogError(f"opa inspect failed:\n{proc.stderr.strip()}")
    annotations = json.loads(proc.stdout).get("annotations") or []
    named = any((a["annotations"].get("custom") or {}).get("kind_groups") for a in annotations)
    groups = _kind_groups(root) if named else {}
    return {"annotations": annotations, "groups": groups}


def target_package(target: str, policy: Path | None = None) -> str:
    """The package that holds a target's rules (every rule is <target package>.<area>.<slug>),
    read from the rules themselves, so no module hard-codes where rules live."""
    found = {r.target_package for r in load(policy) if r.target == target}
    if len(found) != 1:
        raise CatalogError(f"the {target} rules should share one package, found {sorted(found) or 'none'}")
    return found.pop()


def by_id(rule_id: str, policy: Path | None = None) -> Rule:
    for rule in load(policy):
        if rule.rule_id == rule_id.upper():
            return rule
    raise CatalogError(f"no rule with ID {rule_id!r} (see `mlfence rules`)")
