"""One real `opa eval` per distinct question in a test process, its answer shared by the tests that
ask exactly that question again (the same check of the same file with another report format,
exit-code gate or rule filter: mlfence asks OPA the same thing and decides those after).

`share_opa_answers()` wraps mlfence.toolchain.run, which every `opa eval` of mlfence goes through
(scan, reach, the settings' rule defaults). A question is keyed by everything its answer is made
of: the arguments; each file or folder an argument names, by its content (a folder: every file's
relative name and bytes, as OPA loads it; an absolute path by its content alone, since mlfence
stages its data and input in a fresh temporary folder on each run and where they lie is no input
of an evaluation); standard input; the working folder; the variables added for the tool; the
timeout; and the whole environment of the process (but PYTEST_CURRENT_TEST). Only answers with
exit code 0 are kept: a failing run, whose message may name a path, is always run again, and so is
one that outlives its time (ToolchainError). Every other tool and OPA command runs as before.

A test that counts the `opa eval` processes mlfence asks for (test_scan_server's _evals) wraps
this in turn and still sees every one of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlfence import toolchain

_ANSWERS: dict[str, toolchain.Completed] = {}
_REAL = toolchain.run
_NOT_INPUTS = frozenset({"PYTEST_CURRENT_TEST"})


def _add_content(digest: Any, path: Path) -> None:
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.is_file():
                digest.update(b"F" + file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    else:
        digest.update(b"B" + path.read_bytes() + b"\0")


def _names_a_file(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a query, not a path: too long a name, a NUL byte
        return False


def _key(name: str, args: tuple[str, ...], kwargs: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    cwd = kwargs.get("cwd")
    for arg in (name, *args):
        exists = _names_a_file(Path(cwd or os.getcwd(), arg))
        if not (exists and os.path.isabs(arg)):
            digest.update(b"A" + arg.encode() + b"\0")
        if exists:
            _add_content(digest, Path(cwd or os.getcwd(), arg))
    environment = sorted((k, v) for k, v in os.environ.items() if k not in _NOT_INPUTS)
    rest = (kwargs.get("input_text"), str(cwd), kwargs.get("timeout"), sorted((kwargs.get("env") or {}).items()))
    digest.update(repr((environment, rest, os.getcwd())).encode())
    return digest.hexdigest()


def _run(name: str, *args: str, **kwargs: Any) -> toolchain.Completed:
    if name != "opa" or args[:1] != ("eval",):
        return _REAL(name, *args, **kwargs)
    key = _key(name, args, kwargs)
    known = _ANSWERS.get(key)
    if known is not None:
        return toolchain.Completed([str(toolchain.binary(name)), *args], known.returncode, known.stdout, known.stderr)
    proc = _REAL(name, *args, **kwargs)
    if proc.returncode == 0:
        _ANSWERS[key] = proc
    return proc


@contextlib.contextmanager
def share_opa_answers() -> Iterator[None]:
    """Within the block, `opa eval` questions asked before are answered from their first run."""
    import pytest

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(toolchain, "run", _run)
        yield
