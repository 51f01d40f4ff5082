"""Where mlfence's resources (policy, data, schemas, pins) and engines live, and how to run them.

One place answers "where is the policy?" for every way mlfence runs:

- ``MLFENCE_HOME``: an explicit copy of the project (policy/, data/, bundle.yaml);
- the repository, for contributors (an editable install: the repository root is two levels above
  this file and holds ``policy/lib`` and ``pyproject.toml``);
- the installed wheel, which carries the same files as package data under ``mlfence/_resources``
  (see setup.py) and, in a platform wheel, the pinned ``opa`` under ``mlfence/_bin``.

The OPA engine is the one binary every command needs. It is looked up as ``MLFENCE_OPA``, then the
one inside the wheel, then the repository's ``.tools/bin``, then ``opa`` on PATH, and whichever is
found must report the pinned version (tools/pins.txt): the policy is checked against that
version's capabilities, so another one is one clear error rather than subtly different verdicts.
The other tools (helm for charts, kustomize for kustomizations; conftest, gator, regal for
contributors) are looked up as ``MLFENCE_<NAME>``, the repository's ``.tools/bin``, then PATH.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlfence.errors import MlfenceError

TOOL_NAMES = ("opa", "conftest", "gator", "regal", "helm", "kustomize")
PACKAGE = Path(__file__).resolve().parent
# Filled in by the wheel build (setup.py); absent from the source tree.
PACKAGED_RESOURCES = PACKAGE / "_resources"
PACKAGED_BIN = PACKAGE / "_bin"


class ToolchainError(MlfenceError, RuntimeError):
    """A resource or binary is missing or wrong in a way the caller cannot recover from."""


def _repository() -> Path | None:
    candidate = PACKAGE.parents[1]
    if (candidate / "policy" / "lib").is_dir() and (candidate / "pyproject.toml").is_file():
        return candidate
    return None


def installation() -> str:
    """How this mlfence finds its files: "home" (MLFENCE_HOME), "repository" or "package"."""
    if os.environ.get("MLFENCE_HOME"):
        return "home"
    return "repository" if _repository() is not None else "package"


def project_root() -> Path:
    """The folder holding policy/, data/, bundle.yaml (and pins.txt in a wheel)."""
    override = os.environ.get("MLFENCE_HOME")
    if override:
        return Path(override).resolve()
    repository = _repository()
    if repository is not None:
        return repository
    if (PACKAGED_RESOURCES / "policy").is_dir():
        return PACKAGED_RESOURCES
    raise ToolchainError(
        f"mlfence's policy is missing from {PACKAGED_RESOURCES}: reinstall mlfence from a wheel "
        "built with scripts/build-wheel.sh, or set MLFENCE_HOME to a copy of the project"
    )


def policy_dir() -> Path:
    return project_root() / "policy"


def data_dir() -> Path:
    return project_root() / "data"


def schema_path(name: str) -> Path:
    """A published JSON Schema, e.g. schema_path("settings")."""
    return data_dir() / "schemas" / name / "schema.json"


def bundle_yaml() -> Path:
    return project_root() / "bundle.yaml"


def pins_file() -> Path:
    """The pinned tool versions: the project's own, else those of this installation (the
    repository or the wheel), whose binaries run when a MLFENCE_HOME carries policy and data only."""
    root = project_root()
    installation = _repository() or PACKAGED_RESOURCES
    for folder in dict.fromkeys((root, installation)):
        for candidate in (folder / "tools" / "pins.txt", folder / "pins.txt"):
            if candidate.is_file():
                return candidate
    raise ToolchainError(f"no pins.txt under {root}: the pinned tool versions are unknown")


@functools.cache
def pins() -> dict[str, str]:
    """Pinned versions by tool name ("opa" -> "v1.22.4")."""
    out: dict[str, str] = {}
    for line in pins_file().read_text().splitlines():
        fields = line.split()
        if len(fields) >= 3 and not fields[0].startswith("#"):
            out[fields[0]] = fields[2]
    return out


def tools_bin() -> Path:
    """The repository's folder of pinned binaries (MLFENCE_TOOLS_BIN overrides it)."""
    override = os.environ.get("MLFENCE_TOOLS_BIN")
    if override:
        return Path(override)
    return (_repository() or project_root()) / ".tools" / "bin"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _candidates(name: str) -> list[tuple[str, Path]]:
    """Where `name` may be, in order, each with the words that say where it came from."""
    found: list[tuple[str, Path]] = []
    override = os.environ.get(f"MLFENCE_{name.upper()}")
    if override:
        found.append((f"MLFENCE_{name.upper()}", Path(override)))
        return found  # an explicit choice is never silently replaced by another binary
    if name == "opa" and _executable(PACKAGED_BIN / "opa"):
        found.append(("the mlfence wheel", PACKAGED_BIN / "opa"))
    local = tools_bin() / name
    if _executable(local):
        found.append((str(tools_bin()), local))
    on_path = shutil.which(name)
    if on_path:
        found.append(("PATH", Path(on_path)))
    return found


def _missing_hint(name: str) -> str:
    if installation() == "repository":
        return f"run scripts/setup.sh (it builds {tools_bin()}/{name})"
    if name == "opa":
        return (
            "this wheel carries no OPA engine (a pure wheel): install OPA "
            + pins().get("opa", "")
            + " on PATH or set MLFENCE_OPA to its path"
        )
    return f"install {name} on PATH or set MLFENCE_{name.upper()} to its path"


@functools.cache
def engine_version(path: Path) -> str:
    """The version `opa version` reports, e.g. "v1.22.4" ("" when it does not answer). Asking
    costs a process on every run (binary() checks the pin each time): an answer is cached in
    the user cache, keyed by the binary's path and stat, so a replaced engine is asked again."""
    from mlfence import cache  # mlfence.cache imports nothing of the toolchain

    try:
        identity = cache.file_identity(path)
    except OSError:
        return ""
    return str(cache.json_value("engine-version", cache.sources_key(identity), lambda: _ask_version(path), keep=bool))


def _ask_version(path: Path) -> str:
    try:
        proc = subprocess.run([str(path), "version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return ""
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Version" and value.strip():
            return "v" + value.strip().removeprefix("v")
    return ""


def binary(name: str) -> Path:
    """Path of a tool; for opa, one that reports the pinned version."""
    candidates = _candidates(name)
    if not candidates:
        raise ToolchainError(f"'{name}' is not installed: {_missing_hint(name)}")
    source, path = candidates[0]
    if not _executable(path):
        raise ToolchainError(f"'{name}' from {source} ({path}) is not an executable file")
    if name == "opa":
        want, have = pins().get("opa", ""), engine_version(path)
        if want and have != want:
            raise ToolchainError(
                f"the OPA engine {path} (from {source}) is {have or 'not a working opa'}, "
                f"mlfence needs OPA {want}: set MLFENCE_OPA to an OPA {want} binary"
            )
    return path


@dataclass(frozen=True)
class Completed:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


TIMEOUT_VARIABLE = "MLFENCE_TOOL_TIMEOUT"


def tool_timeout(default: float) -> float:
    """Seconds a tool may run: MLFENCE_TOOL_TIMEOUT (a very large scan on a slow or busy machine
    can need more than the default), else the caller's default."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ToolchainError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number of seconds") from None
    if value <= 0:
        raise ToolchainError(f"{TIMEOUT_VARIABLE}={raw!r} must be a positive number of seconds")
    return value


def compile_gc_env() -> dict[str, str] | None:
    """Go's collector settings for an OPA process that reads the policy, answers and exits
    (`opa parse` of one module, `opa inspect`, an `opa eval` of lib values, `opa build` of the
    bundle): its heap is bounded by the policy's and data's size, and collecting garbage the
    exit makes moot is a third of its CPU (137 `opa parse`: 4.0 -> 3.1 s CPU; `opa inspect -a`
    of the policy: 1.65 -> 1.16 s; `opa build` of it: 0.98 -> 0.65 s; OPA v1.21.1). So the
    collector waits until the heap nears GOMEMLIMIT; the user's own GOGC or GOMEMLIMIT wins
    (scan.go_gc_env does the same for scans, whose inputs can be large)."""
    return None if user_tunes_gc() else {"GOGC": "off", "GOMEMLIMIT": "1GiB"}


def user_tunes_gc() -> bool:
    """The user set Go's collector (GOGC or GOMEMLIMIT): every Go process mlfence starts keeps it."""
    return "GOGC" in os.environ or "GOMEMLIMIT" in os.environ


def run(
    name: str,
    *args: str,
    input_text: str | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
    env: dict[str, str] | None = None,
) -> Completed:
    """Run a tool and capture its output; never raises for a non-zero exit. A tool that outlives
    its time is a ToolchainError (one line for the user), not a traceback. `env`: variables
    added to this process's environment for the tool."""
    argv = [str(binary(name)), *args]
    limit = tool_timeout(timeout)
    try:
        proc = subprocess.run(
            argv,
            input=input_text,
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=limit,
            check=False,
            env={**os.environ, **env} if env else None,
        )
    except subprocess.TimeoutExpired:
        raise ToolchainError(
            f"{name} did not finish within {limit:g} s; set {TIMEOUT_VARIABLE} to allow longer"
        ) from None
    return Completed(argv, proc.returncode, proc.stdout, proc.stderr)


def json_documents(text: str) -> list[Any]:
    """Every JSON document in a stream of concatenated ones (`opa bench --count N` prints N)."""
    decoder, pos = json.JSONDecoder(), 0
    documents: list[Any] = []
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
    proc = subprocess.run([go, "version", "-m", str(binary(name))], capture_output=True, text=True, check=False)
    return [line.split() for line in proc.stdout.splitlines()]


def module_version(name: str) -> str | None:
    """The main-module version that `go version -m` records in a go-built binary."""
    return next((f[2] for f in _build_info(name) if len(f) >= 3 and f[0] == "mod"), None)


def dependency_version(name: str, module: str) -> str | None:
    """The version of a Go module compiled into a binary (e.g. the OPA inside gator)."""
    return next((f[2] for f in _build_info(name) if len(f) >= 3 and f[0] == "dep" and f[1] == module), None)


def engine_info() -> dict[str, str]:
    """The OPA engine a run uses: path, where it was found, its version and the pinned one."""
    path = binary("opa")
    source = next((s for s, p in _candidates("opa") if p == path), "")
    return {"path": str(path), "source": source, "version": engine_version(path), "pinned": pins().get("opa", "")}
