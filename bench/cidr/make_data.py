"""Synthesise the egress benchmark's data at 1x, 10x and 100x the real feeds, lean and streaming.

1x is what `mlfence sync` builds from the snapshots with every AWS, GCP and Azure service
approved (bench/cidr/bundle-all.yaml). Nx adds N-1 shifted copies of every approved and every
owned prefix: copy k XORs the top bits of the network address with k (IPv4: bits 0-7, IPv6:
bits 0-15), so each copy keeps the real prefix lengths and the real trie shape, moved to other
address space, and the index grows N-fold.

Memory stays small: each family's prefixes are packed into one int each (address, length,
label id), sorted, and streamed through cidr.stream_family_index straight into the output
file; no ipaddress objects and no node dictionaries are built (the first version needed more
than 6.5 GB for 100x and did not finish).

    .venv/bin/python bench/cidr/make_data.py SYNCED_DIR OUT_DIR 1 10 100
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from mlfence import cidr
from mlfence.sync import documents as docs

ROOT = Path(__file__).resolve().parents[2]
SHIFT = {"ipv4": 24, "ipv6": 112}  # copy k XORs k into the bits above these
LABEL_BITS = 20
LEN_BITS = 8


def _copies(prefixes: list[tuple[int, int, int]], scale: int, fam: str) -> list[int]:
    """Packed (address << 8 | length) << 20 | label, for every copy, sorted."""
    width = cidr.WIDTH[fam]
    packed = []
    for k in range(scale):
        move = k << SHIFT[fam]
        for value, length, label in prefixes:
            mask = ((1 << length) - 1) << (width - length) if length else 0
            packed.append((((value ^ move) & mask) << LEN_BITS | length) << LABEL_BITS | label)
    packed.sort()
    return packed


def _points(packed: list[int], names: list[str]) -> Iterator[tuple[int, int, frozenset[str]]]:
    """Unpack, merging the labels of repeated prefixes."""
    label_mask, len_mask = (1 << LABEL_BITS) - 1, (1 << LEN_BITS) - 1
    current: tuple[int, int] | None = None
    labels: set[str] = set()
    for item in packed:
        point = (item >> (LABEL_BITS + LEN_BITS), (item >> LABEL_BITS) & len_mask)
        if point != current:
            if current is not None:
                yield current[0], current[1], frozenset(labels)
            current, labels = point, set()
        labels.add(names[item & label_mask])
    if current is not None:
        yield current[0], current[1], frozenset(labels)


def _write_index(
    path: Path,
    labelled: Mapping[str, list[cidr.Network]],
    scale: int,
    reduce_min: bool,
    extra: dict[str, Any] | None = None,
) -> int:
    """Write {"ipv4": {"nodes", "depths"}, "ipv6": ..., **extra} to path; return the node count."""
    names = sorted(labelled)  # label ids in name order: the smallest id is the smallest name
    nodes = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        out.write("{")
        for i, fam in enumerate(cidr.FAMILIES):
            prefixes = [
                (int(n.network_address), n.prefixlen, lid)
                for lid, name in enumerate(names)
                for n in labelled[name]
                if cidr.family(n) == fam
            ]
            packed = _copies(prefixes, scale, fam)
            del prefixes
            out.write(f'{"," if i else ""}"{fam}":{{"nodes":{{')
            count, depths = _stream(out, _points(packed, names), cidr.WIDTH[fam], reduce_min)
            nodes += count
            out.write(f'}},"depths":{json.dumps(depths)}}}')
            del packed
        for key, value in (extra or {}).items():
            out.write(f",{json.dumps(key)}:{json.dumps(value, separators=(',', ':'))}")
        out.write("}\n")
    return nodes


def _stream(
    out: IO[str], points: Iterator[tuple[int, int, frozenset[str]]], width: int, reduce_min: bool
) -> tuple[int, list[int]]:
    seen = [0]

    def emit(key: str, node: cidr.Node) -> None:
        out.write(f'{"," if seen[0] else ""}"{key}":{json.dumps(node, separators=(",", ":"))}')
        seen[0] += 1

    depths = cidr.stream_family_index(points, width, reduce_min, emit)
    return seen[0], depths


def main(synced: Path, out: Path, scales: list[int]) -> None:
    approved = {
        docs.label(k): v for k, v in docs.decode_approved(json.loads((synced / docs.APPROVED).read_text())).items()
    }
    owner_doc = json.loads((synced / docs.OWNER_INDEX).read_text())
    owners = docs.decode_index(owner_doc)
    cdn = json.loads((synced / docs.OWNER_RANGES).read_text())
    for scale in scales:
        started = time.monotonic()
        target = out / f"{scale}x"
        ranges = target / "mlfence" / "rangedata"
        approved_nodes = _write_index(ranges / docs.APPROVED_INDEX, approved, scale, reduce_min=True)
        owner_nodes = _write_index(
            ranges / docs.OWNER_INDEX, owners, scale, reduce_min=False, extra={"kinds": owner_doc["kinds"]}
        )
        # The CDN list in the Gatekeeper parameter shape, scaled too; with the owner index present
        # lib.mlfence.ranges does not scan it (the index holds the same owners).
        (ranges / docs.OWNER_RANGES).parent.mkdir(parents=True, exist_ok=True)
        scaled_cdn = {
            name: {
                "kind": entry["kind"],
                **{
                    fam: [
                        cidr.canonical(
                            cidr.parse(t).__class__(
                                (
                                    (int(cidr.parse(t).network_address) ^ (k << SHIFT[fam]))
                                    & int(cidr.parse(t).netmask),
                                    cidr.parse(t).prefixlen,
                                )
                            )
                        )
                        for k in range(scale)
                        for t in entry.get(fam, [])
                    ]
                    for fam in cidr.FAMILIES
                },
            }
            for name, entry in cdn.items()
        }
        (ranges / docs.OWNER_RANGES).write_text(json.dumps(scaled_cdn, separators=(",", ":")))
        # approved/data.json is not read when approved_index is present; ship a stub, not 100x.
        (ranges / docs.APPROVED).parent.mkdir(parents=True, exist_ok=True)
        (ranges / docs.APPROVED).write_text(json.dumps({}))
        shutil.copytree(ROOT / "data" / "mlfence" / "config", target / "mlfence" / "config", dirs_exist_ok=True)
        prefixes = scale * sum(len(v) for v in approved.values())
        stats = {
            "scale": scale,
            "approved_prefixes": prefixes,
            "approved_index_nodes": approved_nodes,
            "owner_index_nodes": owner_nodes,
            "seconds": round(time.monotonic() - started, 1),
        }
        (target / "stats.json").write_text(json.dumps(stats) + "\n")
        print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), [int(a) for a in sys.argv[3:]])
