"""A feed server on loopback: routes of canned bodies, and the broken variants tests ask for."""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    etag: str | None = None
    delay: float = 0.0  # seconds before the answer starts: "slow"
    cut: int | None = None  # send only this many bytes of body, with the full Content-Length
    fail_first: int = 0  # answer 500 to the first N requests, then normally
    content_type: str = "application/json"
    trickle: float = 0.0  # seconds between single bytes of the body: a slow-loris server
    location: str | None = None  # answer with a redirect there (status 302 unless `status` says)


@dataclass
class FeedServer:
    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    scheme: str = "http"

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, **options: object) -> str:
        self.routes[path] = Route(body, **options)  # type: ignore[arg-type]
        return self.url(path)


def _handler(state: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            state.hits[path] += 1
            route = state.routes.get(path)
            if route is None:
                self._send(404, b"not found\n", None, "text/plain")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.location is not None:
                self.send_response(route.status if route.status != 200 else 302)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.trickle:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                for i in range(len(route.body)):
                    self.wfile.write(route.body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(route.trickle)
                return
            if state.hits[path] <= route.fail_first:
                self._send(500, b"try again\n", None, "text/plain")
                return
            if route.cut is not None:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body[: route.cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self._send(route.status, route.body, route.etag, route.content_type)

        def _send(self, status: int, body: bytes, etag: str | None, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gives up (timeout, size cap) closes the socket mid-answer: expected here,
        # and socketserver's default would print a traceback into the output under test.
        pass


@contextmanager
def feed_server(tls: ssl.SSLContext | None = None) -> Iterator[FeedServer]:
    """A threaded HTTP server (HTTPS with a server TLS context) on 127.0.0.1 and a free port;
    stopped on exit."""
    state = FeedServer("127.0.0.1", 0, scheme="https" if tls else "http")
    httpd = _Server(("127.0.0.1", 0), _handler(state))
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
