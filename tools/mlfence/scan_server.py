"""One OPA server for a large `mlfence check`: started before the inputs are read, so OPA parses
and compiles the policy on one core while Python reads the YAML on the other, then asked
data.mlfence.scan for every shard's input, several at once: one compile for all shards instead
of one per `opa eval` process (~0.4 s CPU each on the Kubeflow tree, bench/README.md).

It is only ever an optimisation of `opa eval`: it loads the same policy files and data folders
(`opa run` reads paths as `opa eval -d` does) and evaluates the same query on the same input, so
the answers are the same (tests/test_scan_server.py compares them). Anything unexpected (the
server does not start, a request fails, an answer is not the expected shape) returns None and
the caller evaluates that input with `opa eval`, whose error messages are the ones users see.

The server listens on a Unix socket in a private temporary folder, never on a port. On Linux
it is killed with mlfence (PR_SET_PDEATHSIG), so a mlfence killed mid-run leaves no OPA behind;
elsewhere no server is started (`available`).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlfence import toolchain

QUERY_PATH = "/v1/data/mlfence/scan"
# How long a server may take to parse, compile and listen (it takes ~0.5 s CPU on the Kubeflow
# tree's modules; a busy machine stretches that). A slower start is a fallback, not an error.
READY_SECONDS = 120.0
_PR_SET_PDEATHSIG = 1
# A Unix socket path must stay under ~107 bytes (sockaddr_un): a short folder of its own.
_SOCKET_PATH_LIMIT = 100


def available() -> bool:
    """Servers are started only where mlfence can make sure they die with it."""
    return sys.platform.startswith("linux")


def _death_signal() -> Callable[[], None]:
    """What the child runs between fork and exec: ask the kernel to kill it when its parent
    dies. The C function is looked up here, in the parent: the child only calls it (no import,
    no lock another thread of the parent might have held at fork)."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def die_with_parent() -> None:  # pragma: no cover - runs in the child
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was asked for
            os._exit(1)

    return die_with_parent


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def server_argv(opa: str, socket_path: str, sources: list[str]) -> list[str]:
    """`opa run --server` on a Unix socket, quiet but for errors, loading `sources` (paths and
    their flags)."""
    return [
        opa,
        "run",
        "--server",
        "--skip-version-check",
        "--log-level",
        "error",
        "--addr",
        f"unix://{socket_path}",
        *sources,
    ]


def unix_request(socket_path: str, method: str, path: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
    """One HTTP request (JSON body) to an OPA server listening on a Unix socket: (status, body)."""
    connection = _UnixConnection(socket_path, timeout)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


class ScanServer:
    """`opa run --server` on the given policy files and data folders, until close()."""

    def __init__(
        self, modules: list[Path], data: Path, extra_data: dict[str, Any] | None, env: dict[str, str] | None
    ) -> None:
        """`extra_data`: a data document loaded beside `data` (a folder of its own, as scan.evaluate
        gives `opa eval` its overrides)."""
        self.modules = frozenset(modules)
        self.data = data
        self.extra_data = extra_data
        self._folder = Path(tempfile.mkdtemp(prefix="mlfence-opa-"))
        self._socket = str(self._folder / "opa.sock")
        self._ready = False
        self._process: subprocess.Popen[bytes] | None = None
        if len(self._socket) > _SOCKET_PATH_LIMIT:
            return
        data_dirs = [data]
        if extra_data:
            extra = self._folder / "extra" / "data.json"
            extra.parent.mkdir()
            extra.write_text(json.dumps(extra_data))
            data_dirs.append(extra.parent)
        try:
            argv = server_argv(
                str(toolchain.binary("opa")),
                self._socket,
                ["--ignore", "*_test.rego", *map(str, sorted(modules)), *map(str, data_dirs)],
            )
            with (self._folder / "opa.log").open("wb") as log:
                self._process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    env={**os.environ, **env} if env else None,
                    preexec_fn=_death_signal(),
                )
        except (OSError, toolchain.ToolchainError):
            self._process = None

    def covers(self, modules: list[Path], data: Path, extra_data: dict[str, Any] | None) -> bool:
        """Whether this server loaded what an `opa eval` of `modules`, `data` and `extra_data`
        would: the same data, and those modules or more (a module no routed rule reaches never
        changes an answer: policy_subset)."""
        return (
            self._process is not None
            and set(modules) <= self.modules
            and data == self.data
            and (extra_data or None) == (self.extra_data or None)
        )

    def _request(self, method: str, path: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
        return unix_request(self._socket, method, path, body, timeout)

    def wait_ready(self) -> bool:
        """Whether the server has loaded everything and answers (waits for it, up to READY_SECONDS)."""
        if self._ready or self._process is None:
            return self._ready
        deadline = time.monotonic() + READY_SECONDS
        pause = 0.002
        while self._process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self._request("GET", "/health", None, timeout=5)[0] == 200:
                    self._ready = True
                    return True
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return False

    def answer(self, input_text: str, timeout: float) -> list[Any] | None:
        """data.mlfence.scan for one input (its JSON text), or None when the server cannot say."""
        if not self.wait_ready():
            return None
        body = b'{"input":' + input_text.encode() + b"}"
        try:
            status, raw = self._request("POST", QUERY_PATH, body, timeout)
        except TimeoutError:
            raise toolchain.ToolchainError(
                f"opa did not finish within {timeout:g} s; set {toolchain.TIMEOUT_VARIABLE} to allow longer"
            ) from None
        except (OSError, http.client.HTTPException):
            return None
        if status != 200:
            return None
        try:
            value = json.loads(raw)["result"]
        except (KeyError, TypeError, ValueError):
            return None
        return value if isinstance(value, list) else None

    def close(self) -> None:
        if self._process is not None:
            # Nothing to flush or persist: no graceful shutdown (it waits up to 10 s).
            self._process.kill()
            self._process.wait()
            self._process = None
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> ScanServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
