"""Builds the OPA bundle for sidecars with `opa build -b`.

The bundle holds the rules, the libs, the decision entrypoints and the data documents; never
tests, never conftest's `main` adapter, never raw feeds. Its `.manifest` carries the revision
(git describe + data versions), the roots, rego_version 1 and metadata (catalog version, data
provenance). The staging tree is written in sorted order so the same sources give the same
bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlfence import __version__, catalog, rule_index, settings, toolchain
from mlfence.errors import MlfenceError
from mlfence.files import write_bytes_atomic

# The parts of `data` the bundle owns. OPA refuses to activate bundles with overlapping roots, so
# they are mlfence's own names only, and the bundle can sit beside other bundles in one OPA:
# `mlfence` (adapters, rules mlfence.k8s.* / mlfence.terraform.*, config, rule index and the range
# data at data.mlfence.rangedata) and `lib/mlfence` (the libs; Gatekeeper accepts template libs
# only under data.lib). docs/architecture.md explains the choice.
ROOTS = ("mlfence", "lib/mlfence")
# conftest's adapter (its default namespace): never shipped in the bundle.
CONFTEST_ADAPTER = "main"
DATA_NAMES = ("data.json", "data.yaml")


class BundleError(MlfenceError, RuntimeError):
    """The bundle cannot be built."""


@dataclass(frozen=True)
class BuiltBundle:
    path: Path
    revision: str
    sha256: str


def _git_describe(root: Path) -> str:
    """The repository's `git describe`; an installed mlfence (no repository) names its version."""
    if not (root / ".git").exists():
        return f"mlfence-{__version__}"
    try:
        proc = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return f"mlfence-{__version__}"
    return proc.stdout.strip() or "untracked"


def _commit_time(root: Path) -> int:
    """The commit's time (unix seconds): what data.mlfence.bundle_info.built_at records, so a
    sidecar can refuse bundles older than a floor (policy/mlfence/bundle_check.rego). The commit,
    not the clock, keeps the same sources giving the same bundle."""
    proc = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=False)
    text = proc.stdout.strip()
    return int(text) if text.isdigit() else 0


def under_roots(package: str) -> bool:
    """Whether a package (or data path, dotted) lies in the bundle's roots."""
    path = package.replace(".", "/")
    return any(path == root or path.startswith(root + "/") for root in ROOTS)


_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


def _package_of(source: Path) -> str:
    """The package a Rego file declares (its first `package` line: no OPA process per file)."""
    found = _PACKAGE.search(source.read_text())
    if found is None:
        raise BundleError(f"{source}: no package declaration")
    return found.group(1)


def _shipped_sources(policy: Path) -> list[Path]:
    """The non-test Rego files of the policy tree but the conftest adapter; a package outside the
    roots is refused rather than shipped (OPA would refuse the whole bundle) or silently dropped."""
    shipped = []
    for source in sorted(policy.rglob("*.rego")):
        if source.name.endswith("_test.rego"):
            continue
        package = _package_of(source)
        if package == CONFTEST_ADAPTER:
            continue
        if not under_roots(package):
            raise BundleError(f"{source}: package {package} is outside the bundle's roots {', '.join(ROOTS)}")
        shipped.append(source)
    return shipped


def _data_files(data_root: Path) -> list[Path]:
    return sorted(p for p in data_root.rglob("*") if p.name in DATA_NAMES and "schemas" not in p.parts)


def _provenance(*layers: Path) -> dict[str, Any]:
    """Provenance recorded by `mlfence sync` next to the range data, if any; a later data layer's
    provenance replaces an earlier one's for the same folder, as its data does."""
    found: dict[str, Any] = {}
    for data_root in layers:
        for path in sorted(data_root.rglob("provenance.json")):
            try:
                found[str(path.parent.relative_to(data_root))] = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise BundleError(f"{path}: unreadable provenance: {exc}") from exc
    return found


def data_version(data_root: Path) -> str:
    digest = hashlib.sha256()
    for path in _data_files(data_root):
        digest.update(str(path.relative_to(data_root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def manifest(root: Path, staged: Path, rules: tuple[catalog.Rule, ...], layers: tuple[Path, ...]) -> dict[str, Any]:
    """The .manifest of a staged bundle; the data version digests the staged data documents, the
    rendered settings (data.mlfence.config) included."""
    return {
        "revision": f"{_git_describe(root)}+data.{data_version(staged)}",
        "roots": list(ROOTS),
        "rego_version": 1,
        "metadata": {
            "name": "mlfence",
            "catalog_version": __version__,
            "rules": len(rules),
            "rule_ids": [r.rule_id for r in rules],
            "data_provenance": _provenance(*layers),
        },
    }


def stage(dest: Path, root: Path | None = None, run_settings: settings.Settings | None = None) -> dict[str, Any]:
    """Copy what the bundle ships into dest; returns the manifest written there.

    The data is the settings' staged data tree (settings.Settings.stage_data): the shipped data
    documents, the layers over them, and the one rendered data.mlfence.config that Gatekeeper
    gets as Constraint parameters.
    """
    root = root or toolchain.project_root()
    # Without settings of the run: the project's own layers of `root` (its data/mlfence/config and
    # bundle.yaml), validated like any other source.
    try:
        run_settings = run_settings or settings.load(project_root=root, discover_file=False)
    except settings.SettingsError as exc:
        raise BundleError(str(exc)) from None
    policy, data_root = root / "policy", root / "data"
    for source in _shipped_sources(policy):
        target = dest / source.relative_to(policy)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    run_settings.stage_data(dest, base=data_root)
    info = dest / "mlfence" / "bundle_info" / "data.json"
    info.parent.mkdir(parents=True, exist_ok=True)
    info.write_text(json.dumps({"built_at": _commit_time(root)}) + "\n")
    # The rule index is rewritten from the rules being shipped: a stale committed index would
    # skip a rule for a kind it now checks.
    # One catalog (one `opa inspect`) for the index and the manifest, read from the policy shipped.
    rules = catalog.load(policy)
    target = dest / rule_index.PATH.relative_to("data")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(rule_index.dumps(rule_index.build(rules, policy / "lib")))
    document = manifest(root, dest, rules, (data_root, *run_settings.data_layers))
    (dest / ".manifest").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return document


def build(
    out: Path,
    signing_key: Path | None = None,
    key_id: str = "mlfence",
    root: Path | None = None,
    run_settings: settings.Settings | None = None,
) -> BuiltBundle:
    """Build (and optionally sign) the bundle at `out`, atomically."""
    if signing_key is not None and not signing_key.is_file():
        raise BundleError(f"signing key {signing_key} does not exist")
    with tempfile.TemporaryDirectory(prefix="mlfence-bundle-") as tmp:
        staging = Path(tmp) / "bundle"
        document = stage(staging, root, run_settings)
        target = Path(tmp) / "bundle.tar.gz"
        # Built from inside the staging folder so the archive holds relative paths only.
        args = ["build", "-b", ".", "-o", str(target), "--revision", document["revision"]]
        if signing_key is not None:
            claims = Path(tmp) / "claims.json"
            claims.write_text(json.dumps({"keyid": key_id}))
            args += ["--signing-key", str(signing_key), "--signing-alg", "RS256", "--claims-file", str(claims)]
        proc = toolchain.run("opa", *args, cwd=staging, env=toolchain.compile_gc_env())
        if proc.returncode != 0:
            raise BundleError(f"opa build failed:\n{proc.stderr.strip() or proc.stdout.strip()}")
        payload = target.read_bytes()
    write_bytes_atomic(out, payload)
    return BuiltBundle(out, document["revision"], hashlib.sha256(payload).hexdigest())


def conftest_tree(dest: Path, run_settings: settings.Settings | None = None) -> Path:
    """dest/policy (rules, libs, both adapters; no tests) and dest/data (the settings' staged data
    tree) for `conftest test -p dest/policy -d dest/data`: conftest in CI then enforces the same
    settings as the CLI, the bundle and Gatekeeper. The folder is swapped in whole."""
    root = toolchain.project_root()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        shutil.copytree(root / "policy", staging / "policy", ignore=shutil.ignore_patterns("*_test.rego"))
        (run_settings or settings.Settings()).stage_data(staging / "data", base=root / "data")
        old = dest.with_name(f".{dest.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if dest.exists():
            dest.rename(old)
        staging.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return dest
