"""Parsed.add keeps the network of each prefix text it has parsed (feeds repeat prefixes under
several tags); the per-entry checks must still run on every entry."""

from __future__ import annotations

import json

import pytest

from mlfence import cidr
from mlfence.sync import feeds
from mlfence.sync.errors import SyncError


def test_repeated_prefixes_are_checked_each_time() -> None:
    parsed = feeds.Parsed(None, None, "")
    parsed.add(("p", "s", "r"), "10.0.0.0/8", "ipv4")
    with pytest.raises(SyncError, match="is not ipv6 but is listed as ipv6"):
        parsed.add(("p", "s", "r2"), "10.0.0.0/8", "ipv6")
    parsed.add(("p", "s", "r3"), "10.0.0.0/8")
    assert parsed.ranges == {("p", "s", "r"): [cidr.parse("10.0.0.0/8")], ("p", "s", "r3"): [cidr.parse("10.0.0.0/8")]}
    # The same text in the IPv6 list and then the IPv4 list of one feed is refused.
    doc = {"addresses": ["2a04:4e40::/32"], "ipv6_addresses": ["2a04:4e40::/32"]}
    with pytest.raises(SyncError, match="is not ipv4 but is listed as ipv4"):
        feeds.parse_fastly([json.dumps(doc).encode()])


def test_a_prefix_without_a_length_is_refused_even_when_seen_before() -> None:
    parsed = feeds.Parsed(None, None, "")
    parsed.add(("p", "s", "r"), "10.0.0.1/32")
    with pytest.raises(SyncError, match="prefix without a length"):
        parsed.add(("p", "s", "r2"), "10.0.0.1")
