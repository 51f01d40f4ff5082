"""Inline suppressions that suppressed nothing: a rule named in an annotation, a tag or a .tf
comment that no finding of that object or resource carried. Like unused exemptions, they are
stale (the problem was fixed) or mistyped (a wrong rule ID), and a reviewer should see them.

The policy decides what a mark suppresses (policy/lib/mlfence/result.rego); this only reads
which marks exist and compares them with the findings the evaluation returned, so the rule-ID
splitting below mirrors result.rego's `_named_rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlfence.documents import Document, OriginLines
from mlfence.scan import Finding

ANNOTATION = "mlfence.io/suppress"
TAG = "mlfence-suppress"
SOURCE_SUPPRESSIONS = "mlfence_source_suppressions"  # set by checking._add_source_suppressions
_SEPARATORS = re.compile(r"[\s,;_]+")


@dataclass(frozen=True)
class Mark:
    kind: str  # "annotation", "tag" or "comment"
    document: int  # index of the scanned document
    resource: str  # the object ("ns/Kind/name") or the Terraform address
    rules: frozenset[str]
    file: str
    line: int


def named_rules(text: str) -> frozenset[str]:
    return frozenset(part.upper() for part in _SEPARATORS.split(text.strip()) if part)


def _object_name(content: dict[str, Any]) -> str:
    found = content.get("metadata")
    metadata: dict[str, Any] = found if isinstance(found, dict) else {}
    parts = [metadata.get("namespace"), content.get("kind"), metadata.get("name") or metadata.get("generateName")]
    return "/".join(p for p in parts if isinstance(p, str) and p)


def marks(docs: list[Document]) -> list[Mark]:
    """Every suppression mark in the scanned documents."""
    lines = OriginLines()
    out: list[Mark] = []
    for index, doc in enumerate(docs):
        content = doc.content
        if not isinstance(content, dict):
            continue
        metadata = content.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if isinstance(annotations, dict) and isinstance(annotations.get(ANNOTATION), str):
            out.append(
                Mark(
                    "annotation",
                    index,
                    _object_name(content),
                    named_rules(annotations[ANNOTATION]),
                    doc.path,
                    lines.line(doc),
                )
            )
        out += _plan_marks(index, doc)
    return out


def _plan_marks(index: int, doc: Document) -> list[Mark]:
    content = doc.content
    changes = content.get("resource_changes")
    if not isinstance(changes, list):
        return []
    out: list[Mark] = []
    tagged: set[str] = set()
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("address"), str):
            continue
        after = (change.get("change") or {}).get("after") if isinstance(change.get("change"), dict) else None
        for key in ("tags", "labels"):
            tags = after.get(key) if isinstance(after, dict) else None
            if isinstance(tags, dict) and isinstance(tags.get(TAG), str):
                out.append(Mark("tag", index, change["address"], named_rules(tags[TAG]), doc.path, doc.line))
                tagged.add(change["address"])
                break
    comments = content.get(SOURCE_SUPPRESSIONS)
    for address, comment in comments.items() if isinstance(comments, dict) else ():
        # A tag on the same resource is the mark the policy reads (result.rego `_plan_marks`).
        if address in tagged or not isinstance(comment, dict) or not isinstance(comment.get("rules"), str):
            continue
        file, _, line = str(comment.get("where", doc.path)).rpartition(":")
        out.append(
            Mark(
                "comment",
                index,
                address,
                named_rules(comment["rules"]),
                file or doc.path,
                int(line) if line.isdigit() else 0,
            )
        )
    return out


def unused(docs: list[Document], findings: list[Finding]) -> list[dict[str, Any]]:
    """The marks naming a rule that no finding of their object or resource carried a suppression
    for, each with the unused rule IDs."""
    used: dict[int, set[tuple[str, str]]] = {}
    for f in findings:
        if f.suppression is not None and f.document >= 0:
            used.setdefault(f.document, set()).add((f.rule_id, f.resource))
    out: list[dict[str, Any]] = []
    for mark in marks(docs):
        seen = used.get(mark.document, set())
        if mark.kind == "annotation":
            idle = {r for r in mark.rules if not any(rule == r for rule, _ in seen)}
        else:
            idle = {r for r in mark.rules if (r, mark.resource) not in seen}
        if idle:
            out.append(
                {
                    "kind": mark.kind,
                    "resource": mark.resource,
                    "rules": sorted(idle),
                    "file": mark.file,
                    "line": mark.line,
                }
            )
    return out
