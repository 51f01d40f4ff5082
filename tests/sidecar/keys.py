"""RSA key pairs for bundle signing, generated with the openssl command line tool."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path

    def public_pem(self) -> str:
        return self.public.read_text()


def openssl() -> str:
    found = shutil.which("openssl")
    if found is None:
        raise RuntimeError("the sidecar test needs the openssl command line tool (Debian package `openssl`)")
    return found


def generate(folder: Path, name: str, bits: int = 2048) -> KeyPair:
    """A fresh RSA key pair: `name`.pem (PKCS#8 private key) and `name`.pub.pem (SubjectPublicKeyInfo)."""
    folder.mkdir(parents=True, exist_ok=True)
    private, public = folder / f"{name}.pem", folder / f"{name}.pub.pem"
    for args in (
        ["genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}", "-out", str(private)],
        ["pkey", "-in", str(private), "-pubout", "-out", str(public)],
    ):
        proc = subprocess.run([openssl(), *args], capture_output=True, text=True, check=False, timeout=60)
        assert proc.returncode == 0, f"openssl {args[0]} failed: {proc.stderr}"
    return KeyPair(private, public)
