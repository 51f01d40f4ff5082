"""The published feeds: where they live, which schema they follow, how to read them.

Each feed parses its raw bytes into `Parsed`: a version marker and ranges keyed by
(provider, service, region). Which owners (clouds and CDNs) a feed defines is in `owners_of`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema

from mlfence import cidr, toolchain
from mlfence.sync.errors import SyncError

Key = tuple[str, str, str]  # (provider, service, region)

AZURE_PAGE = "https://www.microsoft.com/en-us/download/details.aspx?id=56519"


@dataclass
class Parsed:
    """One feed after validation: its version marker and its ranges per (provider, service, region)."""

    version: int | None
    version_field: str | None
    published: str
    ranges: dict[Key, list[cidr.Network]] = field(default_factory=dict)
    # Prefix text -> network: feeds repeat prefixes under several tags (Azure lists 93k
    # prefixes, 52k distinct), and parsing is most of the cost of reading a feed.
    _parsed: dict[str, cidr.Network] = field(default_factory=dict, repr=False, compare=False)

    def add(self, key: Key, text: str, expect: str | None = None) -> None:
        """Add one prefix; `expect` ("ipv4"/"ipv6") is the family the feed's field promises."""
        net = self._parsed.get(text) if isinstance(text, str) else None
        if net is None:
            try:
                net = cidr.parse(text)
            except cidr.CidrError as exc:
                raise SyncError(str(exc)) from exc
            self._parsed[text] = net
        if "/" not in text:
            raise SyncError(f"prefix without a length: {text!r}")
        if expect is not None and cidr.family(net) != expect:
            raise SyncError(f"{text!r} is not {expect} but is listed as {expect} (a broken feed?)")
        self.ranges.setdefault(key, []).append(net)


@dataclass(frozen=True)
class Feed:
    name: str
    urls: tuple[str, ...]
    parse: Callable[[Sequence[bytes]], Parsed]
    provider: str  # the provider name in approved_ranges (and the owner of the whole feed)
    kind: str  # "cloud" or "cdn"
    approvable: bool


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads(toolchain.schema_path(name).read_text())  # the repository's or the wheel's


def validate(document: Any, schema_name: str, feed: str) -> None:
    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise SyncError(f"{feed}: feed fails schema {schema_name} at {where}: {error.message[:200]}")


def load_json(raw: bytes, feed: str) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SyncError(f"{feed}: malformed or truncated JSON ({exc})") from exc


def _single(raws: Sequence[bytes], feed: str) -> bytes:
    if len(raws) != 1:
        raise SyncError(f"{feed}: expects one source, got {len(raws)}")
    return raws[0]


def parse_aws(raws: Sequence[bytes]) -> Parsed:
    doc = load_json(_single(raws, "aws"), "aws")
    validate(doc, "feed_aws", "aws")
    parsed = Parsed(int(doc["syncToken"]), "syncToken", doc["createDate"])
    for entry in doc["prefixes"]:
        parsed.add(("aws", entry["service"], entry["region"]), entry["ip_prefix"], "ipv4")
    for entry in doc["ipv6_prefixes"]:
        parsed.add(("aws", entry["service"], entry["region"]), entry["ipv6_prefix"], "ipv6")
    return parsed


def _parse_google(raws: Sequence[bytes], feed: str, provider: str) -> Parsed:
    doc = load_json(_single(raws, feed), feed)
    validate(doc, "feed_gcp", feed)
    parsed = Parsed(int(doc["syncToken"]), "syncToken", doc["creationTime"])
    for entry in doc["prefixes"]:
        # goog.json has neither service nor scope: everything Google runs, worldwide.
        key = (provider, entry.get("service") or "Google", entry.get("scope") or "global")
        if "ipv4Prefix" in entry:
            parsed.add(key, entry["ipv4Prefix"], "ipv4")
        else:
            parsed.add(key, entry["ipv6Prefix"], "ipv6")
    return parsed


def parse_gcp(raws: Sequence[bytes]) -> Parsed:
    return _parse_google(raws, "gcp", "gcp")


def parse_google(raws: Sequence[bytes]) -> Parsed:
    return _parse_google(raws, "google", "google")


def azure_key(name: str, region: str) -> Key:
    """Regional tags read "Service.Region"; a global tag's whole name is the service."""
    if region:
        return ("azure", name.split(".", 1)[0], region)
    return ("azure", name, "global")


def parse_azure(raws: Sequence[bytes]) -> Parsed:
    doc = load_json(_single(raws, "azure"), "azure")
    validate(doc, "feed_azure", "azure")
    parsed = Parsed(int(doc["changeNumber"]), "changeNumber", "")
    for tag in doc["values"]:
        props = tag["properties"]
        key = azure_key(tag["name"], props["region"])
        # One list mixes IPv4 and IPv6: cidr.collapse splits it by family later.
        for prefix in props["addressPrefixes"]:
            parsed.add(key, prefix)
    return parsed


def parse_fastly(raws: Sequence[bytes]) -> Parsed:
    doc = load_json(_single(raws, "fastly"), "fastly")
    validate(doc, "feed_fastly", "fastly")
    parsed = Parsed(None, None, "")
    for prefix in doc["addresses"]:
        parsed.add(("fastly", "CDN", "global"), prefix, "ipv4")
    for prefix in doc.get("ipv6_addresses", []):
        parsed.add(("fastly", "CDN", "global"), prefix, "ipv6")
    return parsed


def parse_cloudflare(raws: Sequence[bytes]) -> Parsed:
    """The ips-v4 / ips-v6 text lists (any number of them), or the JSON API answer."""
    parsed = Parsed(None, None, "")
    for raw in raws:
        if raw.lstrip().startswith(b"{"):
            doc = load_json(raw, "cloudflare")
            validate(doc, "feed_cloudflare_api", "cloudflare")
            for fam in cidr.FAMILIES:
                for prefix in doc["result"][f"{fam}_cidrs"]:
                    parsed.add(("cloudflare", "CDN", "global"), prefix, fam)
            continue
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError as exc:
            raise SyncError("cloudflare: the list is not ASCII text") from exc
        if text and not text.endswith("\n"):
            # The published lists end with a newline; a missing one means a cut-off body.
            raise SyncError("cloudflare: truncated list (no final newline)")
        prefixes = [line.strip() for line in text.splitlines() if line.strip()]
        validate({"prefixes": prefixes}, "feed_cidr_list", "cloudflare")
        for prefix in prefixes:
            parsed.add(("cloudflare", "CDN", "global"), prefix)
    return parsed


FEEDS: dict[str, Feed] = {
    feed.name: feed
    for feed in (
        Feed("aws", ("https://ip-ranges.amazonaws.com/ip-ranges.json",), parse_aws, "aws", "cloud", True),
        Feed("gcp", ("https://www.gstatic.com/ipranges/cloud.json",), parse_gcp, "gcp", "cloud", True),
        Feed("google", ("https://www.gstatic.com/ipranges/goog.json",), parse_google, "google", "cloud", True),
        Feed("azure", (AZURE_PAGE,), parse_azure, "azure", "cloud", True),
        Feed("fastly", ("https://api.fastly.com/public-ip-list",), parse_fastly, "fastly", "cdn", False),
        Feed(
            "cloudflare",
            ("https://www.cloudflare.com/ips-v4", "https://www.cloudflare.com/ips-v6"),
            parse_cloudflare,
            "cloudflare",
            "cdn",
            False,
        ),
    )
}

# Services that are CDNs inside a cloud's feed: never approvable, owned by a CDN owner.
CDN_SERVICES: dict[tuple[str, str], str] = {
    ("aws", "CLOUDFRONT"): "cloudfront",
    ("azure", "AzureFrontDoor.Frontend"): "azurefrontdoor",
}

# Umbrella services that list a provider's whole space: sharing with them says nothing.
UMBRELLA_SERVICES = {("aws", "AMAZON"), ("azure", "AzureCloud")}

OWNER_FEED = {
    "aws": "aws",
    "cloudfront": "aws",
    "gcp": "gcp",
    "google": "google",
    "azure": "azure",
    "azurefrontdoor": "azure",
    "fastly": "fastly",
    "cloudflare": "cloudflare",
}
OWNER_KIND = {
    "aws": "cloud",
    "cloudfront": "cdn",
    "gcp": "cloud",
    "google": "cloud",
    "azure": "cloud",
    "azurefrontdoor": "cdn",
    "fastly": "cdn",
    "cloudflare": "cdn",
}


def owners_of(name: str, parsed: Parsed, others: Mapping[str, list[cidr.Network]]) -> dict[str, list[cidr.Network]]:
    """Owner -> networks this feed defines. `others` holds the current ranges of other owners:
    Google's own services are goog.json minus Google Cloud's ranges."""
    everything = [net for nets in parsed.ranges.values() for net in nets]
    owned: dict[str, list[cidr.Network]] = {FEEDS[name].provider: everything}
    for (provider, service), owner in CDN_SERVICES.items():
        if provider == FEEDS[name].provider:
            owned[owner] = [net for key, nets in parsed.ranges.items() if key[1] == service for net in nets]
    if name == "google":
        remaining = cidr.subtract(everything, others.get("gcp", []))
        owned["google"] = [*remaining["ipv4"], *remaining["ipv6"]]
    return owned
