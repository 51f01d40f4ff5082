"""Fixtures for the sync tests: a loopback feed server with the small synthetic feeds, a
bundle.yaml, an --out folder, and `sync(...)` running the CLI in-process with typer's runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlfence.cli import app
from sync import synth
from sync.server import FeedServer, feed_server

# Fast failure paths: short timeouts, no retry pauses.
FAST = ["--timeout", "2", "--retries", "0", "--backoff", "0"]


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


Sync = Callable[..., Outcome]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as srv:
        yield srv


@pytest.fixture
def feeds(server: FeedServer) -> synth.Feeds:
    return synth.Feeds(server).publish_defaults()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.yaml"
    path.write_text(synth.CONFIG)
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "rangedata"


@pytest.fixture
def sync(feeds: synth.Feeds, config: Path, out: Path) -> Sync:
    """sync(*args, names=None, feed_args=None): `mlfence sync` with --out, --config, FAST and
    --feed options for every served feed (or `feed_args`)."""
    runner = CliRunner()

    def run(*args: str, names: list[str] | None = None, feed_args: list[str] | None = None) -> Outcome:
        argv = [
            "sync",
            *(names or []),
            "--out",
            str(out),
            "--config",
            str(config),
            *FAST,
            *(feeds.args() if feed_args is None else feed_args),
            *args,
        ]
        result = runner.invoke(app, argv)
        return Outcome(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


@pytest.fixture
def synced(sync: Sync, out: Path) -> Path:
    """--out after a first, successful sync of all six synthetic feeds."""
    first = sync()
    assert first.exit_code == 0, first.output
    return out
