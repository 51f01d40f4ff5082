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
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlfence import __version__, catalog, parameters, rule_index, toolchain
from mlfence.files import write_bytes_atomic

ROOTS = ("k8s", "lib", "mlfence", "terraform")
POLICY_DIRS = ("k8s", "lib", "mlfence", "terraform")
DATA_NAMES = ("data.json", "data.yaml")


class BundleError(RuntimeError):
    """The bundle cannot be built."""


@dataclass(frozen=True)
class BuiltBundle:
    path: Path
    revision: str
    sha256: str


def _git_describe(root: Path) -> str:
    proc = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=root,
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "untracked"


def _data_files(data_root: Path) -> list[Path]:
    return sorted(p for p in data_root.rglob("*") if p.name in DATA_NAMES and "schemas" not in p.parts)


def _provenance(data_root: Path) -> dict[str, Any]:
    """Provenance recorded by `mlfence sync` next to the range data, if any."""
    found: dict[str, Any] = {}
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


def manifest(root: Path, data_root: Path, rules: tuple[catalog.Rule, ...],
             config_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    version = data_version(data_root)
    if config_overrides:
        extra = hashlib.sha256(json.dumps(config_overrides, sort_keys=True).encode()).hexdigest()[:8]
        version = f"{version}.{extra}"
    return {
        "revision": f"{_git_describe(root)}+data.{version}",
        "roots": list(ROOTS),
        "rego_version": 1,
        "metadata": {
            "name": "mlfence",
            "catalog_version": __version__,
            "rules": len(rules),
            "rule_ids": [r.rule_id for r in rules],
            "data_provenance": _provenance(data_root),
        },
    }


CONFIG = Path("mlfence") / "config"


def stage(dest: Path, root: Path | None = None, config_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Copy what the bundle ships into dest; returns the manifest written there.

    config_overrides (e.g. the exemptions of bundle.yaml) are merged into the rule parameters
    the bundle carries, data.mlfence.config, exactly as Gatekeeper gets them as parameters.
    """
    root = root or toolchain.project_root()
    policy, data_root = root / "policy", root / "data"
    for folder in POLICY_DIRS:
        for source in sorted((policy / folder).rglob("*.rego")):
            if source.name.endswith("_test.rego"):
                continue
            target = dest / source.relative_to(policy)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for source in _data_files(data_root):
        if config_overrides and source.parent.relative_to(data_root) == CONFIG:
            continue
        target = dest / source.relative_to(data_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    if config_overrides:
        config = {**parameters.config(data_root), **config_overrides}
        target = dest / CONFIG / "data.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    # The rule index is rewritten from the rules being shipped: a stale committed index would
    # skip a rule for a kind it now checks.
    # One catalog (one `opa inspect`) for the index and the manifest, read from the policy shipped.
    rules = catalog.load(policy)
    target = dest / rule_index.PATH.relative_to("data")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(rule_index.dumps(rule_index.build(rules)))
    document = manifest(root, data_root, rules, config_overrides)
    (dest / ".manifest").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return document


def build(out: Path, signing_key: Path | None = None, key_id: str = "mlfence",
          root: Path | None = None, config_overrides: dict[str, Any] | None = None) -> BuiltBundle:
    """Build (and optionally sign) the bundle at `out`, atomically."""
    if signing_key is not None and not signing_key.is_file():
        raise BundleError(f"signing key {signing_key} does not exist")
    with tempfile.TemporaryDirectory(prefix="mlfence-bundle-") as tmp:
        staging = Path(tmp) / "bundle"
        document = stage(staging, root, config_overrides)
        target = Path(tmp) / "bundle.tar.gz"
        # Built from inside the staging folder so the archive holds relative paths only.
        args = ["build", "-b", ".", "-o", str(target), "--revision", document["revision"]]
        if signing_key is not None:
            claims = Path(tmp) / "claims.json"
            claims.write_text(json.dumps({"keyid": key_id}))
            args += ["--signing-key", str(signing_key), "--signing-alg", "RS256", "--claims-file", str(claims)]
        proc = toolchain.run("opa", *args, cwd=staging)
        if proc.returncode != 0:
            raise BundleError(f"opa build failed:\n{proc.stderr.strip() or proc.stdout.strip()}")
        payload = target.read_bytes()
    write_bytes_atomic(out, payload)
    return BuiltBundle(out, document["revision"], hashlib.sha256(payload).hexdigest())
