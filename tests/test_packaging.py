"""Packaging and engine lookup that need no wheel build (tests/test_wheel.py installs one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, tool
from mlfence import toolchain


def test_repository_install_reads_the_repository() -> None:
    assert toolchain.installation() == "repository"
    assert toolchain.project_root() == ROOT
    assert toolchain.pins()["opa"].startswith("v1.")
    # The wheel build copies resources into the build tree only: never into the source package.
    assert not (ROOT / "tools" / "mlfence" / "_resources").exists()
    assert not (ROOT / "tools" / "mlfence" / "_bin").exists()


def test_make_example_installs_no_test_servers() -> None:
    makefile = (ROOT / "Makefile").read_text()
    example = re.search(r"^example:(.*)$", makefile, re.MULTILINE)
    assert example and example.group(1).split() == ["setup"]
    assert re.search(r"^setup:\n\t@bash scripts/setup.sh\n", makefile, re.MULTILINE)
    assert re.search(r"^test: test-setup$", makefile, re.MULTILINE)
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    code = "\n".join(line for line in setup.splitlines() if not line.lstrip().startswith("#"))
    # Test servers and the test browser are installed by the test target's scripts only.
    for server in ("nginx", "docker-registry", "chromium"):
        assert server not in code, server
    assert 'if [ "${1:-}" = "--test-servers" ]' in setup
    assert "nginx" in (ROOT / "scripts" / "test-servers.sh").read_text()


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("#!/bin/sh\necho 'Version: 0.70.0'\n", "is v0.70.0, mlfence needs OPA"),
        ("#!/bin/sh\nexit 3\n", "is not a working opa"),
    ],
)
def test_wrong_engine_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, words: str
) -> None:
    fake = tmp_path / "opa"
    fake.write_text(script)
    fake.chmod(0o755)
    monkeypatch.setenv("MLFENCE_OPA", str(fake))
    with pytest.raises(toolchain.ToolchainError, match=words):
        toolchain.binary("opa")


def test_explicit_engine_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFENCE_OPA", tool("opa"))
    info = toolchain.engine_info()
    assert info["source"] == "MLFENCE_OPA" and info["version"] == info["pinned"]
