"""OPA as a server for the property tests: the policy is compiled once per test module, not once
per hypothesis example (`opa eval` compiles the whole bundle in every process, ~0.7-1 s CPU, while
evaluating one example's batch takes a fraction of that).

The server loads the bundle under test beside a small probe bundle of the module's own (its own
root, `mlfence_probe`, so both load side by side as two bundles in one OPA): each probe rule is
the query the module used to give `opa eval`. Every request asks the Data API for strict builtin
errors (`?strict-builtin-errors=true`, honoured by OPA's Data API; the ad-hoc Query API ignores
it), so a builtin error is an HTTP 500 naming the error, which fails the test with the input that
caused it, exactly as `opa eval --strict-builtin-errors` exiting 2 did. An undefined result fails
too. The server listens on a Unix socket of its own: no port to race for between pytest-xdist
workers.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import tool
from mlfence.scan_server import server_argv, unix_request

PROBE_ROOT = "mlfence_probe"
# The server lives for a test module, so not the tests' GOGC=off for one-shot runs; it allocates
# mostly in evaluation, whose garbage Go's default collector (GOGC=100) chases: with GOGC=400
# test_robustness.py's server took 9.2 s CPU instead of 11.6 s (GOGC=off with GOMEMLIMIT=1GiB:
# 9.3 s), the collector never changing an answer. A GOGC or GOMEMLIMIT in the environment wins.
_COLLECTOR = {"GOGC": "400"} if not {"GOGC", "GOMEMLIMIT"} & set(os.environ) else {}


class OpaServer:
    def __init__(self, address: Path, process: subprocess.Popen[bytes], log: Path) -> None:
        self.address = address
        self.process = process
        self.log = log

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        return unix_request(str(self.address), method, path, body, timeout=600)

    def value(self, rule: str, input_doc: Any) -> Any:
        """data.mlfence_probe.<rule> for input_doc, evaluated with strict builtin errors."""
        status, body = self._request(
            "POST",
            f"/v1/data/{PROBE_ROOT}/{rule}?strict-builtin-errors=true",
            json.dumps({"input": input_doc}).encode(),
        )
        assert status == 200, f"error on {json.dumps(input_doc)[:3000]}:\n{body.decode()[-3000:]}"
        answer = json.loads(body)
        assert "result" in answer, f"{PROBE_ROOT}.{rule} is undefined on {json.dumps(input_doc)[:3000]}"
        return answer["result"]

    def healthy(self) -> bool:
        """Whether the server answers and has activated every bundle it was given."""
        try:
            status, _ = self._request("GET", "/health?bundles=true")
        except OSError:
            return False
        return status == 200


@contextmanager
def serving(folder: Path, probe: str, bundle: Path | None = None, paths: tuple[Path, ...] = ()) -> Iterator[OpaServer]:
    """An OPA server on the probe module (Rego v1 source of `package mlfence_probe`) and either a
    built bundle or source paths (policy and data folders; their Rego tests are left out),
    stopped on exit. A module-scoped fixture holds it for its tests."""
    assert (bundle is None) != (not paths), "serve a bundle or source paths"
    probe_bundle = folder / "probe"
    probe_bundle.mkdir(parents=True)
    (probe_bundle / ".manifest").write_text(json.dumps({"roots": [PROBE_ROOT], "rego_version": 1}))
    (probe_bundle / "probe.rego").write_text(probe)
    if bundle is not None:
        sources = ["--bundle", str(bundle), "--bundle", str(probe_bundle)]
    else:
        sources = ["--ignore", "*_test.rego", *map(str, paths), str(probe_bundle / "probe.rego")]
    # A Unix socket path must stay under ~107 bytes: a short folder of its own, not pytest's.
    address = Path(tempfile.mkdtemp(prefix="mlfence-opa-")) / "opa.sock"
    log = folder / "opa.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            server_argv(tool("opa"), str(address), sources),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**_COLLECTOR, **os.environ},
        )
    server = OpaServer(address, process, log)
    try:
        deadline = time.monotonic() + 120
        while not server.healthy():
            assert process.poll() is None, f"opa run --server exited {process.returncode}:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"opa run --server did not become healthy:\n{log.read_text()[-3000:]}"
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        address.unlink(missing_ok=True)
        address.parent.rmdir()
