"""A real nginx (Debian's) serving bundle files from a temporary document root on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from sidecar.processes import LOOPBACK, free_port, port_open, spawn, start_listening, stop, tail

CONFIG = """\
{user}worker_processes 1;
events {{ worker_connections 64; }}
http {{
  # one line per request: enough to see what OPA fetched and what it was told
  log_format mlfence escape=none '$status $request_method $uri etag=$sent_http_etag if_none_match=$http_if_none_match';
  access_log {prefix}/access.log mlfence;
  client_body_temp_path {prefix}/tmp/body;
  proxy_temp_path {prefix}/tmp/proxy;
  fastcgi_temp_path {prefix}/tmp/fastcgi;
  uwsgi_temp_path {prefix}/tmp/uwsgi;
  scgi_temp_path {prefix}/tmp/scgi;
  default_type application/octet-stream;
  types {{ application/gzip gz; }}
  server {{
    listen {host}:{port};
    root {prefix}/www;
    etag on;
  }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        raise RuntimeError("nginx is not installed: run scripts/setup.sh (it installs Debian's nginx)")
    return found


@dataclass
class NginxServer:
    prefix: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    # nginx's ETag is "<mtime hex>-<size hex>" with one-second mtimes: two different files of the
    # same size published within one second would share an ETag and OPA (If-None-Match) would
    # keep the old one. Every publish therefore gets its own, strictly increasing mtime.
    _next_mtime: int = field(default_factory=lambda: int(time.time()) - 100_000)

    @property
    def docroot(self) -> Path:
        return self.prefix / "www"

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    @property
    def error_log(self) -> Path:
        return self.prefix / "error.log"

    def start(self, timeout: float = 10.0) -> None:
        assert self.proc is None, "nginx is already running"
        for sub in ("www", "tmp"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            self.port = self.port if self.port and attempt == 0 else free_port()
            config = self.prefix / "nginx.conf"
            # As root, workers would run as `nobody` and could not read pytest's 0700 folders.
            user = "user root;\n" if os.geteuid() == 0 else ""
            config.write_text(CONFIG.format(user=user, prefix=self.prefix, host=LOOPBACK, port=self.port))
            args = [
                nginx_binary(),
                "-e",
                str(self.error_log),
                "-p",
                str(self.prefix),
                "-c",
                str(config),
                "-g",
                f"daemon off; pid {self.prefix}/nginx.pid; error_log {self.error_log};",
            ]
            self.proc = start_listening(
                lambda args=args: spawn(args, self.prefix / "nginx.out"),
                lambda: port_open(self.port),
                self.error_log,
                "nginx",
                timeout,
            )
            if self.proc is not None:
                return
        raise AssertionError(f"nginx found no free port in 3 attempts\n{tail(self.error_log)}")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def publish(self, source: Path, name: str) -> str:
        """Atomically serve `source` as /`name`; returns the ETag nginx will send for it."""
        self._next_mtime += 10
        staged = self.docroot / f".{name}.tmp"
        shutil.copyfile(source, staged)
        staged.chmod(0o644)  # bundles are written 0600; nginx workers must read them
        os.utime(staged, (self._next_mtime, self._next_mtime))
        os.replace(staged, self.docroot / name)
        return f'"{self._next_mtime:x}-{source.stat().st_size:x}"'

    def unpublish(self, name: str) -> None:
        (self.docroot / name).unlink(missing_ok=True)

    def requests_for(self, name: str) -> list[str]:
        """Access log lines for /`name`, oldest first."""
        if not self.access_log.exists():
            return []
        return [line for line in self.access_log.read_text().splitlines() if f" /{name} " in line]

    def served(self, name: str, etag: str) -> bool:
        """Whether /`name` has been sent in full (200) with this ETag."""
        return any(line.startswith("200 GET") and f"etag={etag}" in line for line in self.requests_for(name))
