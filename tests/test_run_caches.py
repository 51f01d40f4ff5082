"""What `mlfence check` would otherwise redo on every run, kept in the user cache (mlfence.cache):
the engine's `opa version` answer and the references read from every policy module. Each is
keyed by the files' stat, so a replaced engine or an edited module is read again."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT
from mlfence import policy_subset, toolchain

FAKE_OPA = """#!/bin/sh
echo asked >> "{log}"
echo "Version: {version}"
"""


def _fake_opa(folder: Path, version: str) -> tuple[Path, Path]:
    log = folder / "asked.log"
    fake = folder / "opa"
    fake.write_text(FAKE_OPA.format(log=log, version=version))
    fake.chmod(0o755)
    return fake, log


def _version(path: Path) -> str:
    toolchain.engine_version.cache_clear()  # the per-process memo; the user cache is what is tested
    try:
        return toolchain.engine_version(path)
    finally:
        toolchain.engine_version.cache_clear()


def test_engine_version_is_asked_once_and_again_when_the_binary_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFENCE_CACHE_DIR", str(tmp_path / "cache"))
    fake, log = _fake_opa(tmp_path, "1.21.1")
    assert _version(fake) == "v1.21.1"
    assert _version(fake) == "v1.21.1"
    assert log.read_text().count("asked") == 1, "the cached version ran the engine again"
    time.sleep(0.01)
    fake.write_text(FAKE_OPA.format(log=log, version="1.30.0") + "\n")  # replaced in place
    assert _version(fake) == "v1.30.0"
    assert log.read_text().count("asked") == 2


def test_an_engine_that_does_not_answer_is_asked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFENCE_CACHE_DIR", str(tmp_path / "cache"))
    fake, log = _fake_opa(tmp_path, "")
    assert _version(fake) == ""
    assert _version(fake) == ""
    assert log.read_text().count("asked") == 2, "a failed answer was cached"


def _fresh_modules(policy: Path) -> list[policy_subset.Module]:
    clear = getattr(policy_subset._read, "cache_clear", None)  # the per-process memo, unless patched
    if clear is not None:
        clear()
    return policy_subset.modules(policy)


def test_policy_modules_come_from_the_cache_equal_and_an_edit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFENCE_CACHE_DIR", str(tmp_path / "cache"))
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    first = _fresh_modules(policy)
    assert list((tmp_path / "cache").glob("policy-modules-*.json"))
    reads = []
    real = policy_subset._read
    monkeypatch.setattr(policy_subset, "_read", lambda *a: reads.append(a) or real(*a))
    assert _fresh_modules(policy) == first
    assert reads == [], "the cached module index read the modules again"
    edited = next(m.path for m in first if m.path.name == "scan.rego")
    edited.write_text(edited.read_text() + "\n_probe_reference := data.lib.mlfence.probe_only\n")
    again = _fresh_modules(policy)
    assert next(m for m in again if m.path == edited).references >= {"lib.mlfence.probe_only"}
    assert [m for m in again if m.path != edited] == [m for m in first if m.path != edited]
