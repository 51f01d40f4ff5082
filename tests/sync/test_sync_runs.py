"""Successful runs: what sync writes (approved ranges, indexes, sharing, provenance), --check,
NAME arguments, --feed with a local file, Azure's download page, and the real CLI binary."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlfence import cidr
from mlfence.sync import documents as docs
from sync import synth
from sync.conftest import FAST, Sync
from sync.server import FeedServer
from sync.test_sync_refusals import assert_refused

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path("/work/shared/feeds")


def _load(out: Path, rel: str) -> dict:
    return json.loads((out / rel).read_text())


def test_first_sync_writes_the_documents(synced: Path, feeds: synth.Feeds) -> None:
    assert sorted(str(p.relative_to(synced)) for p in synced.rglob("*") if p.is_file()) == sorted(docs.ALL)
    assert all(oct(p.stat().st_mode & 0o777) == "0o644" for p in synced.rglob("*") if p.is_file())
    approved = _load(synced, docs.APPROVED)
    # Keyed provider -> service -> region, families apart, collapsed and canonical.
    assert approved["aws"]["S3"]["us-east-1"] == {
        "ipv4": ["3.5.0.0/19", "52.216.0.0/15"],
        "ipv6": ["2600:1fa0:8000::/39"],
    }
    assert set(approved) == {"aws", "azure"}  # CDNs and unapproved services stay out
    # CloudFront is a CDN inside the AWS feed; Azure Front Door likewise.
    owners = _load(synced, docs.OWNER_RANGES)
    assert owners["cloudfront"] == {"kind": "cdn", "ipv4": ["13.32.0.0/15"], "ipv6": ["2600:9000::/28"]}
    assert set(owners) == {"azurefrontdoor", "cloudflare", "cloudfront", "fastly"}
    kinds = _load(synced, docs.OWNER_INDEX)["kinds"]
    assert kinds["aws"] == "cloud" and kinds["fastly"] == "cdn"
    # Google's own services are goog.json minus cloud.json.
    google = docs.decode_index(_load(synced, docs.OWNER_INDEX))["google"]
    assert ipaddress.ip_network("34.1.0.0/16") not in google
    assert cidr.address_count(google)["ipv4"] == 256 + 2**24 - 2**16


def test_sharing_says_which_space_is_exclusive(synced: Path) -> None:
    sharing = _load(synced, docs.SHARING)
    east = sharing["aws/S3/us-east-1"]["ipv4"]
    # 3.5.0.0/20 is also EC2's: S3 there is not "only S3"; AMAZON (everything) does not count.
    assert east == {"addresses": 2**17 + 2**13, "exclusive": 2**17 + 2**12, "shared_with": {"EC2": ["3.5.0.0/20"]}}
    assert sharing["aws/S3/eu-west-1"]["ipv4"]["shared_with"] == {}


def test_provenance_records_source_version_etag_and_digest(
    synced: Path, feeds: synth.Feeds, server: FeedServer
) -> None:
    provenance = _load(synced, docs.PROVENANCE)["provenance"]
    assert set(provenance) == {"aws", "gcp", "google", "azure", "fastly", "cloudflare"}
    aws = provenance["aws"]
    body = server.routes["/aws/0"].body
    assert aws["version"] == 100 and aws["version_field"] == "syncToken"
    assert aws["sources"] == [
        {
            "url": feeds.urls("aws")[0],
            "etag": f'"{hashlib.md5(body).hexdigest()}"',
            "last_modified": None,
            "sha256": hashlib.sha256(body).hexdigest(),
            "bytes": len(body),
        }
    ]
    assert provenance["azure"]["version"] == 10 and provenance["azure"]["version_field"] == "changeNumber"
    assert len(provenance["cloudflare"]["sources"]) == 2
    dt.datetime.fromisoformat(aws["fetched_at"])


def test_unchanged_feeds_rewrite_nothing(synced: Path, sync: Sync) -> None:
    before = synth.tree_digest(synced)
    mtimes = {p: p.stat().st_mtime_ns for p in synced.rglob("*")}
    result = sync()
    assert result.exit_code == 0 and "data unchanged" in result.stderr
    assert synth.tree_digest(synced) == before
    assert {p: p.stat().st_mtime_ns for p in synced.rglob("*")} == mtimes


def test_mixed_families_are_kept_apart(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    """Azure lists IPv4 and IPv6 in one addressPrefixes list, interleaved."""
    approved = _load(synced, docs.APPROVED)["azure"]["Storage"]
    assert approved == {
        "eastus": {"ipv4": ["20.38.98.0/24", "20.60.0.0/16"], "ipv6": ["2603:1030:7::/48", "2603:1030:8::/48"]}
    }
    index = _load(synced, docs.APPROVED_INDEX)
    assert ["20.38.98.0/24", "azure/Storage/eastus"] in index["ipv4"]["nodes"]["142662"]["ranges"]
    assert "azure/Storage/eastus" in index["ipv6"]["nodes"]["260310300007"]["ranges"][0]
    # Adjacent prefixes of each family collapse, still apart: 2603:1030:7::/48 + :6::/48 -> ::6::/47.
    tags = [
        ("Storage.EastUS", "eastus", ["20.38.98.0/24", "2603:1030:6::/48", "20.38.99.0/24", "2603:1030:7::/48"]),
        *synth.AZURE_TAGS[1:],
    ]
    feeds.put("azure", synth.azure(11, tags))
    assert sync("--force").exit_code == 0
    approved = _load(synced, docs.APPROVED)["azure"]["Storage"]
    assert approved == {"eastus": {"ipv4": ["20.38.98.0/23"], "ipv6": ["2603:1030:6::/47"]}}


def test_check_ignores_regrouping(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    """A new file that splits a prefix into its two halves (and moves nothing) is no change."""
    before = synth.tree_digest(synced)
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "us-east-1": ["52.216.0.0/16", "52.217.0.0/16", "3.5.0.0/19"]}))
    result = sync("--check")
    assert result.exit_code == 0, result.output
    assert "approved address space unchanged" in result.stderr
    assert synth.tree_digest(synced) == before


def test_check_fails_when_approved_space_changes(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    before = synth.tree_digest(synced)
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "ap-south-1": ["52.219.64.0/22"]}))
    result = sync("--check")
    assert result.exit_code == 1, result.output
    assert "approved: aws/S3/ap-south-1 ipv4: +1024 -0 addresses" in result.stderr
    assert "approved address space would change" in result.stderr
    assert synth.tree_digest(synced) == before  # --check writes nothing
    result = sync()
    assert result.exit_code == 0 and "wrote" in result.stderr
    assert sync("--check").exit_code == 0


def test_check_fails_when_an_approval_is_added(synced: Path, sync: Sync, config: Path) -> None:
    config.write_text(synth.CONFIG.replace("regions: [eastus]", "regions: [eastus, westeurope]"))
    assert sync("--check").exit_code == 1


def test_names_restrict_the_run(synced: Path, feeds: synth.Feeds, sync: Sync, server: FeedServer) -> None:
    before = _load(synced, docs.PROVENANCE)["provenance"]
    feeds.put("aws", synth.aws(101, s3={**synth.S3, "ap-south-1": ["52.219.64.0/22"]}))
    for name in ("gcp", "google", "azure", "fastly", "cloudflare"):
        feeds.put(name, b"must not be fetched", status=500)
    server.hits.clear()
    result = sync(names=["aws"])
    assert result.exit_code == 0, result.output
    assert set(server.hits) == {"/aws/0"}
    after = _load(synced, docs.PROVENANCE)["provenance"]
    assert after["aws"]["version"] == 101
    assert {k: v for k, v in after.items() if k != "aws"} == {k: v for k, v in before.items() if k != "aws"}
    owners = docs.decode_index(_load(synced, docs.OWNER_INDEX))
    assert ipaddress.ip_network("151.101.0.0/16") in owners["fastly"]  # kept from disk
    assert "52.219.64.0/22" in _load(synced, docs.APPROVED)["aws"]["S3"]["ap-south-1"]["ipv4"]


def test_name_of_unknown_feed(synced: Path, sync: Sync) -> None:
    assert_refused(sync(names=["oracle"]), "unknown feed 'oracle'; feeds are aws, gcp, google, azure")


def test_feed_from_a_local_file(synced: Path, sync: Sync, tmp_path: Path) -> None:
    path = tmp_path / "ip-ranges.json"
    path.write_bytes(synth.aws(102, s3={**synth.S3, "ap-south-1": ["52.219.64.0/22"]}))
    result = sync(names=["aws"], feed_args=["--feed", f"aws={path}"])
    assert result.exit_code == 0, result.output
    source = _load(synced, docs.PROVENANCE)["provenance"]["aws"]["sources"][0]
    assert source["url"] == str(path) and source["etag"] is None
    assert source["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_retry_recovers_from_a_5xx(synced: Path, feeds: synth.Feeds, sync: Sync, server: FeedServer) -> None:
    feeds.put("gcp", synth.google_feed(201), fail_first=1)
    server.hits.clear()
    result = sync("--retries", "1", names=["gcp"])
    assert result.exit_code == 0, result.output
    assert server.hits["/gcp/0"] == 2
    assert _load(synced, docs.PROVENANCE)["provenance"]["gcp"]["version"] == 201


# --- Azure: the weekly file is found on Microsoft's download page ---------------------------


def _azure_week(feeds: synth.Feeds, day: dt.date, change: int, page_link: bool = True) -> str:
    """Serve this week's Service Tags file and a download page linking it; return the page URL."""
    name = f"/download/ServiceTags_Public_{day:%Y%m%d}.json"
    feeds.server.serve(name, synth.azure(change))
    page = synth.azure_page(feeds.server.url(name) if page_link else None)
    feeds.put("azure", page, path="/en-us/download/details.aspx", content_type="text/html")
    return feeds.urls("azure")[0]


def test_azure_page_scraped_then_fallback(synced: Path, feeds: synth.Feeds, sync: Sync, server: FeedServer) -> None:
    today = dt.datetime.now(dt.UTC).date()
    _azure_week(feeds, today - dt.timedelta(days=2), 11)
    result = sync(names=["azure"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    entry = _load(synced, docs.PROVENANCE)["provenance"]["azure"]
    assert entry["version"] == 11 and entry["file_date"] == f"{today - dt.timedelta(days=2):%Y%m%d}"
    assert entry["sources"][0]["url"].endswith(f"ServiceTags_Public_{today - dt.timedelta(days=2):%Y%m%d}.json")

    # Next week the page links no file (a redesign): the last good file is fetched again.
    _azure_week(feeds, today, 12, page_link=False)
    result = sync(names=["azure"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: azure: http://127.0.0.1:" in result.stderr
        and "links no ServiceTags_Public_*.json file; falling back to the last good file" in result.stderr
    )
    assert _load(synced, docs.PROVENANCE)["provenance"]["azure"]["version"] == 11

    # The page is down: same fallback, and the reason is named.
    feeds.put("azure", b"", path="/en-us/download/details.aspx", status=503)
    result = sync(names=["azure"])
    assert result.exit_code == 0, result.output
    assert "the download page failed" in result.stderr and "HTTP 503" in result.stderr


def test_azure_stale_file_warns(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=20)
    _azure_week(feeds, day, 11)
    result = sync(names=["azure"])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning == [
        f"warning: azure: no new Service Tags file for 20 days (newest is {day:%Y%m%d}); "
        "Microsoft publishes weekly: check the download page"
    ]


def test_azure_page_links_only_trusted_hosts(synced: Path, feeds: synth.Feeds, sync: Sync) -> None:
    """A link to another host is not followed (the page is not signed; the file is not either)."""
    feeds.put(
        "azure",
        synth.azure_page("https://evil.example/ServiceTags_Public_20991231.json"),
        path="/en-us/download/details.aspx",
        content_type="text/html",
    )
    assert_refused(sync(names=["azure"]), "links no ServiceTags_Public_*.json file and no earlier file is known")


# --- the real binary, and the real snapshots -------------------------------------------------


def _mlfence() -> str:
    return str(Path(sys.executable).parent / "mlfence")


def test_cli_subprocess(feeds: synth.Feeds, config: Path, out: Path) -> None:
    base = [_mlfence(), "sync", "--out", str(out), "--config", str(config), *FAST]
    ok = subprocess.run([*base, *feeds.args()], capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "wrote 6 file(s)" in ok.stderr
    before = synth.tree_digest(out)
    feeds.put("aws", synth.aws(99))
    refused = subprocess.run([*base, *feeds.args(), "aws"], capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "mlfence sync: refused: aws: syncToken 99 is older than 100 on disk; refusing to go back "
        "(a stale mirror or cache?)"
    ]
    assert "Traceback" not in refused.stdout + refused.stderr
    assert synth.tree_digest(out) == before


@pytest.mark.skipif(not SNAPSHOTS.is_dir(), reason="the feed snapshots are not on this machine")
def test_committed_data_is_sync_of_the_snapshots(server: FeedServer, tmp_path: Path) -> None:
    """Serve the real snapshots over loopback and sync over a copy of the committed data: nothing
    changes, so the committed documents are exactly what `mlfence sync` makes of the snapshots."""
    committed = ROOT / "data" / "mlfence" / "rangedata"
    out = tmp_path / "rangedata"
    for rel in docs.ALL:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes((committed / rel).read_bytes())
    files = {
        "aws": ["aws-ip-ranges.json"],
        "gcp": ["gcp-cloud.json"],
        "google": ["gcp-goog.json"],
        "azure": ["azure-servicetags-public.json"],
        "fastly": ["fastly-public-ip-list.json"],
        "cloudflare": ["cloudflare-ips-v4.txt", "cloudflare-ips-v6.txt"],
    }
    args = []
    for name, names in files.items():
        for file in names:
            args += ["--feed", f"{name}={server.serve('/' + file, (SNAPSHOTS / file).read_bytes())}"]
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [_mlfence(), "sync", "--out", str(out), "--config", str(ROOT / "bundle.yaml"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "data unchanged" in proc.stderr
    assert synth.tree_digest(out) == synth.tree_digest(committed)
    assert "aws: 16828 prefixes, syncToken 1787411825 (unchanged)" in proc.stderr
    assert "azure: 93362 prefixes, changeNumber 375 (unchanged)" in proc.stderr
