"""Sync cannot be poisoned (issue 16 §5): implausible feeds, version markers from the future,
https downgrades, slow-loris servers and local files that are not files are refused with exit 2,
one line, and the data on disk byte-for-byte as it was."""

from __future__ import annotations

import datetime as dt
import json
import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import examples
from mlfence import cidr
from sync import synth
from sync.conftest import Sync
from sync.server import FeedServer, feed_server
from sync.test_sync_refusals import assert_refused


def _refused_untouched(synced: Path, sync: Sync, message: str, *args: str) -> None:
    before = synth.tree_digest(synced)
    assert_refused(sync(*args), message)
    assert synth.tree_digest(synced) == before
    assert not [p for p in synced.parent.iterdir() if p.name.startswith(".rangedata.sync-")]


# --- sanity bounds per service ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("s3", "message"),
    [
        ({"us-east-1": ["0.0.0.0/0"]}, "aws/S3 lists 0.0.0.0/0, wider than /8"),
        ({"us-east-1": ["0.0.0.0/1", "128.0.0.0/1"]}, "aws/S3 lists 0.0.0.0/1, wider than /8"),
        ({"us-east-1": [f"{i}.0.0.0/8" for i in range(1, 100)]}, "aws/S3 covers"),
    ],
)
def test_default_route_halves_and_wide_unions_refused(
    synced: Path, feeds: synth.Feeds, sync: Sync, s3: dict[str, list[str]], message: str
) -> None:
    feeds.put("aws", synth.aws(101, s3=s3))
    _refused_untouched(synced, sync, message)


def test_ipv6_halves_refused(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    feeds.put("aws", synth.aws(101, s3_v6={"us-east-1": ["::/1", "8000::/1"]}))
    _refused_untouched(synced, sync, "aws/S3 lists ::/1, wider than /16")


def test_cdn_space_under_a_cloud_service_refused(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "us-west-2": ["151.101.0.0/16"]}))  # Fastly's
    _refused_untouched(
        synced, sync, "aws/S3/us-west-2 lists 151.101.0.0/16, which fastly publishes as its own (cdn space)"
    )


def test_another_providers_space_refused(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "us-west-2": ["20.60.0.0/16"]}))  # Azure Storage's
    _refused_untouched(synced, sync, "which azure publishes as its own (cloud space)")


def test_a_cdn_feed_claiming_cloud_space_refused(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    feeds.put("fastly", json.dumps({"addresses": ["151.101.0.0/16", "52.216.0.0/15"]}).encode())
    # Both feeds run together; whichever is checked first names the other as the owner.
    _refused_untouched(synced, sync, "lists 52.216.0.0/15, which ")


def test_implausible_growth_refused_unless_forced(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    grown = {**synth.S3, "ap-south-1": ["52.0.0.0/11"]}  # 172032 -> 2269184 addresses
    feeds.put("aws", synth.aws(101, s3=grown))
    _refused_untouched(synced, sync, "approved space would grow by more than 100%: aws/S3 ipv4 172032 -> ")
    result = sync("--force")
    assert result.exit_code == 0, result.output
    assert "accepted with --force: aws/S3 ipv4" in result.stderr


def test_growth_limit_is_configurable(synced: Path, feeds: synth.Feeds, sync: Sync, config: Path) -> None:
    config.write_text(synth.CONFIG.replace("max_shrink: 0.2", "max_shrink: 0.2\n  max_growth: 0.05"))
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "ap-south-1": ["52.219.64.0/18"]}))  # +9.5%
    _refused_untouched(synced, sync, "grow by more than 5%: aws/S3 ipv4 172032 -> 188416 addresses (+10%)")


# --- version markers from the future ----------------------------------------------------------


def test_aws_sync_token_in_the_future_refused(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    future = int(time.time()) + 3 * 86400
    feeds.put("aws", synth.aws(future))
    _refused_untouched(synced, sync, f"aws: syncToken {future} is ")
    assert "in the future" in sync().stderr


def test_google_millisecond_token_in_the_future_refused(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    feeds.put("gcp", synth.google_feed(99_999_999_999_999))
    _refused_untouched(synced, sync, "gcp: syncToken 99999999999999 is 5138-11-16")


def test_current_token_accepted(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    feeds.put("aws", synth.aws(int(time.time())))
    assert sync().exit_code == 0


# --- transport -------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """An HTTPS feed server on loopback with a throwaway self-signed certificate that requests
    trusts through REQUESTS_CA_BUNDLE (as a corporate CA would be)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    with feed_server(context) as server:
        yield server


def test_https_redirect_to_plain_http_refused(
    synced: Path, feeds: synth.Feeds, sync: Sync, tls_server: FeedServer
) -> None:
    plain = feeds.urls("aws")[0]
    secure = tls_server.serve("/ip-ranges.json", b"", location=plain)
    before = synth.tree_digest(synced)
    others = feeds.args([n for n in feeds.paths if n != "aws"])
    assert_refused(sync(feed_args=[*others, "--feed", f"aws={secure}"]), "redirected to plain http")
    assert synth.tree_digest(synced) == before


def test_https_feed_and_redirects_recorded(
    synced: Path, feeds: synth.Feeds, sync: Sync, tls_server: FeedServer
) -> None:
    tls_server.serve("/v2/ip-ranges.json", synth.aws(101))
    moved = tls_server.serve("/ip-ranges.json", b"", location="/v2/ip-ranges.json", status=301)
    result = sync(feed_args=[*feeds.args([n for n in feeds.paths if n != "aws"]), "--feed", f"aws={moved}"])
    assert result.exit_code == 0, result.output
    source = json.loads((synced / "provenance.json").read_text())["provenance"]["aws"]["sources"][0]
    assert source["url"] == tls_server.url("/v2/ip-ranges.json")  # the URL that answered
    assert source["requested"] == moved


def test_slow_loris_hits_the_whole_request_deadline(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    """A byte every 50 ms never trips a per-read timeout; the deadline ends the request."""
    feeds.put("gcp", synth.google_feed(201), trickle=0.05)  # ~300 bytes: ~15 s in all
    started = time.monotonic()
    _refused_untouched(synced, sync, "timed out after 1s (the whole request)", "--timeout", "1")
    assert time.monotonic() - started < 8  # bounded by the deadline, not by the server


def test_fifo_and_device_refused_as_local_feeds(synced: Path, sync: Sync, tmp_path: Path) -> None:
    fifo = tmp_path / "fastly.json"
    os.mkfifo(fifo)  # no writer: reading it would block forever
    _refused_untouched(synced, sync, "not a regular file", "--feed", f"fastly={fifo}")
    _refused_untouched(synced, sync, "not a regular file", "--feed", "fastly=/dev/zero")
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    _refused_untouched(synced, sync, "not a regular file", "--feed", f"fastly={link}")


def test_size_cap_on_local_files_counts_bytes_read(synced: Path, sync: Sync, tmp_path: Path) -> None:
    big = tmp_path / "fastly.json"
    big.write_bytes(synth.fastly())
    _refused_untouched(synced, sync, "over the 50-byte cap", "--feed", f"fastly={big}", "--max-bytes", "50")


# --- property: any feed that spreads over too much space is refused ---------------------------


@settings(
    max_examples=examples(ci=6, dev=6, full=50),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.integers(1, 7), st.integers(0, 255))
@example(1, 0)
def test_property_splits_of_the_default_route_refused(
    synced: Path, feeds: synth.Feeds, sync: Sync, depth: int, start: int
) -> None:
    """0.0.0.0/0 split into /depth blocks (any depth short of a real prefix), listed from any
    point on: refused whatever the split, because each block is wider than /8."""
    blocks = [cidr.canonical(n) for n in cidr.parse("0.0.0.0/0").subnets(new_prefix=depth)]
    rotated = blocks[start % len(blocks) :] + blocks[: start % len(blocks)]
    feeds.put("aws", synth.aws(102, s3={"us-east-1": rotated}))
    _refused_untouched(synced, sync, "wider than /8")


def test_clock_skew_allowance(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    """A token a few hours ahead (a provider's clock, ours) is accepted; days ahead is not."""
    ahead = int((dt.datetime.now(dt.UTC) + dt.timedelta(hours=6)).timestamp())
    feeds.put("aws", synth.aws(ahead))
    assert sync().exit_code == 0
