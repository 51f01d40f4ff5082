"""`mlfence reach --diff BASE HEAD`: the flows added, removed and changed between two revisions of
the same manifests, as Markdown for a pull-request comment or as JSON. Each side is a path (a file
or folder) or, when no such path exists, a git revision whose copy of the scanned paths is read
(`git archive`). Both sides go through the same model (mlfence.reach.compute), so a flow is the
same edge (source, target) on both sides and only its ports and deciding objects can differ."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mlfence import documents, reach, settings
from mlfence.reach import Edge, ReachError


@dataclass(frozen=True)
class Change:
    """One edge whose ports or deciding objects differ between the two sides."""

    before: Edge
    after: Edge


@dataclass(frozen=True)
class FlowDiff:
    base: str
    head: str
    added: tuple[Edge, ...]
    removed: tuple[Edge, ...]
    changed: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _key(edge: Edge) -> tuple[str, str]:
    return edge.source, edge.target


def compare(base: list[Edge], head: list[Edge], base_name: str, head_name: str) -> FlowDiff:
    before = {_key(e): e for e in base}
    after = {_key(e): e for e in head}
    return FlowDiff(
        base=base_name,
        head=head_name,
        added=tuple(after[k] for k in sorted(after.keys() - before.keys())),
        removed=tuple(before[k] for k in sorted(before.keys() - after.keys())),
        changed=tuple(
            Change(before[k], after[k])
            for k in sorted(before.keys() & after.keys())
            if (before[k].ports, before[k].by) != (after[k].ports, after[k].by)
        ),
    )


# --- the two sides ------------------------------------------------------------------------------


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReachError(f"git {' '.join(args[:2])} failed: {exc}") from None


def _revision_copy(revision: str, paths: list[str], cwd: Path, dest: Path) -> list[str]:
    """The scanned paths as they are at a git revision, extracted below dest."""
    if _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd).returncode != 0:
        raise ReachError(f"{revision!r} is neither a path nor a git revision")
    # Paths are given relative to the current folder; git archive is run at the top of the work
    # tree, with the paths relative to it, so the copy has the repository's layout.
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).stdout.decode().strip())
    prefix = _git(["rev-parse", "--show-prefix"], cwd).stdout.decode().strip()
    wanted = [str(Path(prefix) / p) if p != "." else (prefix.rstrip("/") or ".") for p in paths]
    proc = _git(["archive", "--format=tar", revision, "--", *wanted], top)
    if proc.returncode != 0:
        raise ReachError(f"git archive {revision}: {proc.stderr.decode(errors='replace').strip()[:300]}")
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as archive:
        archive.extractall(dest, filter="data")
    return [str(dest / w) for w in wanted]


def side(
    value: str,
    paths: list[str],
    cwd: Path,
    dest: Path,
    values: list[Path] | None,
    data: Path | None,
    rendering: documents.Rendering | None = None,
    run_settings: settings.Settings | None = None,
) -> reach.Reach:
    """The model of one side: the path itself, or the scanned paths at that git revision."""
    if (cwd / value).exists():
        if paths:
            raise ReachError(f"{value} is a path: give two paths, or two git revisions and the paths to read")
        scanned = [str(cwd / value)]
    else:
        scanned = _revision_copy(value, paths or ["."], cwd, dest)
    return reach.compute(scanned, values, data, rendering=rendering, run_settings=run_settings)


def diff(
    base: str,
    head: str,
    paths: list[str],
    values: list[Path] | None = None,
    data: Path | None = None,
    source: str | None = None,
    target: str | None = None,
    cwd: Path | None = None,
    rendering: documents.Rendering | None = None,
    run_settings: settings.Settings | None = None,
) -> FlowDiff:
    """--from/--to select on each side with that side's workloads (a workload either side has).
    With settings, both sides know the declared flows (an added undeclared flow is marked)."""
    here = (cwd or Path.cwd()).resolve()
    with tempfile.TemporaryDirectory(prefix="mlfence-diff-") as tmp:
        models = []
        for name, value in (("base", base), ("head", head)):
            dest = Path(tmp) / name
            dest.mkdir()
            models.append(side(value, paths, here, dest, values, data, rendering, run_settings))
    chosen = [reach.select(reach.edges(m), m, source, target) for m in models]
    return compare(chosen[0], chosen[1], base, head)


WORKING_TREE = "working tree"


def against(
    base: str,
    paths: list[str],
    rendering: documents.Rendering | None = None,
    data: Path | None = None,
    exclude: list[str] | None = None,
    run_settings: settings.Settings | None = None,
    cwd: Path | None = None,
) -> FlowDiff:
    """`mlfence check --diff-base BASE`: the flows of the scanned paths as they are now, against
    BASE: a path holding the base manifests, or a git revision whose copy of the same paths is
    read. With settings, both sides know the declared flows (an added undeclared flow is marked)."""
    here = (cwd or Path.cwd()).resolve()
    if "-" in paths:
        raise ReachError("--diff-base reads the scanned paths at the base revision, not stdin")
    with tempfile.TemporaryDirectory(prefix="mlfence-diff-") as tmp:
        if (here / base).exists():
            scanned = [str(here / base)]
        else:
            # git archive wants the paths relative to the current folder, as the user gave them.
            relative = [os.path.relpath(Path(p).resolve(), here) for p in paths]
            scanned = _revision_copy(base, relative, here, Path(tmp))
        before = reach.compute(scanned, None, data, rendering=rendering, exclude=exclude, run_settings=run_settings)
    after = reach.compute(paths, None, data, rendering=rendering, exclude=exclude, run_settings=run_settings)
    return compare(reach.edges(before), reach.edges(after), base, WORKING_TREE)


def from_json(document: dict[str, Any]) -> FlowDiff:
    """A FlowDiff back from render_json's document (the JSON report's `reach_diff`)."""

    def edge(e: dict[str, Any]) -> Edge:
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in e.items()}
        return Edge(**fields)

    return FlowDiff(
        base=document["base"],
        head=document["head"],
        added=tuple(edge(e) for e in document["added"]),
        removed=tuple(edge(e) for e in document["removed"]),
        changed=tuple(Change(edge(c["before"]), edge(c["after"])) for c in document["changed"]),
    )


# --- output -------------------------------------------------------------------------------------


def render_json(d: FlowDiff) -> str:
    return json.dumps(as_document(d), indent=2, sort_keys=True) + "\n"


def as_document(d: FlowDiff) -> dict[str, Any]:
    return {
        "base": d.base,
        "head": d.head,
        "added": [asdict(e) for e in d.added],
        "removed": [asdict(e) for e in d.removed],
        "changed": [
            {
                "source": c.after.source,
                "target": c.after.target,
                "before": asdict(c.before),
                "after": asdict(c.after),
            }
            for c in d.changed
        ],
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _target(edge: Edge) -> str:
    mark = " ⚠️" if edge.risk else ""
    undeclared = f" 🔴 not declared: {_cell(edge.undeclared)}" if edge.undeclared else ""
    return f"`{_cell(edge.target)}`{mark}{undeclared}"


def _rows(edges: tuple[Edge, ...]) -> list[str]:
    lines = ["| from | to | ports | allowed by |", "|---|---|---|---|"]
    lines += [f"| `{_cell(e.source)}` | {_target(e)} | {_cell(e.ports)} | {_cell('; '.join(e.by))} |" for e in edges]
    return lines


def render_markdown(d: FlowDiff) -> str:
    lines = [f"### mlfence reach: flows from `{_cell(d.base)}` to `{_cell(d.head)}`", ""]
    if d.empty:
        return "\n".join([*lines, "No flow added, removed or changed.", ""])
    risky = sum(1 for e in d.added if e.risk) + sum(1 for c in d.changed if c.after.risk)
    undeclared = sum(1 for e in d.added if e.undeclared) + sum(1 for c in d.changed if c.after.undeclared)
    summary = f"**{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed**"
    notes = []
    if risky:
        notes.append(f"{risky} to the internet or an instance metadata endpoint, marked ⚠️")
    if undeclared:
        notes.append(f"{undeclared} not allowed by the declared flows, marked 🔴")
    if notes:
        summary += f" ({'; '.join(notes)})"
    lines += [summary, ""]
    if d.added:
        lines += ["#### Added", "", *_rows(d.added), ""]
    if d.removed:
        lines += ["#### Removed", "", *_rows(d.removed), ""]
    if d.changed:
        lines += [
            "#### Changed",
            "",
            "| from | to | ports before | ports after | allowed by (after) |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| `{_cell(c.after.source)}` | {_target(c.after)} | {_cell(c.before.ports)} | "
            f"{_cell(c.after.ports)} | {_cell('; '.join(c.after.by))} |"
            for c in d.changed
        ]
        lines.append("")
    return "\n".join(lines)
