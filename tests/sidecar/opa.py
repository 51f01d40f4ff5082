"""A real `opa run --server` configured as the mlfence sidecar, on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from conftest import GO_TEST_ENV
from sidecar.processes import LOOPBACK, free_port, port_open, spawn, start_listening, stop, tail
from sidecar.waiting import wait_until

BUNDLE = "mlfence"
KEY_ID = "mlfence"


def sidecar_config(
    service_url: str,
    resource: str,
    public_key_pem: str,
    persistence_directory: Path,
    key_id: str = KEY_ID,
    min_delay: int = 1,
    max_delay: int = 1,
) -> dict[str, Any]:
    """The shape of examples/sidecar/opa-config.yaml, with test values (fast polling: OPA takes
    whole seconds, and polls again after min + a random part of max - min; one second each means
    a newly published bundle is seen within a second, where 1-2 s gave 1.5 s on average)."""
    return {
        "services": {"mlfence-bundles": {"url": service_url}},
        "bundles": {
            BUNDLE: {
                "service": "mlfence-bundles",
                "resource": resource,
                "persist": True,
                "polling": {"min_delay_seconds": min_delay, "max_delay_seconds": max_delay},
                "signing": {"keyid": key_id},
            }
        },
        "keys": {key_id: {"algorithm": "RS256", "key": public_key_pem}},
        "persistence_directory": str(persistence_directory),
        # Local status only (GET /v1/status, /metrics): no status or decision-log service is
        # configured, so OPA sends nothing to the bundle server.
        "status": {"prometheus": True},
    }


def opa_args(binary: str, port: int, diagnostic_port: int, config: Path) -> list[str]:
    return [
        binary,
        "run",
        "--server",
        "--skip-version-check",
        "--addr",
        f"{LOOPBACK}:{port}",
        "--diagnostic-addr",
        f"{LOOPBACK}:{diagnostic_port}",
        "--config-file",
        str(config),
        "--log-format",
        "json",
        "--log-level",
        "info",
        "--shutdown-grace-period",
        "1",
    ]


@dataclass
class OpaSidecar:
    binary: str
    workdir: Path
    config: dict[str, Any] | Path
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    diagnostic_port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.http.trust_env = False  # never a proxy: every request goes to 127.0.0.1

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def diagnostic_url(self) -> str:
        return f"http://{LOOPBACK}:{self.diagnostic_port}"

    @property
    def log(self) -> Path:
        return self.workdir / "opa.log"

    def start(self, timeout: float = 20.0) -> None:
        """Start OPA and wait until its API answers (not until a bundle is active)."""
        assert self.proc is None, "OPA is already running"
        # A test's sidecar lives seconds and its work is activating bundles (compiling the whole
        # policy: ~1.1 s CPU with Go's default collector, ~0.7 s with GOGC=off, peak RSS 115 ->
        # 180 MB): the tests' Go setting for short-lived processes (conftest.GO_TEST_ENV), whose
        # GOMEMLIMIT bounds the heap. A GOGC or GOMEMLIMIT in the environment or the test's own wins.
        tuned = {"GOGC", "GOMEMLIMIT"} & (set(os.environ) | set(self.env))
        env = {**({} if tuned else GO_TEST_ENV), **self.env}
        self.workdir.mkdir(parents=True, exist_ok=True)
        if isinstance(self.config, Path):
            config_file = self.config
        else:
            config_file = self.workdir / "opa-config.yaml"
            config_file.write_text(yaml.safe_dump(self.config, sort_keys=True))
        for _attempt in range(3):
            self.port = free_port()
            self.diagnostic_port = free_port()
            while self.diagnostic_port == self.port:
                self.diagnostic_port = free_port()
            args = opa_args(self.binary, self.port, self.diagnostic_port, config_file) + self.extra_args
            self.proc = start_listening(
                lambda args=args: spawn(args, self.log, env),
                lambda: port_open(self.port) and port_open(self.diagnostic_port),
                self.log,
                "OPA",
                timeout,
            )
            if self.proc is not None:
                return
        raise AssertionError(f"OPA found no free ports in 3 attempts\n{tail(self.log)}")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def detail(self) -> str:
        return tail(self.log)

    # -- the APIs a caller and a kubelet use -------------------------------------------------

    def health(self, bundles: bool = True) -> int:
        """Status code of the diagnostic /health (with ?bundles: readiness)."""
        path = "/health?bundles" if bundles else "/health"
        return self.http.get(self.diagnostic_url + path, timeout=5).status_code

    def query(self, path: str, input_doc: Any) -> requests.Response:
        """POST /v1/data/<path> with {"input": ...}."""
        return self.http.post(f"{self.url}/v1/data/{path}", json={"input": input_doc}, timeout=10)

    def result(self, path: str, input_doc: Any) -> Any:
        response = self.query(path, input_doc)
        assert response.status_code == 200, f"{path}: HTTP {response.status_code}: {response.text[:500]}"
        body = response.json()
        assert "result" in body, f"{path}: no result (is a bundle active?): {body}\n{self.detail()}"
        return body["result"]

    def revision(self) -> str | None:
        """The active bundle's revision, from the manifest OPA stores under data.system.bundles."""
        response = self.http.get(f"{self.url}/v1/data/system/bundles/{BUNDLE}/manifest/revision", timeout=5)
        return response.json().get("result") if response.status_code == 200 else None

    def bundle_status(self) -> dict[str, Any]:
        """The bundle plugin's status (GET /v1/status): active_revision, code, message, errors."""
        response = self.http.get(f"{self.url}/v1/status", timeout=5)
        if response.status_code != 200:
            return {}
        return dict(response.json().get("result", {}).get("bundles", {}).get(BUNDLE, {}))

    def log_records(self) -> list[dict[str, Any]]:
        records = []
        for line in self.log.read_text(errors="replace").splitlines() if self.log.exists() else []:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return records

    def wait_ready(self, timeout: float = 20.0) -> None:
        wait_until(lambda: self.health() == 200, timeout, "readiness (/health?bundles) to be 200", detail=self.detail)

    def wait_revision(self, revision: str, timeout: float = 120.0) -> None:
        # Activating a new revision over an active one costs OPA 16 s of CPU (OPA 1.21, the
        # shipped range data; measured at load 20 on 2 cores, where it took 60 s of wall time):
        # the deadline is for such a machine, the wait ends as soon as the revision is active.
        wait_until(
            lambda: self.revision() == revision,
            timeout,
            f"bundle revision {revision} to be active",
            detail=lambda: f"active: {self.revision()}\n{self.detail()}",
        )
