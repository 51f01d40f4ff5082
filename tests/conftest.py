"""Shared fixtures: the pinned binaries and a clean snapshot of the policy tree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mlfence import toolchain

ROOT = toolchain.project_root()


def tool(name: str) -> str:
    return str(toolchain.binary(name))


@pytest.fixture(scope="session")
def gatekeeper_capabilities(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Capabilities of the OPA embedded in the pinned gator: Gatekeeper's engine is the oldest."""
    version = toolchain.dependency_version("gator", "github.com/open-policy-agent/opa")
    assert version, "cannot read the OPA version inside gator (go version -m)"
    path = tmp_path_factory.mktemp("caps") / f"opa-{version}.json"
    proc = subprocess.run([tool("opa"), "capabilities", "--version", version], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    path.write_text(proc.stdout)
    return path


def run(args: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None,
        input_text: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    merged = {**os.environ, **(env or {})}
    return subprocess.run(args, cwd=cwd, env=merged, input=input_text, capture_output=True, text=True,
                          check=False, timeout=timeout)


def opa_eval(query: str, input_doc: object, *data_paths: str | Path, bundle: Path | None = None) -> object:
    """Evaluate a query with the real OPA; returns the value (or raises on errors)."""
    args = [tool("opa"), "eval", "--format", "json", "--strict-builtin-errors", "--stdin-input"]
    if bundle is not None:
        args += ["--bundle", str(bundle)]
    for path in data_paths:
        args += ["-d", str(path)]
    proc = run([*args, query], input_text=json.dumps(input_doc))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout).get("result")
    return result[0]["expressions"][0]["value"] if result else None
