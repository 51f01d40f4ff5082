"""Small synthetic feeds in each provider's real shape, and helpers to run `mlfence sync` on them.

The defaults give every code path something to do: S3 shares space with EC2, every AWS prefix
is also AMAZON, CloudFront is a CDN inside the AWS feed, goog.json covers cloud.json, an Azure
tag mixes IPv4 and IPv6 in one list, and both CDNs list both families.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.server import FeedServer

S3 = {"us-east-1": ["52.216.0.0/15", "3.5.0.0/19"], "eu-west-1": ["52.218.0.0/17"]}
S3_V6 = {"us-east-1": ["2600:1fa0:8000::/39"], "eu-west-1": ["2a05:d050:4000::/40"]}
EC2 = {"us-east-1": ["3.5.0.0/20", "54.80.0.0/13"]}
CLOUDFRONT = ["13.32.0.0/15"]
CLOUDFRONT_V6 = ["2600:9000::/28"]

CONFIG = """\
approved_ranges:
  - {provider: aws, service: S3, regions: ["*"], purpose: model storage}
  - {provider: azure, service: Storage, regions: [eastus]}
sync:
  max_shrink: 0.2
  azure_stale_days: 8
"""


def aws(
    token: int = 100,
    s3: Mapping[str, list[str]] = S3,
    s3_v6: Mapping[str, list[str]] = S3_V6,
    ec2: Mapping[str, list[str]] = EC2,
    extra: Iterable[dict[str, str]] = (),
) -> bytes:
    v4: list[dict[str, str]] = []
    v6: list[dict[str, str]] = []
    for service, regions, out, fld in (
        ("S3", s3, v4, "ip_prefix"),
        ("EC2", ec2, v4, "ip_prefix"),
        ("S3", s3_v6, v6, "ipv6_prefix"),
    ):
        for region, prefixes in regions.items():
            for prefix in prefixes:
                out.append({fld: prefix, "region": region, "service": service, "network_border_group": region})
    v4 += [{"ip_prefix": p, "region": "GLOBAL", "service": "CLOUDFRONT"} for p in CLOUDFRONT]
    v6 += [{"ipv6_prefix": p, "region": "GLOBAL", "service": "CLOUDFRONT"} for p in CLOUDFRONT_V6]
    v4 += list(extra)
    # Every prefix is also listed under AMAZON, as in the real file.
    v4 += [{**e, "service": "AMAZON"} for e in list(v4)]
    v6 += [{**e, "service": "AMAZON"} for e in list(v6)]
    return _json({"syncToken": str(token), "createDate": "2026-08-22-15-17-05", "prefixes": v4, "ipv6_prefixes": v6})


def google_feed(token: int = 200, cloud: bool = True) -> bytes:
    if cloud:
        prefixes = [
            {"ipv4Prefix": "34.1.0.0/16", "service": "Google Cloud", "scope": "us-central1"},
            {"ipv6Prefix": "2600:1900::/35", "service": "Google Cloud", "scope": "us-central1"},
        ]
    else:
        prefixes = [{"ipv4Prefix": "8.8.8.0/24"}, {"ipv4Prefix": "34.0.0.0/8"}, {"ipv6Prefix": "2600:1900::/28"}]
    return _json({"syncToken": str(token), "creationTime": "2024-04-25T07:05:03.689", "prefixes": prefixes})


AZURE_TAGS: list[tuple[str, str, list[str]]] = [
    # One list mixing IPv4 and IPv6, as Azure publishes it.
    ("Storage.EastUS", "eastus", ["20.38.98.0/24", "2603:1030:7::/48", "20.60.0.0/16", "2603:1030:8::/48"]),
    ("Storage.WestEurope", "westeurope", ["20.38.108.0/24", "2603:1020:206::/48"]),
    ("AzureCloud", "", ["20.0.0.0/11", "2603:1000::/24"]),
    ("AzureFrontDoor.Frontend", "", ["13.107.246.0/24", "2620:1ec:bdf::/48"]),
]


def azure(change: int = 10, tags: list[tuple[str, str, list[str]]] = AZURE_TAGS) -> bytes:
    values = [
        {
            "name": name,
            "id": name,
            "properties": {"changeNumber": change, "region": region, "addressPrefixes": prefixes},
        }
        for name, region, prefixes in tags
    ]
    return _json({"changeNumber": change, "cloud": "Public", "values": values})


def fastly() -> bytes:
    return _json({"addresses": ["151.101.0.0/16", "199.232.0.0/16"], "ipv6_addresses": ["2a04:4e40::/32"]})


CLOUDFLARE_V4 = b"104.16.0.0/13\n172.64.0.0/13\n"
CLOUDFLARE_V6 = b"2606:4700::/32\n"


def azure_page(link: str | None) -> bytes:
    """Microsoft's download page, reduced to what matters: a link to this week's file, or none."""
    anchor = f'<a href="{link}" class="mscom-link">click here to download manually</a>' if link else ""
    return f"<!DOCTYPE html><html><body><h1>Azure IP Ranges and Service Tags</h1>{anchor}</body></html>".encode()


def _json(doc: Any) -> bytes:
    return json.dumps(doc, indent=2).encode()


@dataclass
class Feeds:
    """The six feeds on a FeedServer; `args()` are the --feed options pointing at them."""

    server: FeedServer
    paths: dict[str, list[str]] = field(default_factory=dict)

    def publish_defaults(self) -> Feeds:
        self.put("aws", aws())
        self.put("gcp", google_feed(200, cloud=True))
        self.put("google", google_feed(200, cloud=False))
        self.put("azure", azure(), path="/download/ServiceTags_Public_direct.json")
        self.put("fastly", fastly())
        self.put("cloudflare", CLOUDFLARE_V4, CLOUDFLARE_V6)
        return self

    def put(self, name: str, *bodies: bytes, path: str | None = None, **options: Any) -> None:
        paths = [path] if path else [f"/{name}/{i}" for i in range(len(bodies))]
        for p, body in zip(paths, bodies, strict=True):
            self.server.serve(p, body, etag=f'"{hashlib.md5(body).hexdigest()}"', **options)
        self.paths[name] = paths

    def urls(self, name: str) -> list[str]:
        return [self.server.url(p) for p in self.paths[name]]

    def args(self, names: Iterable[str] | None = None) -> list[str]:
        out: list[str] = []
        for name in names or self.paths:
            for url in self.urls(name):
                out += ["--feed", f"{name}={url}"]
        return out


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root (hidden ones too) and the sha256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
