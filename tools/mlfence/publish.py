"""The output folder of `mlfence build`: after a build it holds exactly what that build wrote.

A build is staged in a hidden folder inside --out and moved in only once all of it is built, so a
failed build changes nothing. What a build writes is a few top-level entries (the bundle file, the
gatekeeper/ and conftest/ folders); each is replaced whole, so a file an earlier build wrote and
this one does not (the template of a removed rule) cannot survive. Everything else in --out is
the user's and is never touched.

A folder is replaced only when it is mlfence's: it carries OWNER_MARK (every build writes it), or,
written before the mark existed, it holds nothing but entries a build writes there. Any other
folder of that name is refused with the reason, never deleted: --out may be a folder that holds
the user's own files, such as a `conftest/` of their own policies.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlfence.errors import MlfenceError

OWNER_MARK = ".mlfence-build"
_MARK_TEXT = "Written by `mlfence build`: the next build replaces this folder whole.\n"
STAGING_PREFIX = ".mlfence-build-"


class OutputError(MlfenceError, RuntimeError):
    """The output folder holds something a build must not replace."""


def mark(folder: Path) -> None:
    """Mark a staged folder as the build's own."""
    (folder / OWNER_MARK).write_text(_MARK_TEXT)


def _owned(existing: Path, staged: Path) -> bool:
    if (existing / OWNER_MARK).is_file():
        return True
    written = {p.name for p in staged.iterdir()} - {OWNER_MARK}
    return {p.name for p in existing.iterdir()} <= written


def _check(out: Path, staging: Path) -> None:
    """Refuse before anything moves: a replaced folder must be mlfence's, and an entry may not
    change between file and folder."""
    for staged in sorted(staging.iterdir()):
        existing = out / staged.name
        if not existing.exists() and not existing.is_symlink():
            continue
        if (staged.is_dir() and existing.is_symlink()) or existing.is_dir() != staged.is_dir():
            raise OutputError(
                f"{existing} is not what `mlfence build` writes there; move it away or choose another --out"
            )
        if staged.is_dir() and not _owned(existing, staged):
            raise OutputError(
                f"{existing} holds files `mlfence build` did not write (it has no {OWNER_MARK} mark); "
                "move them away or choose another --out"
            )


def _publish(out: Path, staging: Path, trash: Path) -> None:
    _check(out, staging)
    for staged in sorted(staging.iterdir()):
        existing = out / staged.name
        if staged.is_dir():
            if existing.exists():
                existing.rename(trash / staged.name)
            staged.rename(existing)
        else:
            staged.replace(existing)  # one file: replaced atomically


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A folder to build into; what it holds when the block ends replaces those entries of out.
    If the block raises, out is left as it was."""
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))  # same file system: renames
    try:
        staging, trash = root / "new", root / "old"
        staging.mkdir()
        trash.mkdir()
        yield staging
        _publish(out, staging, trash)
    finally:
        shutil.rmtree(root, ignore_errors=True)
