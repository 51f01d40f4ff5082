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
def broken_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project whose MLF-K8S-001 reads data outside data.lib and data.inventory,
    which no Gatekeeper template can link."""
    home = tmp_path_factory.mktemp("home")
    for folder in ("policy", "data"):
        shutil.copytree(ROOT / folder, home / folder)
    (home / "tools").mkdir()
    shutil.copyfile(ROOT / "tools" / "pins.txt", home / "tools" / "pins.txt")
    shutil.copyfile(ROOT / "bundle.yaml", home / "bundle.yaml")
    rule = home / catalog.by_id("MLF-K8S-001").source.relative_to(ROOT)
    text = rule.read_text()
    assert "\tk8s.in_scope\n" in text
    rule.write_text(text.replace("\tk8s.in_scope\n", "\tk8s.in_scope\n\tdata.elsewhere.ready\n", 1))
    return home


@pytest.mark.parametrize("command", [["build", "--out", "dist"], ["fixtures", "--out", "fixtures"]])
def test_unlinked_reference_is_one_line_and_exit_2(command: list[str], broken_home: Path, tmp_path: Path) -> None:
    env = {"MLFENCE_HOME": str(broken_home), "MLFENCE_TOOLS_BIN": str(ROOT / ".tools" / "bin")}
    proc = run([MLFENCE, *command], cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlfence: "), proc.stderr[-2000:]
    assert "references data.elsewhere" in lines[0] and "may only reference data.lib" in lines[0]


def test_reference_to_a_lib_rule_nobody_defines_is_one_line_and_exit_2(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A misspelt lib rule (k8s.in_scop) compiles in OPA and is undefined at admission, so the
    rule would never fire: `mlfence build` refuses it instead of linking it."""
    home = tmp_path_factory.mktemp("misspelt")
    for folder in ("policy", "data"):
        shutil.copytree(ROOT / folder, home / folder)
    (home / "tools").mkdir()
    shutil.copyfile(ROOT / "tools" / "pins.txt", home / "tools" / "pins.txt")
    shutil.copyfile(ROOT / "bundle.yaml", home / "bundle.yaml")
    rule = home / catalog.by_id("MLF-K8S-001").source.relative_to(ROOT)
    rule.write_text(rule.read_text().replace("\tk8s.in_scope\n", "\tk8s.in_scop\n", 1))
    env = {"MLFENCE_HOME": str(home), "MLFENCE_TOOLS_BIN": str(ROOT / ".tools" / "bin")}
    proc = run([MLFENCE, "build", "--out", "dist"], cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "references in_scop of data.lib.mlfence.k8s, which no rule" in lines[0], lines[0]
