"""The data documents sync writes under data/mlfence/rangedata/ (data path mlfence.rangedata.*).

  approved/data.json        approved_ranges: provider -> service -> region -> {ipv4, ipv6}
  approved_index/data.json  the same ranges as a prefix index (cidr.build_index, first label)
  owner_index/data.json     every owner's (cloud or CDN) collapsed ranges as a prefix index
  owner_ranges/data.json    CDN owners only, in the small owner_ranges parameter shape
  sharing/data.json         per approved service/region: addresses, exclusive, shared with whom
  provenance.json           {"provenance": {feed: source, version, sha256, ...}}

Only `data.json` files reach the bundle (`opa build -b`); provenance goes into the bundle's
manifest metadata instead (mlfence.bundle reads provenance.json). The documents are also the
sync state: a run over some feeds decodes the others' ranges from the documents on disk, so raw
feeds are never kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from mlfence import cidr
from mlfence.errors import MlfenceError
from mlfence.sync.feeds import OWNER_KIND, UMBRELLA_SERVICES, Key, Parsed

APPROVED = "approved/data.json"
APPROVED_INDEX = "approved_index/data.json"
OWNER_INDEX = "owner_index/data.json"
OWNER_RANGES = "owner_ranges/data.json"
SHARING = "sharing/data.json"
PROVENANCE = "provenance.json"
ALL = (APPROVED, APPROVED_INDEX, OWNER_INDEX, OWNER_RANGES, SHARING, PROVENANCE)


def label(key: Key) -> str:
    return "/".join(key)


def approved_document(approved: Mapping[Key, Iterable[cidr.Network]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for (provider, service, region), nets in sorted(approved.items()):
        doc.setdefault(provider, {}).setdefault(service, {})[region] = cidr.collapse_strings(nets)
    return doc


def decode_approved(doc: Mapping[str, Any]) -> dict[Key, list[cidr.Network]]:
    out: dict[Key, list[cidr.Network]] = {}
    for provider, services in doc.items():
        for service, regions in services.items():
            for region, families in regions.items():
                out[(provider, service, region)] = [cidr.parse(t) for f in cidr.FAMILIES for t in families.get(f, [])]
    return out


class IndexFormatError(MlfenceError, ValueError):
    """An index on disk in a format an earlier mlfence wrote (the binary trie of strings)."""


def decode_index(doc: Mapping[str, Any]) -> dict[str, list[cidr.Network]]:
    """Label -> networks, read back from the "ranges" of an index's nodes."""
    out: dict[str, list[cidr.Network]] = {}
    for fam in cidr.FAMILIES:
        for node in doc.get(fam, {}).get("nodes", {}).values():
            if not isinstance(node, dict):
                raise IndexFormatError("an index in an older format (a trie of strings)")
            for text, labels in node.get("ranges", []):
                net = cidr.parse(text)
                for name in labels.split(","):
                    out.setdefault(name, []).append(net)
    return out


def owner_index_document(owners: Mapping[str, Iterable[cidr.Network]]) -> dict[str, Any]:
    collapsed = {name: [*c["ipv4"], *c["ipv6"]] for name, c in ((n, cidr.collapse(v)) for n, v in owners.items())}
    doc = cidr.build_index(collapsed)
    doc["kinds"] = {name: OWNER_KIND.get(name, "cloud") for name in sorted(owners)}
    return doc


def owner_ranges_document(owners: Mapping[str, Iterable[cidr.Network]]) -> dict[str, Any]:
    """CDN owners in the owner_ranges parameter shape: small enough for a Constraint."""
    return {
        name: {"kind": "cdn", **cidr.collapse_strings(nets)}
        for name, nets in sorted(owners.items())
        if OWNER_KIND.get(name) == "cdn"
    }


def sharing_entries(parsed: Parsed, approved_keys: Iterable[Key]) -> dict[str, Any]:
    """For each approved (provider, service, region): how much of its space other services of the
    same provider also list. "Inside S3" is not "only S3": an EC2 instance may sit there too."""
    by_service: dict[str, list[cidr.Network]] = {}
    for (provider, service, _), nets in parsed.ranges.items():
        if (provider, service) not in UMBRELLA_SERVICES:
            by_service.setdefault(service, []).extend(nets)
    out: dict[str, Any] = {}
    # Spans (cidr.spans) of every other service's space, per service, and of each service
    # alone: computed once, not once per approved region and family.
    others_of: dict[str, dict[str, cidr.Spans]] = {}
    service_spans: dict[str, dict[str, cidr.Spans]] = {}
    for key in approved_keys:
        own = cidr.spans(parsed.ranges.get(key, []))
        if key[1] not in others_of:
            others_of[key[1]] = cidr.spans(n for s, nets in by_service.items() if s != key[1] for n in nets)
        entry: dict[str, Any] = {}
        for fam in cidr.FAMILIES:
            total = cidr.span_count(own[fam])
            exclusive = cidr.span_count(cidr.subtract_spans(own[fam], others_of[key[1]][fam]))
            shared: dict[str, list[str]] = {}
            if total and exclusive < total:
                for service, nets in sorted(by_service.items()):
                    if service == key[1]:
                        continue
                    if service not in service_spans:
                        service_spans[service] = cidr.spans(nets)
                    common = cidr.networks(cidr.intersect_spans(own[fam], service_spans[service][fam]), fam)
                    if common:
                        shared[service] = [cidr.canonical(n) for n in common]
            entry[fam] = {"addresses": total, "exclusive": exclusive, "shared_with": shared}
        out[label(key)] = entry
    return out


def dumps(doc: Any) -> bytes:
    """Stable bytes: sorted keys, one entry a line, so re-syncing unchanged feeds is a no-op."""
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True) + "\n").encode()
