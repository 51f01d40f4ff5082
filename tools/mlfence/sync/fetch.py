"""Download a feed: TLS verified, bounded in time and size, retried with backoff.

A source is an http(s) URL, a file:// URL or a local path (tests, air-gapped mirrors).

Bounds: `timeout` is a deadline for a whole attempt (connect, headers and body together), not
per read, so a server that trickles bytes (slow loris) cannot hold a run; `max_bytes` caps the
bytes actually read, whatever Content-Length or st_size claim (a FIFO or /dev/zero claims 0);
a local source must be a regular file. An https source that redirects to plain http is refused,
and the URL that answered is what provenance records.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import stat
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from mlfence.sync.errors import SyncError

USER_AGENT = "mlfence-sync/0.1 (+https://github.com/mlfence)"
RETRY_STATUS = {429, 500, 502, 503, 504}
CHUNK = 64 * 1024
PROGRESS_FROM = 1024 * 1024  # show a bar only for downloads that take a while


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 30.0
    max_bytes: int = 64 * 1024 * 1024
    retries: int = 3
    backoff: float = 1.0
    progress: bool = True


@dataclass(frozen=True)
class Fetched:
    source: str  # the URL that answered (after redirects) or the file read
    raw: bytes
    etag: str | None = None
    last_modified: str | None = None
    requested: str | None = None  # the URL asked for, when a redirect led elsewhere

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def is_url(source: str) -> bool:
    return urlparse(source).scheme in {"http", "https"}


def _read_file(source: str, options: FetchOptions) -> Fetched:
    """A regular file, at most max_bytes read: a FIFO would block and a device (/dev/zero)
    never ends, and both report a size of 0, so the type is checked on the opened file and the
    cap is enforced on the bytes read, not on st_size."""
    path = Path(urlparse(source).path if source.startswith("file://") else source)
    try:
        # O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SyncError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb", buffering=0) as handle:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise SyncError(f"{source}: not a regular file (a FIFO, device or socket); refusing to read it")
            os.set_blocking(fd, True)
            raw = handle.read(options.max_bytes + 1)
        except OSError as exc:
            raise SyncError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    if raw is None or len(raw) > options.max_bytes:
        raise SyncError(f"{source}: over the {options.max_bytes}-byte cap")
    return Fetched(str(path), raw)


class _Deadline(Exception):
    """The whole attempt took longer than its deadline."""


def _download(session: requests.Session, url: str, options: FetchOptions) -> Fetched:
    """One attempt, bounded by a wall-clock deadline of options.timeout seconds.

    requests' timeouts apply to each socket operation, so a server sending a byte now and then
    never trips them. The attempt runs in a worker thread; at the deadline the caller gives up
    and shuts the response's socket, which ends the worker's read. A worker still waiting for
    headers is left to its per-read timeout (it is a daemon thread; the caller has moved on).
    """
    outcome: dict[str, object] = {}
    cancelled = threading.Event()

    def attempt() -> None:
        try:
            outcome["value"] = _attempt(session, url, options, outcome, cancelled)
        except BaseException as exc:  # handed to the caller's thread, raised there
            outcome["error"] = exc

    worker = threading.Thread(target=attempt, name="mlfence-sync-fetch", daemon=True)
    worker.start()
    worker.join(options.timeout)
    if worker.is_alive():
        cancelled.set()
        _abort(outcome.get("response"))
        raise _Deadline()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _abort(response: object) -> None:
    """Shut the socket under a response another thread is reading: its read returns at once.
    (Closing the response instead would wait for the reader's buffer lock, i.e. for the read.)"""
    connection = getattr(getattr(response, "raw", None), "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing left to end
            sock.shutdown(socket.SHUT_RDWR)


def _attempt(
    session: requests.Session, url: str, options: FetchOptions, outcome: dict[str, object], cancelled: threading.Event
) -> Fetched:
    # verify=True is requests' default; spelled out because turning it off must be a visible diff.
    with session.get(
        url, timeout=(min(options.timeout, 10.0), options.timeout), stream=True, verify=True, allow_redirects=True
    ) as response:
        outcome["response"] = response
        _refuse_downgrade(url, response)
        if response.status_code != 200:
            raise _HttpStatus(response.status_code)
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > options.max_bytes:
            raise SyncError(f"{url}: {declared} bytes declared, over the {options.max_bytes}-byte cap")
        chunks: list[bytes] = []
        total = 0
        show = options.progress and sys.stderr.isatty() and (declared == 0 or declared >= PROGRESS_FROM)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not show,
        ) as progress:
            task = progress.add_task(urlparse(url).netloc or url, total=declared or None)
            for chunk in response.iter_content(CHUNK):
                if cancelled.is_set():
                    raise _Deadline()
                total += len(chunk)
                if total > options.max_bytes:
                    raise SyncError(f"{url}: body over the {options.max_bytes}-byte cap")
                chunks.append(chunk)
                progress.advance(task, len(chunk))
        final = response.url or url
        return Fetched(
            final,
            b"".join(chunks),
            response.headers.get("ETag"),
            response.headers.get("Last-Modified"),
            requested=url if final != url else None,
        )


def _refuse_downgrade(url: str, response: requests.Response) -> None:
    """An https source must stay https through every redirect: a plain-http hop lets anyone on
    the path rewrite the feed, and nothing else (no signature) would notice."""
    if urlparse(url).scheme != "https":
        return
    for hop in [*response.history, response]:
        if urlparse(hop.url).scheme != "https":
            raise SyncError(f"{url}: redirected to plain http ({hop.url}); refusing an unencrypted feed")


class _HttpStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def fetch(source: str, options: FetchOptions, session: requests.Session | None = None) -> Fetched:
    """Fetch one source; raise SyncError with one line on any failure."""
    if not is_url(source):
        return _read_file(source, options)
    session = session or new_session()
    last = ""
    for attempt in range(options.retries + 1):
        if attempt:
            time.sleep(options.backoff * 2 ** (attempt - 1))
        try:
            return _download(session, source, options)
        except _HttpStatus as exc:
            last = f"HTTP {exc.status}"
            if exc.status not in RETRY_STATUS:
                break
        except requests.exceptions.SSLError as exc:
            raise SyncError(f"{source}: TLS verification failed ({type(exc).__name__})") from exc
        except (requests.exceptions.Timeout, _Deadline):
            last = f"timed out after {options.timeout:g}s (the whole request)"
        except requests.exceptions.ChunkedEncodingError:
            # urllib3 raises this when the body ends before its Content-Length: a cut download.
            last = "connection closed before the whole body arrived (truncated)"
        except requests.exceptions.RequestException as exc:
            last = f"unreachable ({type(exc).__name__})"
    raise SyncError(f"{source}: {last} after {attempt + 1} attempt(s)")


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.trust_env = True
    return session


# Microsoft publishes the weekly Service Tags file under a new name each week; the download
# page links it. Accept links on Microsoft's download host or on the page's own host (mirrors).
AZURE_LINK = re.compile(r"""(https?://[^"'\s<>]+?/ServiceTags_Public_(\d{8})\.json)""")
AZURE_HOSTS = {"download.microsoft.com"}


def azure_file_link(page: bytes, page_url: str) -> tuple[str, str] | None:
    """(URL, YYYYMMDD) of the newest ServiceTags_Public file the page links, if any."""
    text = page.decode("utf-8", errors="replace")
    found = []
    for url, date in AZURE_LINK.findall(text):
        url = urljoin(page_url, url)
        host = urlparse(url).hostname or ""
        if host in AZURE_HOSTS or host == urlparse(page_url).hostname:
            found.append((date, url))
    if not found:
        return None
    date, url = max(found)
    return url, date
