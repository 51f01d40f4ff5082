"""Reading scan inputs: files, folders, stdin and Helm charts, into documents with a location.

Nothing here raises for a bad input: each problem becomes an `InputProblem` naming the input
(and the line), so one broken file never hides the findings of the others, and in a
multi-document file the good documents are still scanned. The pieces live in mlfence.inputs:
bounded reading and decoding (reading), YAML as Kubernetes reads it (k8syaml), JSON with the
same limits (jsontext), Terraform output that is not a plan (terraform), folders (walk).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlfence import helm
from mlfence.inputs import jsontext, k8syaml, placeholders, reading, terraform, walk
from mlfence.inputs.errors import InputError
from mlfence.inputs.walk import JSON_SUFFIXES, YAML_SUFFIXES

__all__ = ["JSON_SUFFIXES", "YAML_SUFFIXES", "Document", "InputProblem", "Loaded", "load", "parse_text"]

STDIN = "<stdin>"


@dataclass(frozen=True)
class Document:
    path: str
    index: int
    line: int
    content: Any
    template: str = ""  # the Helm template that produced it, when rendered from a chart


@dataclass(frozen=True)
class InputProblem:
    path: str
    message: str
    line: int = 0
    fatal: bool = True  # fatal problems make the run exit 2; notes do not


@dataclass
class Loaded:
    documents: list[Document] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    skipped_files: int = 0  # inputs that could not be read at all (each also has a problem)


def _flatten(content: Any, depth: int = 0) -> Iterator[Any]:
    """A Kubernetes List (kind: List or *List, with items) is its items, recursively, as kubectl
    flattens it. Depth is bounded by the nesting limit the decoders already enforce."""
    if isinstance(content, dict) and isinstance(content.get("kind"), str) and content["kind"].endswith("List") \
            and isinstance(content.get("items"), list):
        for item in content["items"]:
            yield from _flatten(item, depth + 1)
    else:
        yield content


def parse_text(text: str, path: str, json_first: bool,
               template: str = "") -> tuple[list[Document], list[InputProblem]]:
    """Documents of one input's text, and a problem for each part that cannot be read."""
    docs: list[Document] = []
    problems: list[InputProblem] = []
    try:
        terraform.check_text(text)
        values = _values(text, json_first)
    except InputError as exc:
        return _template(text, path, [], True, template) or ([], [InputProblem(path, exc.message, exc.line)])
    skipped = _template(text, path, [v for _, v, e in values if e is None],
                        any(e is not None for _, _, e in values), template)
    if skipped:
        return skipped
    for line, value, error in values:
        if error is not None:
            problems.append(InputProblem(path, error.message, error.line or line))
            continue
        if value is None:
            continue
        try:
            terraform.check_document(value)
        except InputError as exc:
            problems.append(InputProblem(path, exc.message, line))
            continue
        for item in _flatten(value):
            if item is not None:
                docs.append(Document(path, len(docs), line, item, template))
    return docs, problems


def _template(text: str, path: str, values: list[Any], parse_failed: bool,
              template: str) -> tuple[list[Document], list[InputProblem]] | None:
    """An unrendered template file (mlfence.inputs.placeholders) is skipped as a whole, with a
    note naming its placeholders; it does not fail the run. Helm's own output is rendered."""
    if template:
        return None
    found = placeholders.template_reason(text, values, parse_failed)
    if found is None:
        return None
    line, reason = found
    return [], [InputProblem(path, reason, line, fatal=False)]


def _values(text: str, json_first: bool) -> list[tuple[int, Any, InputError | None]]:
    """(line, value, error) per document. JSON when the name says so or, as kubectl decides,
    when the text starts with `{`; a `{` file that is not JSON is read as YAML (kubectl too)."""
    if json_first or text.lstrip().startswith("{"):
        try:
            found = jsontext.load_values(text)
        except InputError:
            if json_first:
                raise
        else:
            if len(found) > 1:
                terraform.check_stream([value for _, value in found])
            return [(line, value, None) for line, value in found]
    return [(p.line, p.value, p.error) for p in k8syaml.load_stream(text)]


class _Reader:
    def __init__(self, loaded: Loaded, values: list[Path], exclude: list[str], allow_empty: bool) -> None:
        self.loaded = loaded
        self.values = values
        self.exclude = exclude
        self.allow_empty = allow_empty

    def problem(self, path: str, message: str, line: int = 0, fatal: bool = True) -> None:
        self.loaded.problems.append(InputProblem(path, message, line, fatal))

    def empty(self, path: str, message: str) -> None:
        """Nothing to read is an error unless the user said it may happen (--allow-empty)."""
        if self.allow_empty:
            self.problem(path, f"{message} (allowed by --allow-empty)", fatal=False)
        else:
            self.problem(path, f"{message}; nothing to check (pass --allow-empty if that is expected)")

    def text(self, shown: str, raw: bytes, json_first: bool | None) -> None:
        """Parse one input's bytes; json_first None: JSON when the text starts like JSON."""
        if not raw.strip():
            self.empty(shown, "is empty" if shown != STDIN else
                       "is empty (did the command before the pipe fail?)")
            return
        try:
            text = reading.decode(raw)
        except InputError as exc:
            self.loaded.skipped_files += 1
            self.problem(shown, exc.message)
            return
        if json_first is None:
            json_first = text.lstrip().startswith(("{", "["))
        docs, problems = parse_text(text, shown, json_first)
        self.add(docs)
        self.loaded.problems.extend(problems)
        if not docs and not problems:
            self.empty(shown, "holds no documents (only comments or empty documents)")

    def add(self, docs: list[Document]) -> None:
        start = len(self.loaded.documents)
        self.loaded.documents.extend(
            Document(d.path, start + i, d.line, d.content, d.template) for i, d in enumerate(docs))

    def file(self, path: Path) -> None:
        shown = str(path)
        if os.path.realpath(path) == os.devnull:
            self.empty(shown, "is the null device")
            return
        try:
            raw = reading.read_file(path)
        except InputError as exc:
            self.loaded.skipped_files += 1
            self.problem(shown, exc.message)
            return
        self.text(shown, raw, path.suffix.lower() in JSON_SUFFIXES)

    def stdin(self, given: str | None) -> None:
        if given is not None:
            raw = given.encode("utf-8")
        else:
            try:
                raw = reading.read_bounded(sys.stdin.buffer)
            except InputError as exc:
                self.problem(STDIN, exc.message)
                return
        self.text(STDIN, raw, None)

    def folder(self, path: Path) -> None:
        found_any = False
        for found in walk.walk(path, self.exclude):
            if found.note:
                self.problem(str(found.path), found.note, fatal=False)
            elif found.chart:
                found_any = True
                self.chart(found.path)
            else:
                found_any = True
                self.file(found.path)
        if not found_any:
            self.empty(str(path), "holds no YAML or JSON files or Helm charts")

    def chart(self, chart: Path) -> None:
        rendered = helm.render(chart, self.values)
        if rendered.error:
            self.problem(str(chart), f"helm template failed: {rendered.error}")
            return
        for template, text in rendered.templates:
            docs, problems = parse_text(text, str(chart / template), False, template)
            self.add(docs)
            self.loaded.problems.extend(problems)


def load(paths: list[str], values: list[Path] | None = None, stdin_text: str | None = None,
         exclude: list[str] | None = None, allow_empty: bool = False) -> Loaded:
    """Load every document under the given paths ('-' is standard input)."""
    loaded = Loaded()
    reader = _Reader(loaded, values or [], exclude or [], allow_empty)
    for raw in paths:
        if raw == "-":
            reader.stdin(stdin_text)
            continue
        path = Path(raw)
        if not os.path.lexists(path):
            reader.problem(raw, "no such file or directory")
        elif path.is_dir() and helm.is_chart(path):
            reader.chart(path)
        elif path.is_dir():
            reader.folder(path)
        elif walk.excluded(path.as_posix(), exclude or []):
            continue
        else:
            reader.file(path)
    return loaded
