"""CPU an `opa run --server` sidecar spends activating a new bundle revision over an active one.

Usage: bench/bundle_activation.py BUNDLE.tar.gz [--opa .tools/bin/opa]

Revision B is BUNDLE with only its `.manifest` revision changed (so the bundle must be unsigned:
`mlfence build` without --signing-key). A local HTTP server with ETags (what nginx sends in
tests/test_sidecar.py) serves A; once OPA reports A active, it serves B, and the OPA process's
user+system CPU seconds (from /proc) between the swap and B's activation are printed. This is
the sidecar's real download path (bundle plugin, signature-less activation, path conflict
check), not `opa run --watch` or `opa eval`.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests


class _Served:
    body = b""
    etag = ""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == _Served.etag:
            self.send_response(304)
            self.send_header("ETag", _Served.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", _Served.etag)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(_Served.body)))
        self.end_headers()
        self.wfile.write(_Served.body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(body: bytes) -> None:
    _Served.body = body
    _Served.etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _with_revision(bundle: bytes, revision: str) -> bytes:
    """The same bundle with another `.manifest` revision."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as src, tarfile.open(fileobj=out, mode="w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else b""  # type: ignore[union-attr]
            if member.name.lstrip("/") == ".manifest":
                manifest = json.loads(data)
                manifest["revision"] = revision
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out.getvalue()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_revision(url: str, revision: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            status = requests.get(f"{url}/v1/status", timeout=5).json()["result"]["bundles"]["mlfence"]
            if status.get("active_revision") == revision:
                return
        except (requests.RequestException, KeyError, ValueError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"bundle_activation: revision {revision} not active in time")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--opa", default=".tools/bin/opa")
    parser.add_argument("--port", type=int, default=18181)
    args = parser.parse_args()
    bundle_a = args.bundle.read_bytes()
    bundle_b = _with_revision(bundle_a, "bench-revision-b")
    revision_a = _manifest_revision(bundle_a)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _serve(bundle_a)
    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "services": {"s": {"url": f"http://127.0.0.1:{httpd.server_address[1]}"}},
                    "bundles": {
                        "mlfence": {
                            "service": "s",
                            "resource": "b.tar.gz",
                            "polling": {"min_delay_seconds": 1, "max_delay_seconds": 1},
                        }
                    },
                    "status": {"prometheus": True},
                }
            )
        )
        url = f"http://127.0.0.1:{args.port}"
        address = f"127.0.0.1:{args.port}"
        opa = subprocess.Popen(
            [args.opa, "run", "--server", "--skip-version-check", "--addr", address, "--config-file", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            start = time.monotonic()
            _wait_revision(url, revision_a, start + 300)
            first = _cpu_seconds(opa.pid)
            print(f"revision A active after {time.monotonic() - start:.2f} s wall, OPA CPU {first:.2f} s")
            time.sleep(3)  # let OPA settle (polls answered 304) before the swap
            before = _cpu_seconds(opa.pid)
            swapped = time.monotonic()
            _serve(bundle_b)
            _wait_revision(url, "bench-revision-b", swapped + 600)
            print(
                f"revision B active after {time.monotonic() - swapped:.2f} s wall, "
                f"OPA CPU for the update {_cpu_seconds(opa.pid) - before:.2f} s"
            )
        finally:
            opa.terminate()
            opa.wait(timeout=30)
            httpd.shutdown()


def _manifest_revision(bundle: bytes) -> str:
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as src:
        for member in src.getmembers():
            if member.name.lstrip("/") == ".manifest":
                return json.loads(src.extractfile(member).read())["revision"]  # type: ignore[union-attr]
    sys.exit("bundle_activation: the bundle has no .manifest")


if __name__ == "__main__":
    main()
