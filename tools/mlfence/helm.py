"""Rendering Helm charts with the pinned Helm, split back into the templates that made them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mlfence import toolchain
from mlfence.inputs import limits

DEFAULT_RELEASE = "mlfence-check"
SOURCE = re.compile(r"^# Source: [^/]+/(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Rendered:
    templates: list[tuple[str, str]] = field(default_factory=list)  # (template path in chart, YAML)
    error: str = ""


def is_chart(path: Path) -> bool:
    return (path / "Chart.yaml").is_file()


def render(
    chart: Path,
    values: list[Path],
    release: str = DEFAULT_RELEASE,
    namespace: str | None = None,
    set_values: list[str] | None = None,
) -> Rendered:
    """`helm template RELEASE CHART`: values files in order, then each --set (helm's own order:
    a later source wins), in the namespace given (helm's default, "default", otherwise)."""
    args = ["template", release, str(chart)]
    if namespace:
        args += ["--namespace", namespace]
    for file in values:
        args += ["--values", str(file)]
    for assignment in set_values or []:
        args += ["--set", assignment]
    try:
        proc = toolchain.run("helm", *args, timeout=300)
    except toolchain.ToolchainError as exc:
        return Rendered(error=str(exc))
    if proc.returncode != 0:
        return Rendered(error=proc.stderr.strip() or f"helm exited {proc.returncode}")
    if len(proc.stdout) > limits.MAX_INPUT_BYTES:
        # The rendered chart is one input: the same cap as a file (a loop in a template can
        # render without end until helm's timeout).
        return Rendered(error=f"rendered output is over the {limits.MAX_INPUT_BYTES}-byte limit for one input")
    return Rendered(templates=split_sources(proc.stdout))


def split_sources(output: str) -> list[tuple[str, str]]:
    """`helm template` prefixes each document with '# Source: chart/templates/x.yaml'."""
    pieces: list[tuple[str, str]] = []
    for chunk in re.split(r"^---\s*$", output, flags=re.MULTILINE):
        match = SOURCE.search(chunk)
        if chunk.strip():
            pieces.append((match.group(1) if match else "rendered.yaml", chunk))
    return pieces
