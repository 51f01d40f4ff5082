"""Which files a folder holds for a scan: YAML and JSON files below it, the Helm charts in it,
and `Kustomization` files (kustomize's suffix-less name, so their folders can be rendered).

Symbolic links to folders are followed, as conftest follows them, but a folder already
visited (the same device and inode: a link back up the tree, two links to one place) is not
entered again. Hidden files and folders are skipped, and so is anything matching an
--exclude glob.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

YAML_SUFFIXES = {".yaml", ".yml"}
JSON_SUFFIXES = {".json"}


@dataclass(frozen=True)
class Found:
    path: Path
    chart: bool = False  # a Helm chart folder, to render rather than read
    kustomization: bool = False  # a `Kustomization` file (no suffix): read only to render its folder
    note: str = ""  # set when the entry is skipped and the user should know why


def excluded(relative: str, patterns: list[str]) -> bool:
    """A glob matches the path relative to the folder named on the command line, or the name
    of any folder or file on the way (`--exclude tests` skips every folder called tests)."""
    if not patterns:
        return False
    parts = relative.split("/")
    return any(
        fnmatch.fnmatchcase(relative, p) or any(fnmatch.fnmatchcase(part, p) for part in parts) for p in patterns
    )


def walk(root: Path, exclude: list[str] | None = None) -> Iterator[Found]:
    """Charts and YAML/JSON files under `root`, in a stable (sorted) order."""
    patterns = exclude or []
    seen: set[tuple[int, int]] = set()
    yield from _walk(root, root, patterns, seen)


def _walk(folder: Path, root: Path, patterns: list[str], seen: set[tuple[int, int]]) -> Iterator[Found]:
    try:
        info = folder.stat()
    except OSError as exc:
        yield Found(folder, note=f"cannot read folder: {exc.strerror or exc}")
        return
    key = (info.st_dev, info.st_ino)
    if key in seen:
        yield Found(folder, note="skipped: a symbolic link to a folder already scanned (a loop or a second link)")
        return
    seen.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Found(folder, note=f"cannot read folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if excluded(path.relative_to(root).as_posix(), patterns):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            if (path / "Chart.yaml").is_file():
                yield Found(path, chart=True)
            else:
                yield from _walk(path, root, patterns, seen)
        elif Path(entry.name).suffix.lower() in YAML_SUFFIXES | JSON_SUFFIXES:
            yield Found(path)
        elif entry.name == "Kustomization":
            yield Found(path, kustomization=True)
