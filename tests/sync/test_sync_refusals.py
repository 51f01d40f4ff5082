"""Every refusal: exit code 2, one clear line on stderr (no traceback), and every file under
--out byte-for-byte as it was (the tree is hashed before and after), with no temp files left."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mlfence.sync import engine
from sync import synth
from sync.conftest import Outcome, Sync
from sync.server import FeedServer

Break = Callable[[synth.Feeds], list[str]]  # changes the served feeds; returns extra CLI args


def _shrink(feeds: synth.Feeds) -> list[str]:
    # S3 us-east-1 loses 52.216.0.0/15: 131072 of 172032 IPv4 addresses (-76%).
    feeds.put("aws", synth.aws(101, s3={"us-east-1": ["3.5.0.0/19"], "eu-west-1": ["52.218.0.0/17"]}))
    return []


def _cut_body(feeds: synth.Feeds) -> list[str]:
    body = synth.aws(101)
    feeds.put("aws", body, cut=len(body) // 2)  # full Content-Length, half the body, then close
    return []


def _truncated_file(feeds: synth.Feeds) -> list[str]:
    body = synth.aws(101)
    feeds.put("aws", body[: len(body) // 2])  # a consistent response carrying half a file
    return []


def _wrong_schema(feeds: synth.Feeds) -> list[str]:
    doc = json.loads(synth.aws(101))
    doc["prefixes"] = {"ip_prefix": "52.216.0.0/15"}  # an object where the list belongs
    feeds.put("aws", json.dumps(doc).encode())
    return []


def _wrong_family(feeds: synth.Feeds) -> list[str]:
    feeds.put("aws", synth.aws(101, extra=[{"ip_prefix": "2600:1f00::/24", "region": "x", "service": "EC2"}]))
    return []


def _slow(feeds: synth.Feeds) -> list[str]:
    feeds.put("gcp", synth.google_feed(201), delay=1.5)
    return ["--timeout", "0.3"]


def _unreachable(feeds: synth.Feeds) -> list[str]:
    # Nothing listens on port 9 of loopback (discard): the connection is refused.
    return ["--feed", "fastly=http://127.0.0.1:9/public-ip-list"]


def _empty(feeds: synth.Feeds) -> list[str]:
    doc = json.loads(synth.aws(101))
    doc["prefixes"], doc["ipv6_prefixes"] = [], []
    feeds.put("aws", json.dumps(doc).encode())
    return []


def _azure_no_link_no_history(feeds: synth.Feeds) -> list[str]:
    feeds.put("azure", synth.azure_page(None), path="/download/details.aspx", content_type="text/html")
    return []


FAILURES: dict[str, tuple[Break, str]] = {
    "older version marker": (
        lambda f: f.put("aws", synth.aws(99)) or [],
        "aws: syncToken 99 is older than 100 on disk",
    ),
    "older azure changeNumber": (
        lambda f: f.put("azure", synth.azure(9)) or [],
        "azure: changeNumber 9 is older than 10 on disk",
    ),
    "truncated download": (_cut_body, "truncated"),
    "truncated file": (_truncated_file, "aws: malformed or truncated JSON"),
    "truncated text list": (
        lambda f: f.put("cloudflare", b"104.16.0.0/13\n172.64.0", synth.CLOUDFLARE_V6) or [],
        "cloudflare: truncated list",
    ),
    "malformed JSON": (
        lambda f: f.put("fastly", b'{"addresses": [151.101.0.0/16]}') or [],
        "fastly: malformed or truncated JSON",
    ),
    "wrong schema": (_wrong_schema, "aws: feed fails schema feed_aws at prefixes"),
    "azure wrong cloud": (
        lambda f: f.put("azure", synth.azure(11).replace(b'"Public"', b'"China"')) or [],
        "azure: feed fails schema feed_azure at cloud",
    ),
    "family in the wrong field": (_wrong_family, "is not ipv4"),
    "invalid prefix": (
        lambda f: f.put("cloudflare", b"104.16.0.0/33\n", synth.CLOUDFLARE_V6) or [],
        "not an IP network: '104.16.0.0/33'",
    ),
    "empty feed": (_empty, "aws: the feed lists no prefixes"),
    "HTTP 404": (lambda f: f.put("google", b"gone", status=404) or [], "HTTP 404 after 1 attempt(s)"),
    "HTTP 500": (lambda f: f.put("gcp", b"oops", status=500) or [], "HTTP 500 after 1 attempt(s)"),
    "slow server": (_slow, "timed out after 0.3s"),
    "unreachable": (_unreachable, "unreachable (ConnectionError)"),
    "over the size cap": (lambda f: ["--max-bytes", "300"], "over the 300-byte cap"),
    "approved subset shrinks > 20%": (_shrink, "approved space would shrink by more than 20%: aws/S3 ipv4"),
    "approved service vanished": (
        lambda f: f.put("azure", synth.azure(11, tags=synth.AZURE_TAGS[2:])) or [],
        "bundle.yaml approves azure/Storage, which the azure feed does not list",
    ),
    "azure page without link, no earlier file": (
        _azure_no_link_no_history,
        "links no ServiceTags_Public_*.json file and no earlier file",
    ),
    "bad --feed": (lambda f: ["--feed", "aws"], "--feed 'aws': expected NAME=URL_OR_PATH"),
    "unknown feed": (lambda f: ["--feed", "oracle=http://127.0.0.1:9/x"], "unknown feed 'oracle'"),
    "missing local file": (lambda f: ["--feed", "fastly=/nonexistent/fastly.json"], "cannot read"),
}


def assert_refused(result: Outcome, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.startswith("mlfence sync: refused:")]
    assert len(lines) == 1, result.stderr
    assert message in lines[0], lines[0]


@pytest.mark.parametrize("case", list(FAILURES))
def test_refusal_leaves_data_intact(case: str, synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    before = synth.tree_digest(synced)
    breaker, message = FAILURES[case]
    extra = breaker(feeds)
    result = sync(*extra)
    assert_refused(result, message)
    assert synth.tree_digest(synced) == before
    # --check refuses the same way (exit 2, not the "would change" 1).
    assert_refused(sync("--check", *extra), message)
    assert synth.tree_digest(synced) == before


def test_refusal_on_first_run_writes_nothing(feeds: synth.Feeds, sync: Sync, out: Path) -> None:
    feeds.put("aws", b"{", status=200)
    assert_refused(sync(), "aws: malformed or truncated JSON")
    assert not out.exists()


def test_retries_then_gives_up_on_500(synced: Path, feeds: synth.Feeds, sync: Sync, server: FeedServer) -> None:
    before = synth.tree_digest(synced)
    feeds.put("gcp", synth.google_feed(201), fail_first=100)
    server.hits.clear()
    assert_refused(sync("--retries", "2", names=["gcp"]), "HTTP 500 after 3 attempt(s)")
    assert server.hits["/gcp/0"] == 3
    assert synth.tree_digest(synced) == before


def test_404_is_not_retried(synced: Path, feeds: synth.Feeds, sync: Sync, server: FeedServer) -> None:
    feeds.put("gcp", b"", status=404)
    server.hits.clear()
    assert_refused(sync("--retries", "3", names=["gcp"]), "HTTP 404 after 1 attempt(s)")
    assert server.hits["/gcp/0"] == 1


def test_shrink_accepted_with_force(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    _shrink(feeds)
    result = sync("--force")
    assert result.exit_code == 0, result.output
    assert "accepted with --force: aws/S3 ipv4 172032 -> 40960 addresses (-76%)" in result.stderr
    approved = json.loads((synced / "approved/data.json").read_text())
    assert approved["aws"]["S3"]["us-east-1"]["ipv4"] == ["3.5.0.0/19"]


def test_shrink_below_the_limit_is_accepted(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    # eu-west-1 leaves S3: 32768 of 172032 IPv4 addresses (-19%), under the 20% default.
    feeds.put("aws", synth.aws(101, s3={"us-east-1": synth.S3["us-east-1"]}))
    assert sync().exit_code == 0


def test_shrink_limit_is_configurable(synced: Path, feeds: synth.Feeds, sync: Sync, config: Path) -> None:
    config.write_text(synth.CONFIG.replace("max_shrink: 0.2", "max_shrink: 0.1"))
    feeds.put("aws", synth.aws(101, s3={"us-east-1": synth.S3["us-east-1"]}))
    assert_refused(sync(), "shrink by more than 10%: aws/S3 ipv4 172032 -> 139264 addresses (-19%)")


def test_failed_write_changes_nothing(
    synced: Path, feeds: synth.Feeds, sync: Sync, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills up while the new files are staged: no target is replaced, no temp file stays."""
    before = synth.tree_digest(synced)
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "ap-south-1": ["52.219.64.0/22"]}))
    calls = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine.os, "fsync", fsync)
    assert_refused(sync(), "cannot write the range data (No space left on device); nothing was changed")
    assert synth.tree_digest(synced) == before


@pytest.mark.parametrize(
    ("config_text", "message"),
    [
        ("approved_ranges:\n  - {provider: fastly, service: CDN}\n", "provider 'fastly' is a CDN"),
        ("approved_ranges:\n  - {provider: aws, service: CLOUDFRONT}\n", "aws/CLOUDFRONT is a CDN"),
        ("approved_ranges:\n  - {provider: oracle, service: x}\n", "provider 'oracle' is not one of"),
        ("approved_ranges: [\n", "unreadable"),
        ("sync: {max_shrink: 2}\n", "sync.max_shrink must be a fraction between 0 and 1"),
    ],
)
def test_bad_config_refused(config_text: str, message: str, synced: Path, config: Path, sync: Sync) -> None:
    before = synth.tree_digest(synced)
    config.write_text(config_text)
    assert_refused(sync(), message)
    assert synth.tree_digest(synced) == before


def test_corrupt_data_on_disk_refused(synced: Path, sync: Sync) -> None:
    (synced / "approved/data.json").write_text('{"aws": ["not", "the", "shape"]}')
    before = synth.tree_digest(synced)
    assert_refused(sync(), "existing data is not in the shape sync writes")
    assert synth.tree_digest(synced) == before


def test_index_of_an_older_format_refused_with_the_way_out(synced: Path, sync: Sync) -> None:
    """Data synced by an earlier mlfence (a binary trie of strings) is named as such, untouched."""
    (synced / "owner_index/data.json").write_text(
        json.dumps({"ipv4": {"lengths": [0], "nodes": {"/0": "|aws||"}}, "ipv6": {"lengths": [0], "nodes": {}}})
    )
    before = synth.tree_digest(synced)
    assert_refused(
        sync(),
        "owner_index/data.json: an index in an older format (a trie of strings), written by "
        "an earlier mlfence; sync every feed into an empty folder once",
    )
    assert synth.tree_digest(synced) == before
