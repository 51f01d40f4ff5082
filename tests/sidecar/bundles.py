"""Bundles for the sidecar test: built with mlfence, a changed-data revision, tampered copies."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import yaml

from conftest import tool
from mlfence import bundle


def variant_root(source: Path, dest: Path, exemptions: list[dict[str, Any]]) -> Path:
    """The project's policy/ (a link: the variant differs in data only) beside a copy of its
    data/ whose rule parameters carry extra exemptions. Through the link the rules resolve to
    the project's own files, so the rule catalog and the rule analysis `bundle.build` already
    did for them are reused (a copied policy/ is new to both caches: ~5 s CPU per build, paid
    by every build that ran before the first one finished)."""
    dest.mkdir(parents=True)
    (dest / "policy").symlink_to(source / "policy", target_is_directory=True)
    shutil.copytree(source / "data", dest / "data")
    config_file = dest / "data" / "mlfence" / "config" / "data.yaml"
    config = yaml.safe_load(config_file.read_text()) or {}
    config["exemptions"] = [*config.get("exemptions", []), *exemptions]
    # Revision B exempts every rule on one named object: a wildcard rule must be allowed explicitly.
    config["exemption_limits"] = {"allow_all_rules": True}
    config_file.write_text(yaml.safe_dump(config, sort_keys=True))
    return dest


def build(out: Path, signing_key: Path, root: Path | None = None) -> bundle.BuiltBundle:
    """`mlfence build`'s bundle step, signed with RS256 and key id "mlfence"."""
    return bundle.build(out, signing_key, key_id="mlfence", root=root)


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}  # type: ignore[union-attr]


def rewrite(source: Path, dest: Path, member: str, change: Any) -> None:
    """Copy a bundle, replacing one member's bytes with change(old bytes); the signature is kept."""
    replaced = False
    with tarfile.open(source, "r:gz") as old, tarfile.open(dest, "w:gz") as new:
        for info in old.getmembers():
            data = old.extractfile(info).read() if info.isfile() else None  # type: ignore[union-attr]
            if info.name.lstrip("/") == member and data is not None:
                data, replaced = change(data), True
                info.size = len(data)
            new.addfile(info, io.BytesIO(data) if data is not None else None)
    assert replaced, f"{source} has no member {member}"


def unsigned_copy(source: Path, dest: Path) -> Path:
    """A copy of a signed bundle without its .signatures.json: the same content unsigned (what
    `opa build` without a signing key gives, without compiling the policy again)."""
    dropped = False
    with tarfile.open(source, "r:gz") as old, tarfile.open(dest, "w:gz") as new:
        for info in old.getmembers():
            if info.name.lstrip("/") == ".signatures.json":
                dropped = True
                continue
            new.addfile(info, old.extractfile(info) if info.isfile() else None)
    assert dropped, f"{source} is not signed"
    return dest


def resigned(source: Path, dest: Path, signing_key: Path, key_id: str) -> Path:
    """A copy of a bundle signed with another key under `key_id` (RS256, as `mlfence build`
    signs): `opa sign` of its files, which hashes and signs them as `opa build --signing-key`
    does, without compiling the policy again (~0.7 s CPU per bundle)."""
    with tempfile.TemporaryDirectory(prefix="mlfence-resign-") as tmp:
        files, claims = Path(tmp) / "bundle", Path(tmp) / "claims.json"
        with tarfile.open(source, "r:gz") as archive:
            kept = [m for m in archive.getmembers() if m.name.lstrip("/") != ".signatures.json"]
            archive.extractall(files, members=kept, filter="data")
        claims.write_text(json.dumps({"keyid": key_id}))
        proc = subprocess.run(
            [
                *(tool("opa"), "sign", "--bundle", ".", "--signing-key", str(signing_key)),
                *("--signing-alg", "RS256", "--claims-file", str(claims), "--output-file-path", tmp),
            ],
            cwd=files,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert proc.returncode == 0, f"opa sign failed: {proc.stderr}"
        signature = (Path(tmp) / ".signatures.json").read_bytes()
    with tarfile.open(source, "r:gz") as old, tarfile.open(dest, "w:gz") as new:
        for info in old.getmembers():
            if info.name.lstrip("/") != ".signatures.json":
                new.addfile(info, old.extractfile(info) if info.isfile() else None)
        entry = tarfile.TarInfo("/.signatures.json")
        entry.size = len(signature)
        new.addfile(entry, io.BytesIO(signature))
    return dest


def exempt_namespace(data_json: bytes, namespace: str) -> bytes:
    """The tampering an attacker would want: declare an ML namespace a "system" namespace."""
    document = json.loads(data_json)
    config = document["mlfence"]["config"]
    # The defaults live in Rego; the shipped config carries only what the settings set.
    config["system_namespaces"] = [*config.get("system_namespaces", ["kube-system"]), namespace]
    return json.dumps(document).encode()
