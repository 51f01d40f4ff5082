"""Reading scan inputs: files, folders, stdin, Helm charts and kustomize trees, into documents
with a location.

Nothing here raises for a bad input: each problem becomes an `InputProblem` naming the input
(and the line), so one broken file never hides the findings of the others, and in a
multi-document file the good documents are still scanned. The pieces live in mlfence.inputs:
bounded reading and decoding (reading), YAML as Kubernetes reads it (k8syaml), JSON with the
same limits (jsontext), Terraform output that is not a plan (terraform), folders (walk).
Charts are rendered with `helm template` (mlfence.helm) and kustomizations with `kustomize
build` (mlfence.kustomize); what they render goes through the same YAML reading as a file.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlfence import helm, kustomize
from mlfence.inputs import jsontext, k8syaml, parallel_reading, placeholders, reading, terraform, walk
from mlfence.inputs.errors import InputError
from mlfence.inputs.walk import JSON_SUFFIXES, YAML_SUFFIXES

__all__ = ["JSON_SUFFIXES", "YAML_SUFFIXES", "Document", "InputProblem", "Loaded", "Rendering", "load", "parse_text"]

STDIN = "<stdin>"


@dataclass(frozen=True)
class Document:
    path: str
    index: int
    line: int
    content: Any
    template: str = ""  # the Helm template that produced it, when rendered from a chart
    kustomization: str = ""  # the kustomization folder `kustomize build` rendered it from
    origin: str = ""  # the resolved file kustomize says the object came from
    # Read as a plain file although it lies in (or under) a folder holding a kustomization: a
    # file no build uses, which may be a patch kept for later (policy/mlfence/scan.rego is_patch).
    in_kustomize_tree: bool = False
    # (content, its json.dumps text) when a reading worker serialised it (parallel_reading), so
    # the main process does not; valid only while `content` is that very object (scan.py checks
    # with `is`: a replaced content is serialised again).
    encoded: tuple[Any, str] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class InputProblem:
    path: str
    message: str
    line: int = 0
    fatal: bool = True  # fatal problems make the run exit 2; notes do not


@dataclass(frozen=True)
class ChartOptions:
    """How one Helm chart is rendered: `helm template RELEASE CHART --namespace NS --values F --set K=V`."""

    values: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()
    namespace: str | None = None
    release: str | None = None


@dataclass(frozen=True)
class Rendering:
    """How charts and kustomizations are rendered. `charts` holds per-chart options (from the
    settings file) by resolved chart folder; the run-wide ones apply to every chart, after them."""

    values: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()
    namespace: str | None = None
    release: str | None = None
    charts: dict[Path, ChartOptions] = field(default_factory=dict)
    kustomize: bool = True  # render kustomizations (False: read their files as they are)

    def chart(self, folder: Path) -> ChartOptions:
        own = self.charts.get(folder.resolve(), ChartOptions())
        return ChartOptions(
            values=own.values + self.values,
            set_values=own.set_values + self.set_values,
            namespace=self.namespace or own.namespace,
            release=self.release or own.release,
        )


@dataclass
class Loaded:
    documents: list[Document] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    skipped_files: int = 0  # inputs that could not be read at all (each also has a problem)


def _flatten(content: Any, depth: int = 0) -> Iterator[Any]:
    """A Kubernetes List (kind: List or *List, with items) is its items, recursively, as kubectl
    flattens it. Depth is bounded by the nesting limit the decoders already enforce."""
    if (
        isinstance(content, dict)
        and isinstance(content.get("kind"), str)
        and content["kind"].endswith("List")
        and isinstance(content.get("items"), list)
    ):
        for item in content["items"]:
            yield from _flatten(item, depth + 1)
    else:
        yield content


def parse_text(text: str, path: str, json_first: bool, template: str = "") -> tuple[list[Document], list[InputProblem]]:
    """Documents of one input's text, and a problem for each part that cannot be read."""
    docs: list[Document] = []
    problems: list[InputProblem] = []
    try:
        terraform.check_text(text)
        values = _values(text, json_first)
    except InputError as exc:
        return _template(text, path, [], True, template) or ([], [InputProblem(path, exc.message, exc.line)])
    skipped = _template(
        text, path, [v for _, v, e in values if e is None], any(e is not None for _, _, e in values), template
    )
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


def _template(
    text: str, path: str, values: list[Any], parse_failed: bool, template: str
) -> tuple[list[Document], list[InputProblem]] | None:
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
    def __init__(self, loaded: Loaded, rendering: Rendering, exclude: list[str], allow_empty: bool) -> None:
        self.loaded = loaded
        self.rendering = rendering
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

    def text(self, shown: str, raw: bytes, json_first: bool | None, in_kustomize_tree: bool = False) -> None:
        """Parse one input's bytes; json_first None: JSON when the text starts like JSON."""
        if not raw.strip():
            self.empty(shown, "is empty" if shown != STDIN else "is empty (did the command before the pipe fail?)")
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
        self.add([replace(d, in_kustomize_tree=True) for d in docs] if in_kustomize_tree else docs)
        self.loaded.problems.extend(problems)
        if not docs and not problems:
            self.empty(shown, "holds no documents (only comments or empty documents)")

    def merge(self, part: Loaded) -> None:
        """What _read_file read from one file, in its place among the others."""
        self.add(part.documents)
        self.loaded.problems.extend(part.problems)
        self.loaded.skipped_files += part.skipped_files

    def add(self, docs: list[Document]) -> None:
        start = len(self.loaded.documents)
        self.loaded.documents.extend(replace(d, index=start + i) for i, d in enumerate(docs))

    def file(self, path: Path, in_kustomize_tree: bool = False) -> None:
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
        self.text(shown, raw, path.suffix.lower() in JSON_SUFFIXES, in_kustomize_tree)

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
        entries = list(walk.walk(path, self.exclude))
        consumed: set[Path] = set()
        if self.rendering.kustomize:
            folders = [f.path.parent for f in entries if not f.note and not f.chart and f.path.name in kustomize.NAMES]
            tree = kustomize.render_tree(folders)
            for root, rendered in tree.built:
                self.kustomization(root, rendered)
            for root, reason in tree.failed:
                self.problem(str(root), f"kustomize build failed: {reason}", fatal=False)
            for component in tree.components:
                self.problem(
                    str(component),
                    "a kustomize Component: rendered only by the kustomizations that "
                    "name it, none of which is in this scan",
                    fatal=False,
                )
            consumed = tree.consumed
        found_any = bool(consumed)
        kustomize_dirs = {f.path.parent.resolve() for f in entries if f.path.name in kustomize.NAMES}
        # Resolving a path stats each of its parts: once per file, and only when a kustomization
        # makes the answer matter.
        resolved = (
            {f.path: f.path.resolve() for f in entries if not (f.note or f.chart or f.kustomization)}
            if consumed or kustomize_dirs
            else {}
        )
        plain = [
            (f.path, f.path in resolved and not kustomize_dirs.isdisjoint(resolved[f.path].parents))
            for f in entries
            if not (f.note or f.chart or f.kustomization or (f.path in resolved and resolved[f.path] in consumed))
        ]
        read = iter(parallel_reading.read_files(plain, self.allow_empty, _read_file))
        for found in entries:
            if found.note:
                self.problem(str(found.path), found.note, fatal=False)
            elif found.chart:
                found_any = True
                self.chart(found.path)
            elif found.kustomization or (found.path in resolved and resolved[found.path] in consumed):
                continue  # read by `kustomize build` (a `Kustomization` file is never an object)
            else:
                found_any = True
                self.merge(next(read))
        if not found_any:
            self.empty(str(path), "holds no YAML or JSON files or Helm charts")

    def chart(self, chart: Path) -> None:
        options = self.rendering.chart(chart)
        rendered = helm.render(
            chart,
            list(options.values),
            release=options.release or helm.DEFAULT_RELEASE,
            namespace=options.namespace,
            set_values=list(options.set_values),
        )
        if rendered.error:
            self.problem(str(chart), f"helm template failed: {rendered.error}")
            return
        for template, text in rendered.templates:
            docs, problems = parse_text(text, str(chart / template), False, template)
            self.add(docs)
            self.loaded.problems.extend(problems)

    def kustomization(self, root: Path, rendered: kustomize.Rendered) -> None:
        """The objects of one rendered kustomization, each pointing at the file it came from."""
        shown_root = str(root)
        if rendered.wrapper is None:
            return
        docs, problems = parse_text(rendered.text, shown_root, False)
        self.loaded.problems.extend(problems)
        out = []
        for doc in docs:
            origin = kustomize.origin_file(doc.content, rendered.wrapper)
            content = kustomize.strip_added(doc.content)
            path = kustomize.shown_path(origin, root, shown_root) if origin else shown_root
            # The line in the origin file is looked up only for objects with findings (OriginLines).
            out.append(replace(doc, path=path, line=0, content=content, kustomization=shown_root, origin=origin))
        self.add(out)
        if not docs and not problems:
            self.problem(shown_root, "kustomize build rendered no objects", fatal=False)


def _read_file(path: Path, in_kustomize_tree: bool, allow_empty: bool, in_worker: bool) -> Loaded:
    """One plain file of a folder, read on its own (in a worker process of parallel_reading
    for a large folder): its documents (indexed from 0) and problems. A worker also serialises
    each document for OPA's input (Document.encoded), in parallel instead of in the main process."""
    part = Loaded()
    _Reader(part, Rendering(), [], allow_empty).file(path, in_kustomize_tree)
    if in_worker:
        part.documents = [replace(d, encoded=(d.content, json.dumps(d.content))) for d in part.documents]
    return part


class OriginLines:
    """Lines of rendered kustomize objects in their origin files, each file read once."""

    def __init__(self) -> None:
        self.files: dict[str, list[Document]] = {}

    def line(self, doc: Document) -> int:
        """The document of the same kind whose name the rendered name contains (a namePrefix or
        nameSuffix may have been added), or the only one of that kind; 0 when none is found."""
        if doc.line or not doc.origin:
            return doc.line
        if doc.origin not in self.files:
            try:
                text = reading.decode(reading.read_file(Path(doc.origin)))
                self.files[doc.origin] = parse_text(text, doc.origin, False)[0]
            except InputError:
                self.files[doc.origin] = []
        kind, name = _kind_and_name(doc.content)
        same_kind = [
            (d, _kind_and_name(d.content)[1]) for d in self.files[doc.origin] if _kind_and_name(d.content)[0] == kind
        ]
        best = next((d for d, n in same_kind if n == name), None) or next(
            (d for d, n in same_kind if n and n in name), None
        )
        if best is None and len(same_kind) == 1:
            best = same_kind[0][0]
        return best.line if best is not None else 0


def _kind_and_name(content: Any) -> tuple[str, str]:
    if not isinstance(content, dict):
        return "", ""
    metadata = content.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    kind = content.get("kind")
    return (kind if isinstance(kind, str) else "", name if isinstance(name, str) else "")


def load(
    paths: list[str],
    values: list[Path] | None = None,
    stdin_text: str | None = None,
    exclude: list[str] | None = None,
    allow_empty: bool = False,
    rendering: Rendering | None = None,
) -> Loaded:
    """Load every document under the given paths ('-' is standard input). `values` are Helm values
    files for every chart (the same as rendering.values). Raises toolchain.ToolchainError when a
    kustomization is to be rendered and kustomize is not installed."""
    loaded = Loaded()
    rendering = rendering or Rendering()
    if values:
        rendering = replace(rendering, values=tuple(values) + rendering.values)
    reader = _Reader(loaded, rendering, exclude or [], allow_empty)
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
