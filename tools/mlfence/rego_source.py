"""Static linking of Rego for Gatekeeper: a rule plus every lib file it needs, transitively.

Gatekeeper templates may only reference data.lib.* (their `libs`) and data.inventory.*, so the
generator gathers the lib packages a rule imports, and the ones those import, and refuses any
other data reference rather than ship a template that Gatekeeper would reject at apply time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
IMPORT = re.compile(r"^import\s+data\.([\w.]+)", re.MULTILINE)
DATA_REF = re.compile(r"\bdata\.([A-Za-z_][\w]*)")
ALLOWED_DATA_ROOTS = {"lib", "inventory"}


class LinkError(RuntimeError):
    """A rule cannot be linked into a Gatekeeper template."""


@dataclass(frozen=True)
class RegoFile:
    path: Path
    package: str
    imports: tuple[str, ...]
    text: str


def parse(path: Path) -> RegoFile:
    text = path.read_text()
    match = PACKAGE.search(text)
    if not match:
        raise LinkError(f"{path}: no package declaration")
    return RegoFile(path, match.group(1), tuple(IMPORT.findall(text)), text)


@cache
def lib_index(lib_root: Path) -> dict[str, tuple[RegoFile, ...]]:
    """Every non-test file under the lib root, grouped by package (a package may span files)."""
    index: dict[str, list[RegoFile]] = {}
    for path in sorted(lib_root.rglob("*.rego")):
        if path.name.endswith("_test.rego"):
            continue
        parsed = parse(path)
        index.setdefault(parsed.package, []).append(parsed)
    return {k: tuple(v) for k, v in index.items()}


def _imported_packages(imports: Iterable[str], index: dict[str, tuple[RegoFile, ...]]) -> set[str]:
    wanted = set()
    for imported in imports:
        # `import data.lib.a.b` may name a package or a rule inside package lib.a.
        candidates = [imported, imported.rsplit(".", 1)[0]]
        package = next((c for c in candidates if c in index), None)
        if package is None:
            raise LinkError(f"import data.{imported}: no such lib package")
        wanted.add(package)
    return wanted


def link(rule_path: Path, lib_root: Path) -> tuple[RegoFile, tuple[RegoFile, ...]]:
    """The rule file and the lib files it needs, in a stable order."""
    rule = parse(rule_path)
    index = lib_index(lib_root)
    pending = _imported_packages(rule.imports, index)
    linked: set[str] = set()
    while pending:
        package = pending.pop()
        if package in linked:
            continue
        linked.add(package)
        for lib in index[package]:
            pending |= _imported_packages(lib.imports, index) - linked
    libs = tuple(f for package in sorted(linked) for f in index[package])
    for source in (rule, *libs):
        for root in set(DATA_REF.findall(_strip_comments(source.text))):
            if root not in ALLOWED_DATA_ROOTS:
                raise LinkError(f"{source.path}: references data.{root}; Gatekeeper templates may only "
                                "reference data.lib and data.inventory (pass settings as parameters)")
    return rule, libs


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())
