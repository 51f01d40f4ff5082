"""Point Terraform findings at the .tf line that needs changing, not at `plan.json:1`.

The plan's `configuration` says which module each resource lives in and where each module call
gets its source; `.terraform/modules/modules.json` (written by `terraform init`) says where
registry and git modules were downloaded. The .tf files are parsed with python-hcl2 (its Lark
parse tree keeps line numbers); nothing here parses HCL by hand.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlfence.planfixture import FixtureError, parse_address

# A suppression comment on a resource block, in the line(s) right above it or inside it:
#   # mlfence-suppress MLF-TF-001 reason="bastion host, PLAT-9" expires=2027-01-31
_SUPPRESS_COMMENT = re.compile(r"^\s*(?:#|//)\s*mlfence-suppress\b(?P<rest>.*)$")
_COMMENT_LINE = re.compile(r"^\s*(?:#|//)")
_KEY_VALUE = re.compile(r'(?P<key>[A-Za-z_]+)=(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))')
# A module source that is a folder on disk, per Terraform's module source rules.
_LOCAL_SOURCE = re.compile(r"^\.\.?[/\\]")

# The parser (mlfence.tfhcl: python-hcl2 and Lark, ~0.1 s CPU to import) is imported once a .tf
# file is found: most plan folders, and all of the real-plan corpus, have none beside the plan.
if TYPE_CHECKING:
    from mlfence.tfhcl import Block


@dataclass(frozen=True)
class SourceLocation:
    file: str
    line: int
    end_line: int
    attribute: str = ""


def _variants(path: str) -> set[str]:
    return {path, re.sub(r"\[\d+\]", "", path)}


def _named_attribute(block: Block, message: str) -> str:
    """The most specific attribute path the message names, or "". A bare word (`internal`) counts
    only as `internal =`/`internal is`, so English words in a message do not match attributes."""
    best = ""
    best_len = 0
    for path in block.attributes:
        for variant in _variants(path):
            simple = "." not in variant and "_" not in variant
            tail = r"\s*(=|is\b|:)" if simple else r"(?![\w\[])"
            if re.search(r"(?<![\w.\[\]])" + re.escape(variant) + tail, message) and len(variant) > best_len:
                best, best_len = path, len(variant)
    return best


def parse_suppression_comment(line: str) -> dict[str, str] | None:
    """The marks of one `mlfence-suppress` comment, in the shape of the tag marks the policy
    judges ({"rules", "reason", "expires"}), or None when the line is not one."""
    match = _SUPPRESS_COMMENT.match(line)
    if match is None:
        return None
    rest = match.group("rest")
    marks: dict[str, str] = {}
    for pair in _KEY_VALUE.finditer(rest):
        key = pair.group("key").lower()
        if key in ("reason", "expires"):
            marks.setdefault(key, pair.group("quoted") if pair.group("quoted") is not None else pair.group("bare"))
    marks["rules"] = " ".join(_KEY_VALUE.sub(" ", rest).split())
    return marks


def _block_comment(lines: list[str], line: int, end_line: int) -> tuple[int, dict[str, str]] | None:
    """The first suppression comment directly above a block (contiguous comment lines) or inside
    it (lines are 1-based), with its line."""
    above = line - 1
    while above >= 1 and _COMMENT_LINE.match(lines[above - 1]):
        above -= 1
    for number in [*range(above + 1, line), *range(line, min(end_line, len(lines)) + 1)]:
        marks = parse_suppression_comment(lines[number - 1])
        if marks is not None:
            return number, marks
    return None


class Sources:
    """The .tf sources behind one plan, parsed lazily, one folder at a time."""

    def __init__(
        self, plan: dict[str, Any], root: Path, parsed: dict[Path, dict[tuple[str, str, str], Block]] | None = None
    ) -> None:
        self.root = root
        config = plan.get("configuration") if isinstance(plan, dict) else None
        root_module = config.get("root_module") if isinstance(config, dict) else None
        self.config: dict[str, Any] = root_module if isinstance(root_module, dict) else {}
        # Shared by the plans of one run: two plans made from one tree parse it once.
        self._folders = parsed if parsed is not None else {}
        self.problems: list[tuple[str, str]] = []  # (file, message): .tf files that did not parse
        self._installed = self._modules_json()
        self._lines: dict[str, list[str]] = {}

    def _modules_json(self) -> dict[str, str]:
        manifest = self.root / ".terraform" / "modules" / "modules.json"
        try:
            modules = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
        except (OSError, ValueError, AttributeError):
            return {}
        return {str(m.get("Key")): str(m.get("Dir")) for m in modules if isinstance(m, dict) and m.get("Dir")}

    def _folder(self, modules: tuple[tuple[str, str], ...]) -> Path | None:
        folder, node = self.root, self.config
        for depth, (name, _key) in enumerate(modules):
            calls = node.get("module_calls") if isinstance(node, dict) else None
            call = calls.get(name) if isinstance(calls, dict) else None
            if not isinstance(call, dict):
                return None
            source = call.get("source")
            installed = self._installed.get(".".join(n for n, _ in modules[: depth + 1]))
            if isinstance(source, str) and _LOCAL_SOURCE.match(source):
                # Relative to the calling module's folder; a plan made on Windows writes `.\modules\x`.
                folder = Path(os.path.normpath(folder / source.replace("\\", "/")))
            elif installed:
                folder = Path(os.path.normpath(self.root / installed))
            else:
                return None  # a registry or git module that `terraform init` has not fetched here
            node = call.get("module") or {}
        return folder

    def _blocks(self, folder: Path) -> dict[tuple[str, str, str], Block]:
        if folder not in self._folders:
            blocks: dict[tuple[str, str, str], Block] = {}
            for path in sorted(folder.glob("*.tf")) if folder.is_dir() else ():
                from mlfence import tfhcl  # a .tf file to parse: the parser is needed now

                try:
                    for key, block in tfhcl.resource_blocks(path, str(path)).items():
                        blocks.setdefault(key, block)
                # Lark's parse errors, and what a pathological file can raise on the way (a
                # nesting deeper than the recursion limit): a source we cannot read is a note.
                except (tfhcl.ParseError, UnicodeDecodeError, OSError, RecursionError, ValueError) as exc:
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    self.problems.append((str(path), f"cannot parse Terraform source: {first}"))
            self._folders[folder] = blocks
        return self._folders[folder]

    def suppression_comment(self, address: str) -> dict[str, str] | None:
        """The suppression comment on the block of a resource address, with `where` (file:line)."""
        block = self.locate(address)
        if block is None:
            return None
        if block.file not in self._lines:
            try:
                self._lines[block.file] = Path(block.file).read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[block.file] = []
        found = _block_comment(self._lines[block.file], block.line, block.end_line)
        if found is None:
            return None
        number, marks = found
        return {**marks, "where": f"{block.file}:{number}"}

    def locate(self, address: str, message: str = "") -> SourceLocation | None:
        try:
            parsed = parse_address(address)
        except FixtureError:
            return None
        folder = self._folder(parsed.modules)
        if folder is None:
            return None
        block = self._blocks(folder).get((parsed.mode, parsed.type, parsed.name))
        if block is None:
            return None
        attribute = _named_attribute(block, message.replace(address, " "))
        line = block.attributes[attribute] if attribute else block.line
        return SourceLocation(block.file, line, block.end_line, attribute)
