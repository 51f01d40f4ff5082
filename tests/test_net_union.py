"""lib.mlfence.net's union helpers (open_share, family_share) against Python's ipaddress.

The reference merges the entries with ipaddress.collapse_addresses and counts public addresses
with exact integer arithmetic, where "public" is what ipaddress itself says: global and neither
multicast, reserved nor site-local. The reserved lists of net.rego are checked against the same
predicates, boundary by boundary. Each hypothesis example is a batch of entry lists answered by
one `opa eval`; with CI set the examples are derandomised (the shared "ci" profile).
"""

from __future__ import annotations

import ipaddress
import json
from fractions import Fraction
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, examples, run, strict_eval, tool

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
NET_REGO = ROOT / "policy" / "lib" / "mlfence" / "net.rego"
MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
WIDTH = {4: 32, 6: 128}
# Derandomised under the "ci" profile (tests/conftest.py); each example is one `opa eval`.
property_settings = settings(max_examples=examples(ci=25, dev=40, full=300))


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Python's own judgement: a public-internet address is global and not special otherwise."""
    if address.version == 6 and address.is_site_local:
        return False
    return address.is_global and not address.is_multicast and not address.is_reserved


def non_public_blocks(version: int) -> list[Network]:
    """The blocks ipaddress's predicates exclude, from its own constants (collapsed)."""
    if version == 4:
        c4 = ipaddress.IPv4Address._constants  # type: ignore[attr-defined]
        blocks: list[Network] = [*c4._private_networks, c4._public_network, c4._multicast_network, c4._reserved_network]
    else:
        c6 = ipaddress.IPv6Address._constants  # type: ignore[attr-defined]
        blocks = [*c6._private_networks, *c6._reserved_networks, c6._multicast_network, c6._sitelocal_network]
    return list(ipaddress.collapse_addresses(blocks))  # type: ignore[arg-type]


def as_network(entry: Any) -> Network | None:
    """Read an entry as Go's net.ParseCIDR (and so OPA) does; None when it is no address."""
    if not isinstance(entry, str):
        return None
    text = entry.strip()
    if "/" not in text:
        text += "/128" if ":" in text else "/32"
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if net.version == 6 and net.prefixlen >= 96 and net.network_address in MAPPED:
        return ipaddress.IPv4Network((int(net.network_address) & 0xFFFFFFFF, net.prefixlen - 96))
    return net


def public_count(net: Network) -> int:
    """Public addresses in net: its size less the non-public blocks it overlaps."""
    count = net.num_addresses
    for block in non_public_blocks(net.version):
        if net.overlaps(block):
            count -= min(net.num_addresses, block.num_addresses)
    return count


def reference_share(entries: list[Any], version: int) -> Fraction:
    nets = [n for n in (as_network(e) for e in entries) if n is not None and n.version == version]
    whole = ipaddress.ip_network("0.0.0.0/0" if version == 4 else "::/0")
    total = public_count(whole)
    return Fraction(sum(public_count(n) for n in ipaddress.collapse_addresses(nets)), total)  # type: ignore[arg-type]


def rego_shares(cases: list[list[Any]]) -> list[list[float]]:
    query = (
        'out := [[data.lib.mlfence.net.open_share(c), data.lib.mlfence.net.family_share(c, "ipv4"), '
        'data.lib.mlfence.net.family_share(c, "ipv6")] | some c in input.cases]'
    )
    return strict_eval(query, {"cases": cases}, None, NET_REGO)["out"]


def assert_close(got: float, want: Fraction, case: list[Any]) -> None:
    if want in (0, 1):  # nothing and everything are exact, so a threshold of 1 means all of it
        assert got == want, (case, got, want)
    else:
        assert abs(Fraction(got) - want) < Fraction(1, 10**12), (case, got, float(want))


# --- strategies: entries in every spelling Kubernetes, clouds and Go accept --------------------


def _v4(value: int, length: int) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network((value, length), strict=False)


def _v6(value: int, length: int) -> ipaddress.IPv6Network:
    return ipaddress.IPv6Network((value, length), strict=False)


wide_v4 = st.builds(_v4, st.integers(0, 2**32 - 1), st.integers(0, 32))
wide_v6 = st.builds(_v6, st.integers(0, 2**128 - 1), st.integers(0, 128))
short_v4 = st.builds(_v4, st.integers(0, 2**32 - 1), st.integers(0, 6))  # halves, quarters, ...
short_v6 = st.builds(_v6, st.integers(0, 2**128 - 1), st.integers(0, 6))
# Blocks at the edges of reserved space, where an off-by-one in the lists would show.
edge_v4 = st.builds(
    lambda b, ln: _v4(int(b.network_address), ln), st.sampled_from(non_public_blocks(4)), st.integers(0, 32)
)
edge_v6 = st.builds(
    lambda b, ln: _v6(int(b.network_address), ln),
    st.sampled_from([*non_public_blocks(6), ipaddress.IPv6Network("2000::/3")]),
    st.integers(0, 40),
)
networks = st.one_of(wide_v4, wide_v6, short_v4, short_v6, edge_v4, edge_v6)


@st.composite
def spelled(draw: st.DrawFn) -> Any:
    """A network written one of the ways a manifest or plan may write it."""
    net = draw(networks)
    style = draw(st.sampled_from(["canonical", "exploded", "host-bits", "upper", "spaces", "bare", "mapped"]))
    if style == "exploded":
        return net.exploded
    if style == "host-bits":
        inside = int(net.network_address) + draw(st.integers(0, net.num_addresses - 1))
        return f"{ipaddress.ip_address(inside)}/{net.prefixlen}"
    if style == "upper":
        return str(net).upper()
    if style == "spaces":
        return f"  {net} "
    if style == "bare" and net.prefixlen == WIDTH[net.version]:
        return str(net.network_address)
    if style == "mapped" and net.version == 4:  # the IPv4 block as an IPv4-mapped IPv6 block
        return f"::ffff:{net.network_address}/{net.prefixlen + 96}"
    return str(net)


garbage = st.sampled_from(
    [
        "",
        "*",
        "Internet",
        "example.com",
        "1.2.3.4/33",
        "300.0.0.0/8",
        "::/129",
        "10.0.0.0/8/8",
        3,
        None,
        {"cidr": "0.0.0.0/0"},
        ["0.0.0.0/0"],
    ]
)
entry_lists = st.lists(st.one_of(spelled(), spelled(), spelled(), garbage), max_size=12)

HALVES = [
    ["0.0.0.0/1", "128.0.0.0/1"],
    ["::/1", "8000::/1"],
    ["::ffff:0:0/97", "128.0.0.0/1"],
    ["0.0.0.0/1", "::/1", "128.0.0.0/1"],
    ["::ffff:0:0/96", "0.0.0.0/1", "::ffc0:0:0/90", "::ffff:0:0/120"],
]


@property_settings
@given(st.lists(entry_lists, min_size=1, max_size=25))
@example(HALVES)
@example([[f"{i}.0.0.0/8" for i in range(256)], ["2000::/4", "3000::/4"], ["192.0.0.0/29", "192.0.0.8/29"]])
def test_open_share_equals_ipaddress(cases: list[list[Any]]) -> None:
    for case, (share, v4, v6) in zip(cases, rego_shares(cases), strict=True):
        want4, want6 = reference_share(case, 4), reference_share(case, 6)
        assert_close(v4, want4, case)
        assert_close(v6, want6, case)
        assert_close(share, max(want4, want6), case)


def test_halves_open_everything() -> None:
    assert [share for share, _, _ in rego_shares(HALVES)] == [1, 1, 1, 1, 1]


def test_reserved_lists_are_what_ipaddress_calls_non_public() -> None:
    """net.rego's public space, root less reserved blocks, is exactly the addresses ipaddress
    calls public; and every block boundary agrees with the predicate itself."""
    proc = run([tool("opa"), "eval", "--format", "json", "-d", str(NET_REGO), "data.lib.mlfence.net._public_space"])
    assert proc.returncode == 0, proc.stderr
    space = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    for family, version in (("ipv4", 4), ("ipv6", 6)):
        whole = ipaddress.ip_network("0.0.0.0/0" if version == 4 else "::/0")
        root = ipaddress.ip_network(space[family]["root"])
        reserved = [ipaddress.ip_network(r) for r in space[family]["reserved"]]
        assert all(r.subnet_of(root) for r in reserved)  # type: ignore[arg-type]
        outside_root = list(whole.address_exclude(root)) if root != whole else []  # type: ignore[arg-type]
        ours = list(ipaddress.collapse_addresses([*reserved, *outside_root]))  # type: ignore[arg-type]
        assert ours == non_public_blocks(version), family
        for block in ours:
            assert not is_public(block.network_address) and not is_public(block.broadcast_address), block
            for neighbour in (int(block.network_address) - 1, int(block.broadcast_address) + 1):
                if 0 <= neighbour < 2 ** WIDTH[version]:
                    address = ipaddress.ip_address(neighbour)
                    assert is_public(address) == (not any(address in b for b in ours)), address


def test_no_panic_on_mixed_and_mapped_entries() -> None:
    """net.cidr_merge panics on an IPv4-mapped block with IPv4 entries (OPA v1.17 to v1.21)."""
    cases = [
        ["::ffff:0.0.0.0/96", "0.0.0.0/1"],
        ["::ffff:0:0/96", "::ffff:0:0/100"],
        ["::ffc0:0:0/90", "::ffff:0:0/120", "1.2.3.4"],
        ["::fffe:0:0/96", "::ffff:0:0/120"],
    ]
    for case, (share, _, _) in zip(cases, rego_shares(cases), strict=True):
        assert_close(share, max(reference_share(case, 4), reference_share(case, 6)), case)
