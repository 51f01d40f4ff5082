"""Property tests: tools/mlfence/cidr.py against Python's ipaddress and brute force, and the
Rego index lookups (lib.mlfence.ranges) against the same brute force through one opa eval."""

from __future__ import annotations

import ipaddress
import json
import random
import subprocess
from collections.abc import Iterable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mlfence import cidr, toolchain

ROOT = Path(__file__).resolve().parents[2]
V4_BASE = int(ipaddress.IPv4Address("10.20.0.0"))
V6_BASE = int(ipaddress.IPv6Address("2001:db8::"))

# Networks inside a small window (/22 of IPv4, /118 of IPv6) so address sets are enumerable and
# overlaps are frequent; lengths reach the host routes.
v4_nets = st.builds(
    lambda off, ln: ipaddress.IPv4Network((V4_BASE + off, ln), strict=False), st.integers(0, 1023), st.integers(22, 32)
)
v6_nets = st.builds(
    lambda off, ln: ipaddress.IPv6Network((V6_BASE + off, ln), strict=False),
    st.integers(0, 1023),
    st.integers(118, 128),
)
any_net = st.one_of(v4_nets, v6_nets)
wide_v4 = st.builds(
    lambda v, ln: ipaddress.IPv4Network((v, ln), strict=False), st.integers(0, 2**32 - 1), st.integers(0, 32)
)
wide_v6 = st.builds(
    lambda v, ln: ipaddress.IPv6Network((v, ln), strict=False), st.integers(0, 2**128 - 1), st.integers(0, 128)
)
wide_net = st.one_of(wide_v4, wide_v6)
fast = settings(max_examples=100, deadline=None)


def addresses(nets: Iterable[cidr.Network]) -> set[tuple[int, int]]:
    return {(n.version, int(a)) for n in nets for a in range(int(n.network_address), int(n.broadcast_address) + 1)}


@fast
@given(st.lists(wide_net, max_size=30))
def test_collapse_equals_ipaddress(nets: list[cidr.Network]) -> None:
    got = cidr.collapse(nets)
    for fam, version in (("ipv4", 4), ("ipv6", 6)):
        assert got[fam] == list(ipaddress.collapse_addresses([n for n in nets if n.version == version]))
    assert cidr.collapse_strings(nets) == {f: [cidr.canonical(n) for n in got[f]] for f in cidr.FAMILIES}


@fast
@given(st.lists(any_net, max_size=12), st.lists(any_net, max_size=12))
def test_set_algebra_equals_brute_force(a: list[cidr.Network], b: list[cidr.Network]) -> None:
    sub, inter = cidr.subtract(a, b), cidr.intersect(a, b)
    assert addresses(sub["ipv4"] + sub["ipv6"]) == addresses(a) - addresses(b)
    assert addresses(inter["ipv4"] + inter["ipv6"]) == addresses(a) & addresses(b)
    counts = cidr.address_count(a)
    assert counts["ipv4"] + counts["ipv6"] == len(addresses(a))
    # Results are collapsed: nothing in them can merge further, and families never mix.
    for fam in cidr.FAMILIES:
        assert sub[fam] == list(ipaddress.collapse_addresses(sub[fam]))
        assert all(cidr.family(n) == fam for n in sub[fam] + inter[fam])


@fast
@given(wide_net)
def test_parse_canonical_and_bare_addresses(net: cidr.Network) -> None:
    assert cidr.parse(cidr.canonical(net)) == net
    assert cidr.parse(net.exploded.upper()) == net
    host = cidr.parse(str(net.network_address))  # a bare address is a host route, never classful
    assert host.prefixlen == (32 if net.version == 4 else 128)
    assert cidr.canonical(host) == f"{net.network_address.compressed}/{host.prefixlen}"
    # Host bits are tolerated (as Go's ParseCIDR does) and dropped.
    assert cidr.parse(f"{net.broadcast_address}/{net.prefixlen}") == net


def test_parse_rejects_garbage() -> None:
    for text in ["", "10.0.0.0/33", "::/129", "300.1.1.1", "10.0.0.0/8/8", "example.com"]:
        try:
            cidr.parse(text)
        except cidr.CidrError:
            continue
        raise AssertionError(text)


# --- the prefix index --------------------------------------------------------------------


def lookup(index: dict, q: cidr.Network) -> tuple[set[str], set[str]]:
    """The lookup lib.mlfence.ranges does, in Python: (labels containing q, labels inside q)."""
    table = index[cidr.family(q)]["nodes"]
    hexq = cidr.hex_of(q)
    whole, rest = divmod(q.prefixlen, 4)

    def labels(text: str) -> set[str]:
        return {lab for lab in text.split(",") if lab}

    def ranges(key: str) -> list[tuple[cidr.Network, str]]:
        return [(cidr.parse(t), lab) for t, lab in table.get(key, {}).get("ranges", [])]

    depths = [d for d in index[cidr.family(q)]["depths"] if d <= whole]
    containing = {
        lab for depth in depths for net, text in ranges(hexq[:depth]) if q.subnet_of(net) for lab in labels(text)
    }
    own = hexq[:whole]
    if rest == 0:
        inside = labels(table.get(own, {}).get("below", ""))
    else:
        inside = {lab for net, text in ranges(own) if net.subnet_of(q) for lab in labels(text)}
        span = 1 << (4 - rest)
        low = int(hexq[whole], 16) // span * span
        for digit in range(low, low + span):
            inside |= labels(table.get(own + f"{digit:x}", {}).get("below", ""))
    return containing, inside


def brute(ranges: dict[str, list[cidr.Network]], q: cidr.Network) -> tuple[set[str], set[str]]:
    same = [(lab, n) for lab, nets in ranges.items() for n in nets if n.version == q.version]
    return {lab for lab, n in same if q.subnet_of(n)}, {lab for lab, n in same if n.subnet_of(q)}


labelled_ranges = st.dictionaries(
    st.sampled_from(["aws/S3/a", "aws/S3/b", "azure/Storage/c", "gcp/x/y"]),
    st.lists(st.one_of(any_net, wide_net), min_size=1, max_size=15),
    max_size=4,
)


@fast
@given(labelled_ranges, st.lists(st.one_of(any_net, wide_net), min_size=1, max_size=10))
def test_index_lookups_equal_brute_force(ranges: dict[str, list[cidr.Network]], queries: list[cidr.Network]) -> None:
    exact, reduced = cidr.build_index(ranges), cidr.build_index(ranges, reduce_min=True)
    for q in queries:
        want_in, want_under = brute(ranges, q)
        assert lookup(exact, q) == (want_in, want_under)
        got_in, got_under = lookup(reduced, q)
        # reduce_min keeps the smallest label per range and per subtree: every range is still
        # found, and the smallest name, the one egress_class reports, is always among them.
        for got, want in ((got_in, want_in), (got_under, want_under)):
            assert bool(got) == bool(want) and got <= want
            assert not want or min(want) in got


@fast
@given(labelled_ranges)
def test_index_keeps_families_apart_and_nodes_consistent(ranges: dict[str, list[cidr.Network]]) -> None:
    index = cidr.build_index(ranges)
    for fam, width in cidr.WIDTH.items():
        nodes = index[fam]["nodes"]
        assert "" in nodes  # the root
        for key, node in nodes.items():
            assert len(key) <= width // 4
            assert key == "" or key[:-1] in nodes  # every ancestor exists: lookups need no pointer
            for text, _ in node.get("ranges", []):
                net = cidr.parse(text)
                assert cidr.family(net) == fam and cidr.hex_of(net)[: len(key)] == key
                assert cidr.bucket_depth(net.prefixlen) == len(key)
        want = {
            (int(n.network_address), n.prefixlen) for nets in ranges.values() for n in nets if cidr.family(n) == fam
        }
        got = {
            (int(net.network_address), net.prefixlen)
            for net in (cidr.parse(t) for node in nodes.values() for t, _ in node.get("ranges", []))
        }
        assert got == want
        assert index[fam]["depths"] == sorted({len(key) for key, node in nodes.items() if node.get("ranges")})


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)), max_size=40))
def test_streamed_index_is_independent_of_label_merging(points: list[tuple[int, int]]) -> None:
    """Repeated prefixes (as in 100x benchmark data) merge their labels like build_index does."""
    nets = [ipaddress.IPv4Network((v, ln), strict=False) for v, ln in points]
    doubled = cidr.build_index({"a": nets, "b": nets})
    nodes: dict[str, dict] = {}
    stream = sorted((int(n.network_address), n.prefixlen, frozenset({lab})) for n in nets for lab in "ab")
    depths = cidr.stream_family_index(stream, 32, False, nodes.__setitem__)
    assert doubled["ipv4"] == {"depths": depths, "nodes": nodes}


def test_unsorted_points_are_refused() -> None:
    points = [
        (int(ipaddress.IPv4Address("10.0.0.0")), 32, frozenset({"a"})),
        (int(ipaddress.IPv4Address("10.0.0.0")), 8, frozenset({"a"})),
    ]
    try:
        cidr.stream_family_index(points, 32, False, lambda key, node: None)
    except ValueError:
        return
    raise AssertionError("an unsorted stream must not produce a silently wrong index")


def test_rego_lookups_equal_brute_force(tmp_path: Path) -> None:
    """lib.mlfence.ranges answers approved_containing / approved_overlapping from an index given
    as a parameter exactly as brute force over the ranges does (random ranges, one opa eval)."""
    rng = random.Random(5)

    def rand_net(version: int) -> cidr.Network:
        if version == 4:
            return ipaddress.IPv4Network((V4_BASE + rng.randrange(4096), rng.randint(20, 32)), strict=False)
        return ipaddress.IPv6Network((V6_BASE + rng.randrange(4096), rng.randint(116, 128)), strict=False)

    ranges = {f"p{i}/s/r": [rand_net(rng.choice((4, 6))) for _ in range(8)] for i in range(4)}
    queries = [rand_net(rng.choice((4, 6))) for _ in range(120)]
    queries += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    texts = [
        str(q.network_address) if q.prefixlen == q.max_prefixlen and i % 2 else cidr.canonical(q)
        for i, q in enumerate(queries)
    ]  # half the host routes as bare addresses
    params = {"approved_index": cidr.build_index(ranges), "internal_cidrs": []}
    (tmp_path / "input.json").write_text(json.dumps({"parameters": params, "cidrs": texts}))
    query = (
        "x := [[a, o] | some c in input.cidrs; "
        "a := {s.service | some s in data.lib.mlfence.ranges.approved_containing(c)}; "
        "o := {s.service | some s in data.lib.mlfence.ranges.approved_overlapping(c)}]"
    )
    proc = subprocess.run(
        [
            str(toolchain.binary("opa")),
            "eval",
            "-f",
            "json",
            "-d",
            str(ROOT / "policy/lib"),
            "-i",
            str(tmp_path / "input.json"),
            query,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)["result"][0]["bindings"]["x"]
    for q, (inside, overlapping) in zip(queries, got, strict=True):
        want_in, want_under = brute(ranges, q)
        assert set(inside) == want_in, q
        assert set(overlapping) == want_in | want_under, q


# --- the interval algebra sync works on (cidr.spans and friends) ------------------------


def reference_spans(nets: Iterable[cidr.Network], version: int) -> list[tuple[int, int]]:
    """Maximal runs of consecutive addresses, from the address set itself."""
    points = sorted(a for v, a in addresses(nets) if v == version)
    runs: list[tuple[int, int]] = []
    for a in points:
        if runs and a == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], a)
        else:
            runs.append((a, a))
    return runs


@fast
@given(st.lists(any_net, max_size=12), st.lists(any_net, max_size=12))
def test_spans_equal_reference(a: list[cidr.Network], b: list[cidr.Network]) -> None:
    sa, sb = cidr.spans(a), cidr.spans(b)
    for fam, version in (("ipv4", 4), ("ipv6", 6)):
        assert sa[fam] == reference_spans(a, version)
        left = {x for x in addresses(a) if x[0] == version}
        right = {x for x in addresses(b) if x[0] == version}
        got_inter = cidr.intersect_spans(sa[fam], sb[fam])
        got_sub = cidr.subtract_spans(sa[fam], sb[fam])
        assert got_inter == sorted(got_inter) and got_sub == sorted(got_sub)
        assert {(version, x) for lo, hi in got_inter for x in range(lo, hi + 1)} == left & right
        assert {(version, x) for lo, hi in got_sub for x in range(lo, hi + 1)} == left - right
        assert cidr.span_count(sa[fam]) == len(left)
        assert cidr.networks(sa[fam], fam) == list(ipaddress.collapse_addresses(n for n in a if n.version == version))


PUBLIC_REFERENCE = {  # the public space by ipaddress's own exclusion, not by the interval code
    4: ipaddress.ip_network("0.0.0.0/0"),
    6: ipaddress.ip_network("2000::/3"),
}


def reference_public_share(nets: list[cidr.Network]) -> dict[str, float]:
    out = {}
    for fam, version in (("ipv4", 4), ("ipv6", 6)):
        public = [PUBLIC_REFERENCE[version]]
        for reserved in cidr.PUBLIC_RESERVED[fam]:
            public = [
                piece
                for block in public
                for piece in (
                    block.address_exclude(reserved)
                    if reserved.subnet_of(block)
                    else ([] if block.subnet_of(reserved) else [block])
                )
            ]
        mine = list(ipaddress.collapse_addresses(n for n in nets if n.version == version))
        # Disjoint blocks on both sides: two CIDR blocks nest or miss, so summing is exact.
        covered = sum(min(m.num_addresses, p.num_addresses) for m in mine for p in public if m.overlaps(p))
        out[fam] = covered / sum(p.num_addresses for p in public)
    return out


@fast
@given(st.lists(st.one_of(wide_net, any_net), max_size=8))
def test_public_share_equals_reference(nets: list[cidr.Network]) -> None:
    assert cidr.public_share(nets) == reference_public_share(nets)
