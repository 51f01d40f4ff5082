"""Download a feed: TLS verified, bounded in time and size, retried with backoff.

A source is an http(s) URL, a file:// URL or a local path (tests, air-gapped mirrors).
"""

from __future__ import annotations

import hashlib
import re
import sys
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
    source: str
    raw: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def is_url(source: str) -> bool:
    return urlparse(source).scheme in {"http", "https"}


def _read_file(source: str, options: FetchOptions) -> Fetched:
    path = Path(urlparse(source).path if source.startswith("file://") else source)
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise SyncError(f"{source}: {size} bytes, over the {options.max_bytes}-byte cap")
        return Fetched(str(path), path.read_bytes())
    except OSError as exc:
        raise SyncError(f"{source}: cannot read ({exc.strerror or exc})") from exc


def _download(session: requests.Session, url: str, options: FetchOptions) -> Fetched:
    # verify=True is requests' default; spelled out because turning it off must be a visible diff.
    with session.get(url, timeout=(min(options.timeout, 10.0), options.timeout), stream=True,
                     verify=True, allow_redirects=True) as response:
        if response.status_code != 200:
            raise _HttpStatus(response.status_code)
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > options.max_bytes:
            raise SyncError(f"{url}: {declared} bytes declared, over the {options.max_bytes}-byte cap")
        chunks: list[bytes] = []
        total = 0
        show = options.progress and sys.stderr.isatty() and (declared == 0 or declared >= PROGRESS_FROM)
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                      console=Console(stderr=True), transient=True, disable=not show) as progress:
            task = progress.add_task(urlparse(url).netloc or url, total=declared or None)
            for chunk in response.iter_content(CHUNK):
                total += len(chunk)
                if total > options.max_bytes:
                    raise SyncError(f"{url}: body over the {options.max_bytes}-byte cap")
                chunks.append(chunk)
                progress.advance(task, len(chunk))
        return Fetched(url, b"".join(chunks), response.headers.get("ETag"), response.headers.get("Last-Modified"))


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
        except requests.exceptions.Timeout:
            last = f"timed out after {options.timeout:g}s"
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
