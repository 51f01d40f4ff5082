"""Reading scan inputs: files, folders, stdin and Helm charts, into documents with a location.

Nothing here raises for a bad file: problems become `InputProblem`s so one broken file never
hides the findings of the others.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlfence import helm

YAML_SUFFIXES = {".yaml", ".yml"}
JSON_SUFFIXES = {".json"}
MAX_FILE_BYTES = 20 * 1024 * 1024


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
    fatal: bool = True  # fatal problems make the run exit 2; notes (skipped files) do not


@dataclass
class Loaded:
    documents: list[Document] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    skipped_files: int = 0


# libyaml's loader is ~4x faster and yields the same documents and marks; PyYAML wheels ship it.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_documents(text: str, path: str, template: str = "") -> Iterator[Document]:
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            content = loader.construct_document(node)
            if content is not None:
                yield Document(path, index, node.start_mark.line + 1, content, template)
            index += 1
    finally:
        loader.dispose()


def _flatten(doc: Document) -> Iterator[Document]:
    """A Kubernetes List (kind: List / *List with items) is its items."""
    content = doc.content
    if isinstance(content, dict) and str(content.get("kind", "")).endswith("List") \
            and isinstance(content.get("items"), list):
        for offset, item in enumerate(content["items"]):
            yield Document(doc.path, doc.index * 10000 + offset, doc.line, item, doc.template)
    else:
        yield doc


def parse_text(text: str, path: str, json_first: bool,
               template: str = "") -> tuple[list[Document], InputProblem | None]:
    if json_first:
        try:
            content = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], InputProblem(path, f"not valid JSON: {exc.msg}", exc.lineno)
        docs = [Document(path, 0, 1, content, template)] if content is not None else []
    else:
        try:
            docs = list(_yaml_documents(text, path, template))
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 0
            return [], InputProblem(path, f"not valid YAML: {exc.problem or exc}", line)
        except yaml.YAMLError as exc:
            return [], InputProblem(path, f"not valid YAML: {exc}")
    return [flat for doc in docs for flat in _flatten(doc)], None


def _read_file(path: Path, loaded: Loaded) -> None:
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            loaded.skipped_files += 1
            loaded.problems.append(InputProblem(shown, f"skipped: {size} bytes is over the {MAX_FILE_BYTES}-byte limit",
                                                fatal=False))
            return
        raw = path.read_bytes()
    except OSError as exc:
        loaded.problems.append(InputProblem(shown, f"cannot read: {exc.strerror or exc}"))
        return
    if b"\x00" in raw[:8192]:
        loaded.skipped_files += 1
        loaded.problems.append(InputProblem(shown, "skipped: binary file", fatal=False))
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        loaded.skipped_files += 1
        loaded.problems.append(InputProblem(shown, "skipped: not UTF-8 text", fatal=False))
        return
    docs, problem = parse_text(text, shown, path.suffix.lower() in JSON_SUFFIXES)
    loaded.documents.extend(docs)
    if problem:
        loaded.problems.append(problem)


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_file() and path.suffix.lower() in YAML_SUFFIXES | JSON_SUFFIXES:
            yield path


def load(paths: list[str], values: list[Path] | None = None, stdin_text: str | None = None) -> Loaded:
    """Load every document under the given paths ('-' is standard input)."""
    loaded = Loaded()
    for raw in paths:
        if raw == "-":
            text = stdin_text if stdin_text is not None else sys.stdin.read()
            docs, problem = parse_text(text, "<stdin>", text.lstrip().startswith(("{", "[")))
            loaded.documents.extend(docs)
            if problem:
                loaded.problems.append(problem)
            continue
        path = Path(raw)
        if not path.exists():
            loaded.problems.append(InputProblem(raw, "no such file or directory"))
        elif path.is_dir() and helm.is_chart(path):
            _load_chart(path, values or [], loaded)
        elif path.is_dir():
            charts = [p.parent for p in sorted(path.rglob("Chart.yaml"))]
            for chart in charts:
                _load_chart(chart, values or [], loaded)
            for file in _walk(path):
                if not any(chart in file.parents for chart in charts):
                    _read_file(file, loaded)
        else:
            _read_file(path, loaded)
    return loaded


def _load_chart(chart: Path, values: list[Path], loaded: Loaded) -> None:
    rendered = helm.render(chart, values)
    if rendered.error:
        loaded.problems.append(InputProblem(str(chart), f"helm template failed: {rendered.error}"))
        return
    for template, text in rendered.templates:
        docs, problem = parse_text(text, str(chart / template), False, template)
        loaded.documents.extend(docs)
        if problem:
            loaded.problems.append(problem)
