"""Static linking of Rego for Gatekeeper, from OPA's own parse tree (`opa parse --format json`).

A ConstraintTemplate carries the rule's module plus, as `libs`, only the lib rules and functions
the rule calls, transitively: each lib file contributes the rules the template needs (with the
imports those rules use) and nothing else. The same walk over the parse tree tells which
parameters the template reads (`input.parameters.X`, directly or through a lib function that
reads the parameter named by one of its arguments, such as `config.value("X")`) and, for the
effect of a rule, which status its findings carry.

Gatekeeper templates may only reference data.lib.* (their `libs`) and data.inventory.*, so any
other data reference in a linked rule is refused rather than shipped to fail at apply time; the
one exception, the bundle-only range data, is carried under data.lib (BUNDLE_ONLY_DATA).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from mlfence import cache as user_cache
from mlfence import toolchain
from mlfence.errors import MlfenceError

# Data the bundle, conftest and the CLI load but Gatekeeper never has: the synced range data. A
# linked rule may read it because the template carries such references under data.lib, where they
# are undefined (mlfence.gatekeeper.template_lib_text); the rules then use their parameters.
BUNDLE_ONLY_DATA = "mlfence.rangedata"
ALLOWED_DATA_ROOTS = {"lib", "inventory", BUNDLE_ONLY_DATA}
# The statuses a finding constructor of lib.mlfence.result passes on (policy/lib/mlfence/result.rego).
FINDING_STATUSES = frozenset({"fail", "warn", "unknown"})

RuleKey = tuple[str, str]  # (package, rule name): every definition of the name in the package


class LinkError(MlfenceError, RuntimeError):
    """A rule cannot be linked into a Gatekeeper template."""


@dataclass(frozen=True)
class RegoFile:
    path: Path
    package: str
    imports: tuple[str, ...]
    text: str


@dataclass(frozen=True, eq=False)
class RuleDef:
    """One definition (`name ... if {...}`, possibly with `else` branches) of a rule."""

    module: Module
    name: str
    row: int  # first line, 1-based
    ast: dict[str, Any] = field(repr=False, compare=False)

    @property
    def key(self) -> RuleKey:
        return (self.module.package, self.name)

    @cached_property
    def terms(self) -> tuple[dict[str, Any], ...]:
        """Every term of the rule but its own name in the head (not a reference to itself)."""
        head = {k: v for k, v in self.ast["head"].items() if k != "ref"}
        return tuple(_walk([head, {k: v for k, v in self.ast.items() if k != "head"}]))

    @property
    def table_key(self) -> str | None:
        """ "k" for a definition `name["k"] := ...` (one entry of a table of literal keys)."""
        ref = self.ast["head"].get("ref") or []
        return str(ref[1]["value"]) if len(ref) == 2 and ref[1].get("type") == "string" else None

    @property
    def args(self) -> tuple[str, ...]:
        return tuple(a.get("value") if a.get("type") == "var" else "" for a in self.ast["head"].get("args") or ())

    @property
    def custom(self) -> dict[str, Any]:
        """The `custom:` of the rule's own METADATA block ({} without one)."""
        found: dict[str, Any] = {}
        for annotation in self.ast.get("annotations") or ():
            if annotation.get("scope") == "rule" and isinstance(annotation.get("custom"), dict):
                found.update(annotation["custom"])
        return found


@dataclass(frozen=True, eq=False)
class Module:
    path: Path
    package: str
    imports: dict[str, tuple[str, ...]]  # alias -> the imported path after `data`
    lines: tuple[str, ...] = field(repr=False)
    rules: tuple[RuleDef, ...] = field(default=(), repr=False, compare=False)

    def text_of(self, rule: RuleDef) -> str:
        """The rule's source: from its first line to the line before the next rule, without the
        comments and blank lines that lead into the next one (OPA's own location text of a
        `default` rule is only the keyword, so rows are used)."""
        following = [r.row for r in self.rules if r.row > rule.row]
        end = min(following) - 1 if following else len(self.lines)
        lines = list(self.lines[rule.row - 1 : end])
        while lines and (not lines[-1].strip() or lines[-1].startswith("#")):
            lines.pop()
        return "\n".join(lines)


_PARSE_FLAGS = ("--format", "json", "--json-include", "locations,-comments")


def _opa_parse(path: Path) -> dict[str, Any]:
    """OPA's parse tree of one file. A build or a fixtures run parses every policy file (~140 `opa
    parse` processes, ~2.4 s CPU), again in each process: the tree is kept in the user cache
    (mlfence.cache), keyed by the file's bytes, the flags and the engine's version, so an edited
    file or another engine misses. Not by the file's path: this module reads a tree's locations
    for rows and text only, never their file name, so the same policy at another path (a second
    environment of the same release, a moved or copied checkout) is not parsed again. A file that
    does not parse raises and is not kept."""
    engine = toolchain.binary("opa")
    content = hashlib.sha256(path.read_bytes()).hexdigest()
    key = user_cache.sources_key(*_PARSE_FLAGS, str(engine), toolchain.engine_version(engine), content)
    tree: dict[str, Any] = user_cache.json_value("rego-parse", key, lambda: _run_opa_parse(path))
    return tree


def _run_opa_parse(path: Path) -> dict[str, Any]:
    proc = toolchain.run("opa", "parse", *_PARSE_FLAGS, str(path), env=toolchain.compile_gc_env())
    if proc.returncode != 0:
        raise LinkError(f"{path}: opa parse failed: {proc.stderr.strip().splitlines()[-1:] or ''}")
    return json.loads(proc.stdout)


def _ref_path(term: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(e["value"]) for e in term["value"])


@cache
def parse(path: Path) -> Module:
    """The module at path, as OPA parses it."""
    tree = _opa_parse(path)
    package = ".".join(str(e["value"]) for e in tree["package"]["path"][1:])
    imports: dict[str, tuple[str, ...]] = {}
    for imported in tree.get("imports") or ():
        target = _ref_path(imported["path"])
        if target[0] != "data":
            continue  # rego.v1, future.keywords
        imports[imported.get("alias") or target[-1]] = target[1:]
    module = Module(path, package, imports, tuple(path.read_text().splitlines()))
    rules = tuple(
        RuleDef(
            module,
            str(r["head"]["ref"][0]["value"] if r["head"].get("ref") else r["head"]["name"]),
            int(r["location"]["row"]),
            r,
        )
        for r in tree.get("rules") or ()
    )
    object.__setattr__(module, "rules", rules)
    return module


def parse_all(paths: list[Path]) -> list[Module]:
    """parse() of many files, a few `opa parse` processes at a time (each is mostly start-up)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(parse, paths))


@cache
def lib_index(lib_root: Path) -> dict[str, tuple[Module, ...]]:
    """Every non-test module under the lib root, by package (a package may span files)."""
    modules = parse_all([p for p in sorted(lib_root.rglob("*.rego")) if not p.name.endswith("_test.rego")])
    index: dict[str, list[Module]] = {}
    for module in modules:
        index.setdefault(module.package, []).append(module)
    return {k: tuple(v) for k, v in index.items()}


def _head_name(term: dict[str, Any]) -> str:
    """The variable a var term is, or a ref term starts with ("" for anything else)."""
    if term["type"] == "var":
        return str(term["value"])
    if term["type"] == "ref" and term["value"] and term["value"][0].get("type") == "var":
        return str(term["value"][0]["value"])
    return ""


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every term of the parse tree below node (refs, calls, literals, ...)."""
    if isinstance(node, dict):
        if "type" in node and "value" in node:
            yield node
        for key, value in node.items():
            if key != "location":
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


@dataclass(frozen=True)
class Reference:
    """What a ref term names: a rule of a package, or some other data (root after `data`)."""

    rule: RuleKey | None = None
    whole_package: str = ""  # data.lib.x[dynamic]: every rule of the package
    data_root: str = ""  # after `data`, outside the packages: the first segment, or BUNDLE_ONLY_DATA
    alias: str = ""  # the import it goes through
    keyed: bool = False  # the reference reads into the rule (name[key] or name.key), not all of it


class Linker:
    """Resolves references over the lib index plus the rule's own module."""

    def __init__(self, index: dict[str, tuple[Module, ...]], base: Linker | None = None) -> None:
        self.index = index
        self.rules: dict[RuleKey, list[RuleDef]] = {k: list(v) for k, v in base.rules.items()} if base else {}
        self.packages: set[str] = set(base.packages) if base else set()
        self._base_accessors = base.accessors() if base else {}
        self._own: list[RuleDef] = []
        self._accessors: dict[RuleKey, frozenset[int]] | None = None
        # references() of each rule, by id (the rules live as long as parse's cache): the closure
        # and the parameter search ask for the same rules' references many times over.
        self._references: dict[int, tuple[tuple[dict[str, Any], Reference], ...]] = {}
        if base is None:
            for modules in index.values():
                for module in modules:
                    self._add(module)

    def _add(self, module: Module) -> None:
        self.packages.add(module.package)
        for rule in module.rules:
            self.rules.setdefault(rule.key, []).append(rule)
            self._own.append(rule)

    def extended(self, module: Module) -> Linker:
        """This linker plus a rule's own module (lib rules never call into it)."""
        linker = Linker(self.index, self)
        linker._add(module)
        return linker

    def resolve(self, module: Module, term: dict[str, Any]) -> Reference | None:
        if term["type"] == "var":  # a bare name: a rule of the module's package, or a local
            name = str(term["value"])
            return Reference(rule=(module.package, name)) if (module.package, name) in self.rules else None
        path = term["value"]
        if not path or path[0].get("type") != "var":
            return None
        head = str(path[0]["value"])
        rest = [str(e["value"]) if e.get("type") == "string" else None for e in path[1:]]
        if head == "data":
            return self._resolve_data(rest)
        if head in module.imports:
            found = self._resolve_data([*module.imports[head], *rest])
            return Reference(found.rule, found.whole_package, found.data_root, head, found.keyed)
        if (module.package, head) in self.rules:
            return Reference(rule=(module.package, head), keyed=bool(rest))
        return None

    def _resolve_data(self, segments: list[str | None]) -> Reference:
        for cut in range(len(segments), 0, -1):
            prefix = segments[:cut]
            if None in prefix:
                continue
            package = ".".join(str(s) for s in prefix)
            if package in self.packages:
                name = segments[cut] if cut < len(segments) else None
                if name is None:
                    return Reference(whole_package=package)
                return Reference(rule=(package, name), keyed=cut + 1 < len(segments))
        if ".".join(str(s) for s in segments[:2]) == BUNDLE_ONLY_DATA:
            return Reference(data_root=BUNDLE_ONLY_DATA)
        return Reference(data_root=str(segments[0]) if segments and segments[0] else "?")

    def definitions(self, key: RuleKey) -> list[RuleDef]:
        return self.rules.get(key, [])

    def references(self, rule: RuleDef) -> tuple[tuple[dict[str, Any], Reference], ...]:
        found = self._references.get(id(rule))
        if found is None:
            found = self._references[id(rule)] = tuple(self._find_references(rule))
        return found

    def _find_references(self, rule: RuleDef) -> Iterator[tuple[dict[str, Any], Reference]]:
        heads = {id(t["value"][0]) for t in rule.terms if t["type"] == "ref" and t["value"]}
        # A function's argument shadows a rule of the same name in its body (`isolation(labels,
        # policies)` reads its argument, not the package's `policies`).
        arguments = set(rule.args) - {""}
        for term in rule.terms:
            if _head_name(term) in arguments:
                continue
            if term["type"] == "ref" or (term["type"] == "var" and id(term) not in heads):
                found = self.resolve(rule.module, term)
                if found is not None:
                    yield term, found

    def dependencies(self, rule: RuleDef) -> set[RuleKey]:
        wanted: set[RuleKey] = set()
        for _, ref in self.references(rule):
            if ref.rule and ref.rule in self.rules:
                wanted.add(ref.rule)
            elif ref.rule:
                # OPA compiles a reference to a rule nobody defines (a typo, a renamed helper):
                # it is undefined at evaluation, so the rule would pass silently, fail open.
                package, name = ref.rule
                raise LinkError(
                    f"{rule.module.path}:{rule.row}: references {name} of data.{package}, which no "
                    f"rule of package {package} defines"
                )
            elif ref.whole_package:
                wanted |= {k for k in self.rules if k[0] == ref.whole_package}
            elif ref.data_root and ref.data_root not in ALLOWED_DATA_ROOTS:
                raise LinkError(
                    f"{rule.module.path}:{rule.row}: references data.{ref.data_root}; Gatekeeper "
                    "templates may only reference data.lib and data.inventory (pass settings as "
                    "parameters)"
                )
        return wanted

    # --- parameters ----------------------------------------------------------------------------

    def _calls(self, rule: RuleDef) -> Iterator[tuple[RuleKey, list[dict[str, Any]]]]:
        for term in rule.terms:
            if term["type"] == "call" and term["value"]:
                ref = self.resolve(rule.module, term["value"][0])
                if ref is not None and ref.rule:
                    yield ref.rule, term["value"][1:]

    @staticmethod
    def _parameter_reads(rule: RuleDef) -> Iterator[dict[str, Any]]:
        """The key terms of input.parameters[key] in the rule."""
        for term in rule.terms:
            path = term["value"] if term["type"] == "ref" else None
            if (
                path
                and len(path) > 2
                and path[0].get("value") == "input"
                and path[1].get("type") == "string"
                and path[1]["value"] == "parameters"
            ):
                yield path[2]

    def accessors(self) -> dict[RuleKey, frozenset[int]]:
        """Functions that read the parameter named by an argument: {function: argument positions},
        e.g. lib.mlfence.config.value(key) reads input.parameters[key]. A fixed point, since an
        accessor may pass its argument on to another."""
        if self._accessors is not None:
            return self._accessors
        found: dict[RuleKey, set[int]] = {k: set(v) for k, v in self._base_accessors.items()}
        changed = True
        while changed:
            changed = False
            for rule in self._own:
                args = rule.args
                positions = {
                    args.index(t["value"])
                    for t in self._parameter_reads(rule)
                    if t["type"] == "var" and t["value"] in args
                }
                for callee, call_args in self._calls(rule):
                    for position in found.get(callee, ()):
                        if (
                            position < len(call_args)
                            and call_args[position]["type"] == "var"
                            and call_args[position]["value"] in args
                        ):
                            positions.add(args.index(call_args[position]["value"]))
                if not positions <= found.get(rule.key, set()):
                    found.setdefault(rule.key, set()).update(positions)
                    changed = True
        self._accessors = {k: frozenset(v) for k, v in found.items() if v}
        return self._accessors

    def parameters_read(self, rule: RuleDef) -> tuple[set[str], bool]:
        """The parameter names the rule reads literally, and whether it also reads one whose name
        is computed (then the caller falls back to the names the rule's package spells out)."""
        names: set[str] = set()
        dynamic = False
        args = rule.args
        for key_term in self._parameter_reads(rule):
            if key_term["type"] == "string":
                names.add(str(key_term["value"]))
            elif not (key_term["type"] == "var" and key_term["value"] in args):
                dynamic = True
        accessors = self.accessors()
        for callee, call_args in self._calls(rule):
            for position in accessors.get(callee, ()):
                if position >= len(call_args):
                    continue
                arg = call_args[position]
                if arg["type"] == "string":
                    names.add(str(arg["value"]))
                elif not (arg["type"] == "var" and arg["value"] in args):
                    dynamic = True
        return names, dynamic

    # --- effect --------------------------------------------------------------------------------

    def statuses(self, key: RuleKey, seen: frozenset[RuleKey] = frozenset()) -> set[str]:
        """The finding statuses a finding constructor passes on: the status literals among its
        call arguments, else those of the functions of its package it calls."""
        direct = {
            str(arg["value"])
            for rule in self.definitions(key)
            for _, call_args in self._calls(rule)
            for arg in call_args
            if arg["type"] == "string" and arg["value"] in FINDING_STATUSES
        }
        if direct:
            return direct
        found: set[str] = set()
        for rule in self.definitions(key):
            for callee, _ in self._calls(rule):
                if callee[0] == key[0] and callee not in seen and callee != key:
                    found |= self.statuses(callee, seen | {key})
        return found


@cache
def lib_linker(lib_root: Path) -> Linker:
    return Linker(lib_index(lib_root))


@dataclass(frozen=True)
class Linked:
    rule: RegoFile
    libs: tuple[RegoFile, ...]
    parameters: frozenset[str]  # every parameter the rule and its linked libs read
    statuses: frozenset[str]  # the statuses of the rule's findings ("fail", "warn", "unknown")
    lib_rules: frozenset[RuleKey]
    reads_inventory: bool  # data.inventory: Gatekeeper must sync the cluster's objects
    # The groups of kinds the linked rules read from data.inventory beyond the ones every
    # cross-object rule reads, as the rule that reads them declares in its METADATA
    # (`custom: {inventory_kinds: model}`): which kinds to sync (gatekeeper.INVENTORY_GROUPS).
    inventory_groups: frozenset[str] = frozenset()


def declared_parameters(lib_root: Path) -> frozenset[str]:
    """The parameters the libs declare defaults for (`defaults["name"] := ...`)."""
    names = set()
    for modules in lib_index(lib_root).values():
        for module in modules:
            for rule in module.rules:
                ref = rule.ast["head"].get("ref") or []
                if rule.name == "defaults" and len(ref) == 2 and ref[1].get("type") == "string":
                    names.add(str(ref[1]["value"]))
    return frozenset(names)


def _defaults_packages(lib_root: Path) -> list[str]:
    return sorted(
        {
            module.package
            for modules in lib_index(lib_root).values()
            for module in modules
            for rule in module.rules
            if rule.name == "defaults"
        }
    )


@cache
def parameter_defaults(lib_root: Path) -> dict[str, Any]:
    """The parameters' default values, as the libs compute them (what the schemas are typed from)."""
    values: dict[str, Any] = {}
    for package in _defaults_packages(lib_root):
        proc = toolchain.run(
            "opa",
            "eval",
            "--format",
            "json",
            "--data",
            str(lib_root),
            "--ignore",
            "*_test.rego",
            f"data.{package}.defaults",
            env=toolchain.compile_gc_env(),
        )
        if proc.returncode != 0:
            raise LinkError(f"cannot evaluate data.{package}.defaults: {proc.stderr.strip()}")
        result = json.loads(proc.stdout).get("result") or []
        if result:
            values.update(result[0]["expressions"][0]["value"])
    return values


FINDING_RULES = ("violation", "warn", "deny")
# The METADATA `custom:` key by which a rule that reads data.inventory names the group of kinds it
# reads there (Rego reads the inventory by computed keys: the kinds cannot be read off the tree).
INVENTORY_KINDS = "inventory_kinds"


def analyse(rule_path: Path, lib_root: Path) -> Linked:
    """The rule's module with the lib rules it needs, the parameters read and its statuses."""
    return _analyse(rule_path.resolve(), lib_root.resolve())


@cache
def _analyse(rule_path: Path, lib_root: Path) -> Linked:
    main = parse(rule_path)
    if main.package in lib_index(lib_root):
        raise LinkError(f"{rule_path}: package {main.package} is a lib package")
    linker = lib_linker(lib_root).extended(main)
    own = {(main.package, r.name) for r in main.rules}
    # The parameter defaults table (`defaults["name"] := ...`) is only ever read at a parameter's
    # name, so it keeps the entries of the parameters the template reads: a fixed point, since
    # a kept entry's value may call more rules.
    params: set[str] = set()
    while True:
        kept = _closure(linker, own, params)
        found = _parameters(linker, kept, lib_root)
        if found <= params:
            break
        params |= found
    needed = {rule.key for rule in kept}
    statuses: set[str] = set()
    for rule in main.rules:
        if rule.name not in FINDING_RULES:
            continue
        term = rule.ast["head"].get("key") or rule.ast["head"].get("value")
        callee = linker.resolve(main, term["value"][0]) if term and term["type"] == "call" else None
        found = linker.statuses(callee.rule) if callee and callee.rule else set()
        statuses |= found or {"fail"}  # not a known constructor: assume it blocks
    lib_rules = frozenset(k for k in needed if k not in own)
    reads_inventory = any(ref.data_root == "inventory" for rule in kept for _, ref in linker.references(rule))
    inventory_groups = frozenset(str(r.custom[INVENTORY_KINDS]) for r in kept if INVENTORY_KINDS in r.custom)
    libs = tuple(
        _emit(module, linker, kept)
        for package in sorted(linker.index)
        for module in linker.index[package]
        if any(r in kept for r in module.rules)
    )
    return Linked(
        RegoFile(
            rule_path, main.package, tuple(".".join(v) for v in main.imports.values()), "\n".join(main.lines) + "\n"
        ),
        libs,
        frozenset(params),
        frozenset(statuses),
        lib_rules,
        reads_inventory,
        inventory_groups,
    )


PARAMETER_TABLE = "defaults"


def _closure(linker: Linker, roots: set[RuleKey], params: set[str]) -> set[RuleDef]:
    """The definitions the roots need, transitively; of the parameter defaults table only the
    entries of params, unless some needed rule reads the table whole."""
    needed: set[RuleKey] = set()
    whole_tables: set[RuleKey] = set()
    pending = set(roots)
    kept: set[RuleDef] = set()

    def definitions(key: RuleKey) -> list[RuleDef]:
        defs = linker.definitions(key)
        if key[1] == PARAMETER_TABLE and key not in whole_tables and all(d.table_key for d in defs):
            return [d for d in defs if d.table_key in params]
        return defs

    while pending:
        key = pending.pop()
        needed.add(key)
        for rule in definitions(key):
            if rule in kept:
                continue
            kept.add(rule)
            for _, ref in linker.references(rule):
                if ref.rule and ref.rule[1] == PARAMETER_TABLE and not ref.keyed and ref.rule not in whole_tables:
                    whole_tables.add(ref.rule)
                    needed.discard(ref.rule)  # walk it again, whole
            pending |= linker.dependencies(rule) - needed
    return kept


def _parameters(linker: Linker, kept: set[RuleDef], lib_root: Path) -> set[str]:
    params: set[str] = set()
    dynamic_packages: set[str] = set()
    for rule in kept:
        names, dynamic = linker.parameters_read(rule)
        params |= names
        if dynamic:
            dynamic_packages.add(rule.module.package)
    if dynamic_packages:
        # A computed parameter name can only be one the package spells out as a string.
        declared = declared_parameters(lib_root)
        params |= {
            str(t["value"])
            for rule in kept
            if rule.module.package in dynamic_packages
            for t in rule.terms
            if t["type"] == "string" and t["value"] in declared
        }
    return params


def _emit(module: Module, linker: Linker, wanted: set[RuleDef]) -> RegoFile:
    """The module reduced to the wanted rules and the imports they use."""
    kept = [r for r in module.rules if r in wanted]
    aliases = {ref.alias for rule in kept for _, ref in linker.references(rule) if ref.alias}
    imports = [
        f"import data.{'.'.join(path)}" + (f" as {alias}" if alias != path[-1] else "")
        for alias, path in sorted(module.imports.items())
        if alias in aliases
    ]
    parts = [
        f"# Linked by `mlfence build` from {module.path.name}: only the rules this template uses.",
        f"package {module.package}",
        "\n".join(imports),
        *(module.text_of(r) for r in kept),
    ]
    return RegoFile(
        module.path,
        module.package,
        tuple(".".join(module.imports[a]) for a in sorted(aliases)),
        "\n\n".join(p for p in parts if p) + "\n",
    )


def link(rule_path: Path, lib_root: Path) -> tuple[RegoFile, tuple[RegoFile, ...]]:
    """The rule file and the reduced lib files it needs, in a stable order."""
    linked = analyse(rule_path, lib_root)
    return linked.rule, linked.libs


def location_text(term: dict[str, Any]) -> str:
    """The source text OPA records for a term (debugging aid)."""
    return base64.b64decode(term.get("location", {}).get("text", "")).decode()


def reads_inventory(rule_path: Path, lib_root: Path) -> bool:
    """Whether the rule, or a lib rule it calls, reads data.inventory: its verdict on an object
    depends on the other objects of the cluster or of the scan."""
    return analyse(rule_path, lib_root).reads_inventory
