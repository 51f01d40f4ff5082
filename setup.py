"""Wheel build hooks: ship the policy, the data and the schemas inside the `mlfence` package, and
(for a platform wheel) the pinned OPA engine.

Everything else about the package is declared in pyproject.toml. `scripts/build-wheel.sh` is the
way to run this: it builds OPA for the target platform and sets the two variables below.

- MLFENCE_WHEEL_OPA: path of an `opa` binary to ship as mlfence/_bin/opa (unset: a pure wheel
  that uses MLFENCE_OPA or an `opa` on PATH).
- MLFENCE_WHEEL_PLATFORM: the wheel's platform tag for that binary, e.g.
  manylinux_2_17_x86_64 (required with MLFENCE_WHEEL_OPA: a binary is never tagged "any").
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:  # setuptools >= 70.1 carries bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover - older setuptools with the `wheel` package
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent
OPA = os.environ.get("MLFENCE_WHEEL_OPA", "")
PLATFORM = os.environ.get("MLFENCE_WHEEL_PLATFORM", "")


def _policy_files(name: str) -> bool:
    # Rule tests are for contributors; rules, libs, adapters and each rule's examples.yaml
    # (`mlfence explain` shows them) ship.
    return not name.endswith("_test.rego")


class BuildWithResources(build_py):
    """build_py that also copies policy/, data/, bundle.yaml and pins.txt into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository itself (toolchain.project_root)
        package = Path(self.build_lib) / "mlfence"
        resources, binaries = package / "_resources", package / "_bin"
        for stale in (resources, binaries):
            shutil.rmtree(stale, ignore_errors=True)
        ignore = shutil.ignore_patterns("*_test.rego", "__pycache__", "*.pyc")
        shutil.copytree(ROOT / "policy", resources / "policy", ignore=ignore)
        shutil.copytree(ROOT / "data", resources / "data", ignore=ignore)
        shutil.copyfile(ROOT / "bundle.yaml", resources / "bundle.yaml")
        shutil.copyfile(ROOT / "tools" / "pins.txt", resources / "pins.txt")
        if OPA:
            binaries.mkdir(parents=True)
            shutil.copyfile(OPA, binaries / "opa")
            os.chmod(binaries / "opa", 0o755)


class PlatformWheel(bdist_wheel):
    """A wheel with an engine inside is a platform wheel: py3-none-<platform>."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if OPA:
            if not PLATFORM:
                raise SystemExit("MLFENCE_WHEEL_OPA needs MLFENCE_WHEEL_PLATFORM (e.g. manylinux_2_17_x86_64)")
            self.root_is_pure = False

    def get_tag(self) -> tuple[str, str, str]:
        if OPA:
            return "py3", "none", PLATFORM
        return super().get_tag()


setup(cmdclass={"build_py": BuildWithResources, "bdist_wheel": PlatformWheel})
