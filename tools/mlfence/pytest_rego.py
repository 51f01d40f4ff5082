"""pytest plugin: every Rego test (`test_*` in a `*_test.rego` file) becomes a pytest item.

`opa test` runs once per session over the Rego root (ini option `rego_root`, default
`policy`), with JSON output and --fail-on-empty. Each result is reported under its Rego file
with the Rego test's name, so a failing Rego test fails pytest by name. A failure is re-run on
its own with --var-values, so the report shows the values the assertion saw.

Under pytest-xdist every worker collects, and collecting needs the results: the first worker to
get there runs `opa test` and leaves the results in a folder the controller hands to all
workers, the others read them (one `opa test` per run, not one per worker).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class RegoResult:
    file: Path
    row: int
    package: str
    name: str
    failed: bool
    skipped: bool
    error: str


@dataclass(frozen=True)
class RegoRun:
    results: tuple[RegoResult, ...]
    compile_error: str

    @cached_property
    def by_file(self) -> dict[Path, list[RegoResult]]:
        """The results of each Rego file, grouped once: every file's collection resolving its path
        against each of the ~1,100 results cost seconds of lstat calls per xdist worker."""
        grouped: dict[Path, list[RegoResult]] = {}
        for result in self.results:
            grouped.setdefault(result.file, []).append(result)
        return grouped


class RegoTestFailure(Exception):
    """Raised by a Rego item whose test failed or errored."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("rego_root", "folder with the Rego policy and its tests", default="policy")
    parser.addini("rego_opa", "opa binary (default: $MLFENCE_OPA, .tools/bin/opa, then PATH)", default="")


def _opa_binary(config: pytest.Config) -> str:
    configured = config.getini("rego_opa") or os.environ.get("MLFENCE_OPA", "")
    if configured:
        return configured
    local = Path(config.rootpath) / ".tools" / "bin" / "opa"
    return str(local) if local.exists() else "opa"


def _rego_root(config: pytest.Config) -> Path:
    return (Path(config.rootpath) / config.getini("rego_root")).resolve()


def _parse(payload: str, root: Path) -> tuple[RegoResult, ...]:
    results = []
    for entry in json.loads(payload or "[]"):
        location = entry.get("location") or {}
        error = entry.get("error")
        results.append(
            RegoResult(
                file=(root / location.get("file", "")).resolve(),
                row=int(location.get("row", 0)),
                package=entry.get("package", ""),
                name=entry.get("name", ""),
                failed=bool(entry.get("fail")) or error is not None,
                skipped=bool(entry.get("skip")),
                error=json.dumps(error, indent=2) if error is not None else "",
            )
        )
    return tuple(results)


_SHARED_KEY = "mlfence_rego_shared"
# OPA's default of 5 s per Rego test was reached on a loaded machine (5.4 s at load 28 on two
# cores, a test that takes a fraction of a second when idle): the limit guards against a hang,
# it is not a speed test.
TEST_TIMEOUT = "120s"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: one folder for the shared `opa test` results, handed to every worker."""
    config = node.config
    shared = getattr(config, "_mlfence_rego_shared", None)
    if shared is None:
        shared = config._mlfence_rego_shared = tempfile.mkdtemp(prefix="mlfence-rego-")
    node.workerinput[_SHARED_KEY] = shared


def pytest_unconfigure(config: pytest.Config) -> None:
    shared = getattr(config, "_mlfence_rego_shared", None)
    if shared is not None:
        shutil.rmtree(shared, ignore_errors=True)


def _run_opa_test(config: pytest.Config) -> RegoRun:
    cached = getattr(config, "_mlfence_rego_run", None)
    if cached is not None:
        return cached
    shared = getattr(config, "workerinput", {}).get(_SHARED_KEY)
    run = _shared_run(config, Path(shared)) if shared else _opa_test(config)
    config._mlfence_rego_run = run  # type: ignore[attr-defined]
    return run


def _shared_run(config: pytest.Config, folder: Path) -> RegoRun:
    """The run another worker already made, or this worker's own, left for the others (under a
    lock, so exactly one worker runs `opa test`)."""
    results = folder / "results.json"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if results.exists():
            saved = json.loads(results.read_text())
            return RegoRun(
                tuple(RegoResult(**{**r, "file": Path(r["file"])}) for r in saved["results"]), saved["compile_error"]
            )
        run = _opa_test(config)
        payload = {
            "results": [{**asdict(r), "file": str(r.file)} for r in run.results],
            "compile_error": run.compile_error,
        }
        partial = folder / "results.json.partial"
        partial.write_text(json.dumps(payload))
        partial.replace(results)
        return run


# `opa test` of a whole policy tree allocates a lot (~8 GB: the test runner traces every
# evaluation step) around a live heap of ~200 MB, and exits: each collection marks that heap
# (~0.4 s CPU; 17 of them with GOGC=400, 5.4 s), so the fewer the better. No collection until the
# heap nears 2 GiB: this project's run (1,149 tests) took 19.3 s CPU (mean of 4) instead of 22.1 s
# with GOGC=400 (GOGC=off under 1 GiB: 21.5 s), peak RSS 1.1 -> 2.0 GB; the other xdist workers
# wait for it at collection. The user's own GOGC or GOMEMLIMIT always wins.
COLLECTOR = {"GOGC": "off", "GOMEMLIMIT": "2GiB"}


def collector_env() -> dict[str, str]:
    """COLLECTOR, unless the environment sets GOGC or GOMEMLIMIT (then nothing: the user's wins)."""
    return {} if "GOGC" in os.environ or "GOMEMLIMIT" in os.environ else COLLECTOR


def _opa_test(config: pytest.Config) -> RegoRun:
    root = _rego_root(config)
    proc = subprocess.run(
        [_opa_binary(config), "test", str(root), "--format", "json", "--fail-on-empty", "--timeout", TEST_TIMEOUT],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **collector_env()},
    )
    try:
        results = _parse(proc.stdout, root)
    except json.JSONDecodeError:
        results = ()
    if not results and proc.returncode != 0:
        # opa prints no results when the policy does not compile; every Rego file reports it.
        return RegoRun((), (proc.stderr or proc.stdout).strip() or f"opa test exited {proc.returncode}")
    return RegoRun(results, "")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith("_test.rego"):
        return RegoFile.from_parent(parent, path=file_path)
    return None


class RegoFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        run = _run_opa_test(self.config)
        if run.compile_error:
            yield RegoItem.from_parent(self, name="opa_compile", result=None, compile_error=run.compile_error)
            return
        mine = run.by_file.get(Path(self.path).resolve(), [])
        for result in sorted(mine, key=lambda r: r.row):
            yield RegoItem.from_parent(self, name=result.name, result=result, compile_error="")


class RegoItem(pytest.Item):
    def __init__(self, *, result: RegoResult | None, compile_error: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.compile_error = compile_error

    def runtest(self) -> None:
        if self.result is None:
            raise RegoTestFailure(self.compile_error)
        if self.result.skipped:
            pytest.skip("skipped in Rego (todo_ test)")
        if self.result.failed:
            raise RegoTestFailure(self._explain())

    def _explain(self) -> str:
        assert self.result is not None
        query = f"^{re.escape(self.result.package)}\\.{re.escape(self.result.name)}$"
        proc = subprocess.run(
            [_opa_binary(self.config), "test", str(_rego_root(self.config)), "--var-values", "-v", "-r", query],
            capture_output=True,
            text=True,
            check=False,
        )
        detail = self.result.error or proc.stdout.strip()
        return f"{self.result.package}.{self.result.name} failed\n{detail}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RegoTestFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        row = self.result.row - 1 if self.result else 0
        return Path(self.path), row, f"rego: {self.name}"
