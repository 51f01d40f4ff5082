"""pytest plugin: every Rego test (`test_*` in a `*_test.rego` file) becomes a pytest item.

`opa test` runs once per session over the Rego root (ini option `rego_root`, default
`policy`), with JSON output and --fail-on-empty. Each result is reported under its Rego file
with the Rego test's name, so a failing Rego test fails pytest by name. A failure is re-run on
its own with --var-values, so the report shows the values the assertion saw.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
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
        results.append(RegoResult(
            file=(root / location.get("file", "")).resolve(),
            row=int(location.get("row", 0)),
            package=entry.get("package", ""),
            name=entry.get("name", ""),
            failed=bool(entry.get("fail")) or error is not None,
            skipped=bool(entry.get("skip")),
            error=json.dumps(error, indent=2) if error is not None else "",
        ))
    return tuple(results)


def _run_opa_test(config: pytest.Config) -> RegoRun:
    cached = getattr(config, "_mlfence_rego_run", None)
    if cached is not None:
        return cached
    root = _rego_root(config)
    proc = subprocess.run(
        [_opa_binary(config), "test", str(root), "--format", "json", "--fail-on-empty"],
        capture_output=True, text=True, check=False,
    )
    try:
        results = _parse(proc.stdout, root)
    except json.JSONDecodeError:
        results = ()
    if not results and proc.returncode != 0:
        # opa prints no results when the policy does not compile; every Rego file reports it.
        run = RegoRun((), (proc.stderr or proc.stdout).strip() or f"opa test exited {proc.returncode}")
    else:
        run = RegoRun(results, "")
    config._mlfence_rego_run = run  # type: ignore[attr-defined]
    return run


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
        mine = [r for r in run.results if r.file == Path(self.path).resolve()]
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
            capture_output=True, text=True, check=False,
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
