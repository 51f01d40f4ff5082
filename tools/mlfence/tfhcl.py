"""The resource blocks of a .tf file and the line of each attribute below them, read from
python-hcl2's Lark parse tree (which keeps line numbers). Imported by mlfence.tfsource only once a
.tf file is found: python-hcl2 and Lark cost ~0.1 s CPU to import."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError as ParseError

__all__ = ["Block", "ParseError", "resource_blocks"]


@dataclass
class Block:
    file: str
    line: int
    end_line: int
    attributes: dict[str, int] = field(default_factory=dict)  # "ingress[0].cidr_blocks" -> line


def _text(node: Tree | Token) -> str:
    """A block label: an identifier, or a quoted string's characters."""
    if isinstance(node, Token):
        return str(node)
    return "".join(str(t) for t in node.scan_values(lambda v: isinstance(v, Token))).strip('"')


def _body(block: Tree) -> Tree | None:
    return next((c for c in block.children if isinstance(c, Tree) and c.data == "body"), None)


def _labels(block: Tree) -> list[str]:
    return [
        _text(c)
        for c in block.children
        if (isinstance(c, Tree) and c.data in ("identifier", "string")) or (isinstance(c, Token) and c.type == "NAME")
    ]


def _collect(body: Tree, prefix: str, into: dict[str, int]) -> None:
    """Every attribute and nested block below a resource, by path: repeated blocks get an index
    the way the plan numbers them (`ingress[1].from_port`)."""
    seen: dict[str, int] = {}
    for child in body.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name = _labels(child)[0]
            into.setdefault(f"{prefix}{name}", child.meta.line)
        elif child.data == "block":
            labels = _labels(child)
            name = labels[-1] if labels[0] == "dynamic" and len(labels) > 1 else labels[0]
            index = seen.get(name, 0)
            seen[name] = index + 1
            path = f"{prefix}{name}[{index}]"
            into.setdefault(path, child.meta.line)
            inner = _body(child)
            if inner is not None:
                _collect(inner, f"{path}.", into)


def resource_blocks(path: Path, shown: str) -> dict[tuple[str, str, str], Block]:
    tree = hcl2.parses_to_tree(path.read_text(encoding="utf-8-sig"))
    body = _body(tree) if tree.data == "start" else tree
    blocks: dict[tuple[str, str, str], Block] = {}
    for child in body.children if body is not None else ():
        if not (isinstance(child, Tree) and child.data == "block"):
            continue
        labels = _labels(child)
        if len(labels) == 3 and labels[0] in ("resource", "data"):
            block = Block(shown, child.meta.line, child.meta.end_line)
            inner = _body(child)
            if inner is not None:
                _collect(inner, "", block.attributes)
            mode = "managed" if labels[0] == "resource" else "data"
            blocks.setdefault((mode, labels[1], labels[2]), block)
    return blocks
