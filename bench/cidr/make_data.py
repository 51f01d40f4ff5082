"""Synthesise the egress benchmark's data at 1x, 10x and 100x the real feeds.

1x is what `mlfence sync` builds from the snapshots with every AWS, GCP and Azure service
approved (bench/cidr/bundle-all.yaml). Nx adds N-1 copies of every approved and every owned
prefix at random addresses with the same prefix length (so the trie's depth profile and the
label mix stay those of the real data; only the count grows).

    .venv/bin/python bench/cidr/make_data.py SYNCED_DIR OUT_DIR 1 10 100
"""

from __future__ import annotations

import ipaddress
import json
import random
import shutil
import sys
from pathlib import Path

from mlfence import cidr
from mlfence.sync import documents as docs


def _copies(nets: list[cidr.Network], n: int, rng: random.Random) -> list[cidr.Network]:
    out = list(nets)
    for _ in range(n - 1):
        for net in nets:
            width = net.max_prefixlen
            value = rng.getrandbits(net.prefixlen) << (width - net.prefixlen) if net.prefixlen else 0
            cls = ipaddress.IPv4Network if width == 32 else ipaddress.IPv6Network
            out.append(cls((value, net.prefixlen)))
    return out


def main(synced: Path, out: Path, scales: list[int]) -> None:
    approved = docs.decode_approved(json.loads((synced / docs.APPROVED).read_text()))
    owners = docs.decode_index(json.loads((synced / docs.OWNER_INDEX).read_text()))
    for scale in scales:
        rng = random.Random(scale)
        ranges = out / f"{scale}x" / "lib" / "mlfence" / "rangedata"
        big = {docs.label(k): _copies(v, scale, rng) for k, v in approved.items()}
        documents = {
            docs.APPROVED: {"note": "not read when approved_index is present"},
            docs.APPROVED_INDEX: cidr.build_index(big, reduce_min=True),
            docs.OWNER_INDEX: docs.owner_index_document({o: _copies(v, scale, rng) for o, v in owners.items()}),
        }
        for rel, doc in documents.items():
            (ranges / rel).parent.mkdir(parents=True, exist_ok=True)
            (ranges / rel).write_text(json.dumps(doc, separators=(",", ":")))
        config = Path(__file__).resolve().parents[2] / "data" / "mlfence" / "config"
        shutil.copytree(config, out / f"{scale}x" / "mlfence" / "config", dirs_exist_ok=True)
        nodes = sum(len(documents[docs.APPROVED_INDEX][f]["nodes"]) for f in cidr.FAMILIES)
        print(f"{scale}x: {sum(len(v) for v in big.values())} approved prefixes, {nodes} index nodes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), [int(a) for a in sys.argv[3:]])
