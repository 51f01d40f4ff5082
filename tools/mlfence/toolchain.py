"""Where the project's files and pinned binaries live, and how to run the binaries.

The package is installed in editable mode from the repository, so the repository root is two
levels above this file. MLFENCE_HOME overrides it (e.g. for a copy of the policy elsewhere),
MLFENCE_TOOLS_BIN overrides the folder of the pinned binaries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOOL_NAMES = ("opa", "conftest", "gator", "regal", "helm")


class ToolchainError(RuntimeError):
    """A pinned binary is missing or failed in a way the caller cannot recover from."""


def project_root() -> Path:
    override = os.environ.get("MLFENCE_HOME")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2]


def policy_dir() -> Path:
    return project_root() / "policy"


def data_dir() -> Path:
    return project_root() / "data"


def tools_bin() -> Path:
    override = os.environ.get("MLFENCE_TOOLS_BIN")
    return Path(override) if override else project_root() / ".tools" / "bin"


def binary(name: str) -> Path:
    """Path of a pinned tool; the project-local build wins over anything on PATH."""
    local = tools_bin() / name
    if local.is_file() and os.access(local, os.X_OK):
        return local
    found = shutil.which(name)
    if found:
        return Path(found)
    raise ToolchainError(f"'{name}' is not installed: run scripts/setup.sh (it builds {tools_bin()}/{name})")


@dataclass(frozen=True)
class Completed:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run(name: str, *args: str, input_text: str | None = None, cwd: Path | None = None,
        timeout: float = 600) -> Completed:
    """Run a pinned tool and capture its output; never raises for a non-zero exit."""
    argv = [str(binary(name)), *args]
    proc = subprocess.run(argv, input=input_text, capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, check=False)
    return Completed(argv, proc.returncode, proc.stdout, proc.stderr)


def json_documents(text: str) -> list[Any]:
    """Every JSON document in a stream of concatenated ones (`opa bench --count N` prints N)."""
    decoder, documents, pos = json.JSONDecoder(), [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return documents
        document, pos = decoder.raw_decode(text, pos)
        documents.append(document)


def _build_info(name: str) -> list[list[str]]:
    """The fields of each line of `go version -m BINARY`, or [] without Go."""
    go = shutil.which("go")
    if go is None:
        return []
    proc = subprocess.run([go, "version", "-m", str(binary(name))], capture_output=True,
                          text=True, check=False)
    return [line.split() for line in proc.stdout.splitlines()]


def module_version(name: str) -> str | None:
    """The main-module version that `go version -m` records in a go-built binary."""
    return next((f[2] for f in _build_info(name) if len(f) >= 3 and f[0] == "mod"), None)


def dependency_version(name: str, module: str) -> str | None:
    """The version of a Go module compiled into a binary (e.g. the OPA inside gator)."""
    return next((f[2] for f in _build_info(name) if len(f) >= 3 and f[0] == "dep" and f[1] == module), None)
