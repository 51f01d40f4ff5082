"""A user cache for what mlfence would otherwise recompute with OPA on every run.

Entries are keyed by a hash of everything they are computed from (the Rego sources and the OPA
engine's version), so an edited policy or another engine never reads a stale entry: it simply
misses. Entries are written atomically; an unreadable or unwritable cache is never an error,
only a miss. Where: MLFENCE_CACHE_DIR, else $XDG_CACHE_HOME/mlfence, else ~/.cache/mlfence.
MLFENCE_CACHE_DIR=off turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mlfence.files import write_text_atomic

OFF = "off"


def cache_dir() -> Path | None:
    override = os.environ.get("MLFENCE_CACHE_DIR")
    if override:
        return None if override == OFF else Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlfence"


def sources_key(*parts: str, files: Iterable[Path] = ()) -> str:
    """A hash of the given strings and of each file's name and bytes (in the given order)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for path in files:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def file_identity(path: Path) -> str:
    """A file's path and stat (of the file a link leads to: size, inode, modification and change
    times in ns): what changes when the file is replaced or edited, for entries whose source is
    too big to hash on every run (an engine binary) or read on every run (the policy's modules)."""
    st = os.stat(path)
    return f"{os.fspath(path)}:{st.st_size}:{st.st_ino}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def json_value(kind: str, key: str, compute: Callable[[], Any], keep: Callable[[Any], bool] | None = None) -> Any:
    """The cached JSON value of `kind` under `key`, computed (and stored) on a miss; a computed
    value `keep` refuses (e.g. a failed answer worth asking again) is returned, not stored."""
    where = cache_dir()
    entry = where / f"{kind}-{key}.json" if where is not None else None
    if entry is not None:
        try:
            return json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # a miss, or an entry another version left broken: compute it again
    value = compute()
    if entry is not None and (keep is None or keep(value)):
        with contextlib.suppress(OSError):  # a read-only home is not a reason to fail the run
            write_text_atomic(entry, json.dumps(value))
    return value
