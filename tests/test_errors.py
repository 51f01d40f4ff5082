"""User-facing errors: one line on stderr and exit 2 (exit 1 means findings), never a traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
from pathlib import Path

import pytest

import mlfence
from conftest import MLFENCE, ROOT, run
from mlfence import catalog
from mlfence.errors import MlfenceError


def test_every_error_class_of_the_package_is_user_facing() -> None:
    """A new `class SomethingError(ValueError)` that forgets the base would end the CLI in a
    traceback: every public exception class mlfence defines derives from MlfenceError (private
    ones, such as sync's retry signals, never leave their module)."""
    defined = []
    for module_info in pkgutil.walk_packages(mlfence.__path__, "mlfence."):
        if module_info.name.endswith(("pytest_rego", "__main__")):
            continue
        module = importlib.import_module(module_info.name)
        defined += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Exception) and cls.__module__ == module.__name__ and not cls.__name__.startswith("_")
        ]
    assert len(defined) >= 15, defined
    assert [c.__qualname__ for c in defined if not issubclass(c, MlfenceError)] == []


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's policy, data, pins and bundle settings: the home every test below
    breaks one rule of (MLF-K8S-001). One copy for the module: `mlfence build` keeps the parse
    trees of the policy files in its user cache, keyed by each file's path and bytes, so on the
    same copy only the changed rule is parsed again (a fresh copy per test parsed all ~85 files
    again: ~2.5 s CPU of `opa parse` processes per test). The rules without their Rego tests, as
    `mlfence build` ships them: no test is linked or asserted on, but each edit of the rule makes
    the catalog's `opa inspect` read the folder again, tests included."""
    home = tmp_path_factory.mktemp("home")
    for folder in ("policy", "data"):
        shutil.copytree(ROOT / folder, home / folder, ignore=shutil.ignore_patterns("*_test.rego"))
    (home / "tools").mkdir()
    shutil.copyfile(ROOT / "tools" / "pins.txt", home / "tools" / "pins.txt")
    shutil.copyfile(ROOT / "bundle.yaml", home / "bundle.yaml")
    return home


def _with_k8s_001_line(home: Path, line: str) -> Path:
    """The home with the project's MLF-K8S-001, its `k8s.in_scope` line replaced by `line`. The
    file is written only when its text changes (a rewrite of the same text would still make the
    cached rule catalog, keyed by the file's stat, be computed again)."""
    original = catalog.by_id("MLF-K8S-001").source
    text = original.read_text()
    assert "\tk8s.in_scope\n" in text
    wanted = text.replace("\tk8s.in_scope\n", line, 1)
    rule = home / original.relative_to(ROOT)
    if rule.read_text() != wanted:
        rule.write_text(wanted)
    return home


@pytest.fixture
def broken_home(project_copy: Path) -> Path:
    """The project with an MLF-K8S-001 that reads data outside data.lib and data.inventory,
    which no Gatekeeper template can link."""
    return _with_k8s_001_line(project_copy, "\tk8s.in_scope\n\tdata.elsewhere.ready\n")


@pytest.mark.parametrize("command", [["build", "--out", "dist"], ["fixtures", "--out", "fixtures"]])
def test_unlinked_reference_is_one_line_and_exit_2(command: list[str], broken_home: Path, tmp_path: Path) -> None:
    env = {"MLFENCE_HOME": str(broken_home), "MLFENCE_TOOLS_BIN": str(ROOT / ".tools" / "bin")}
    proc = run([MLFENCE, *command], cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlfence: "), proc.stderr[-2000:]
    assert "references data.elsewhere" in lines[0] and "may only reference data.lib" in lines[0]


def test_reference_to_a_lib_rule_nobody_defines_is_one_line_and_exit_2(project_copy: Path, tmp_path: Path) -> None:
    """A misspelt lib rule (k8s.in_scop) compiles in OPA and is undefined at admission, so the
    rule would never fire: `mlfence build` refuses it instead of linking it."""
    home = _with_k8s_001_line(project_copy, "\tk8s.in_scop\n")
    env = {"MLFENCE_HOME": str(home), "MLFENCE_TOOLS_BIN": str(ROOT / ".tools" / "bin")}
    proc = run([MLFENCE, "build", "--out", "dist"], cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "references in_scop of data.lib.mlfence.k8s, which no rule" in lines[0], lines[0]
