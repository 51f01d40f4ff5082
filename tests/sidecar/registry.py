"""A real OCI registry on 127.0.0.1 (CNCF Distribution: Debian's docker-registry 2.8, or a
`registry` binary in .tools/bin) and the oras CLI.

Both are optional: the OCI round trip runs only when scripts/setup.sh installs them (Debian
package `docker-registry`; oras built from the Go module proxy like the other pins), and is
skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests

from mlfence import toolchain
from sidecar.processes import LOOPBACK, free_port, spawn, stop, tail
from sidecar.waiting import WaitTimeout, wait_until

LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"  # the only layer type OPA's OCI downloader loads

CONFIG = """\
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: {root}/data
http:
  addr: {host}:{port}
"""


def registry_binary() -> str | None:
    """Debian's docker-registry, or CNCF Distribution's `registry` built into .tools/bin."""
    found = shutil.which("docker-registry")
    if found or os.access("/usr/bin/docker-registry", os.X_OK):
        return found or "/usr/bin/docker-registry"
    local = toolchain.tools_bin() / "registry"
    return str(local) if os.access(local, os.X_OK) else None


def oras_binary() -> str | None:
    local = toolchain.tools_bin() / "oras"
    return str(local) if os.access(local, os.X_OK) else shutil.which("oras")


@dataclass
class Registry:
    root: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def log(self) -> Path:
        return self.root / "registry.log"

    def start(self, timeout: float = 15.0) -> None:
        binary = registry_binary()
        assert binary is not None, "docker-registry is not installed"
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        config = self.root / "config.yml"
        config.write_text(CONFIG.format(root=self.root, host=LOOPBACK, port=self.port))
        self.proc = spawn([binary, "serve", str(config)], self.log)
        session = requests.Session()
        session.trust_env = False
        try:
            wait_until(
                lambda: session.get(f"http://{self.host}/v2/", timeout=2).status_code == 200,
                timeout,
                "the registry to answer /v2/",
                detail=lambda: tail(self.log),
            )
        except WaitTimeout:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


def oras_push(oras: str, reference: str, bundle_file: Path) -> None:
    """Push one bundle file as the single tar+gzip layer of an OCI artifact (plain HTTP: loopback)."""
    proc = subprocess.run(
        [oras, "push", "--plain-http", reference, f"{bundle_file.name}:{LAYER}"],
        cwd=bundle_file.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, f"oras push {reference} failed:\n{proc.stdout}\n{proc.stderr}"
