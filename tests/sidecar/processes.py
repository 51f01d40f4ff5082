"""Start and stop server processes that belong to the test, by pid, with bounded waits."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from sidecar.waiting import WaitTimeout, wait_until

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port that is free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


def spawn(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a process in its own session (so its children can be stopped with it), output to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )


def stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL the process group this test created."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    if proc.poll() is None:
        # Still alive, so its group id (= its pid, a session spawn() created) cannot have been
        # reused: only processes the test started (e.g. nginx workers) are in the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    text = path.read_text(errors="replace").splitlines()
    return f"--- last {min(lines, len(text))} lines of {path} ---\n" + "\n".join(text[-lines:])


def start_listening(
    launch: Callable[[], subprocess.Popen[bytes]], listening: Callable[[], bool], log: Path, what: str, timeout: float
) -> subprocess.Popen[bytes] | None:
    """Start a server and wait until it listens; the running process, or None when it exited
    because its port was taken meanwhile (the caller retries on another port). Any other
    early exit fails with the server's log."""
    proc = launch()
    try:
        wait_until(
            lambda: proc.poll() is not None or listening(), timeout, f"{what} to listen", detail=lambda: tail(log)
        )
    except WaitTimeout:
        stop(proc)
        raise
    if proc.poll() is None:
        return proc
    if "address already in use" in log.read_text(errors="replace").lower():
        return None
    raise AssertionError(f"{what} did not start\n{tail(log)}")
