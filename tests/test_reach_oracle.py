"""The connectivity model against an oracle nobody here wrote: np-guard's netpol-analyzer
(pinned in tools/pins.txt). Hypothesis generates namespaces, pods (as Pods and Deployments) and
NetworkPolicies; both programs answer which connections are allowed, and for every pair of
workloads, and every workload and IPv4 address probed, the port sets must be equal.

Profiles (tests/conftest.py): `ci` (CI set: derandomised, a fixed sequence) 40 examples, `dev` 100,
`full` (HYPOTHESIS_PROFILE=full) 300.
Constructs where the two legitimately differ are kept out of the generator and listed in
docs/reachability.md (ML CRD pods, which netpol-analyzer cannot see; IPv6; inputs netpol-analyzer
rejects or skips with a warning)."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings, target
from hypothesis import strategies as st

import opaserver
from conftest import ROOT, examples, tool
from mlfence import reach

EXAMPLES = examples(ci=40, dev=100, full=300)
PROTOCOLS = ("TCP", "UDP", "SCTP")
ALL = {p: ((1, 65535),) for p in PROTOCOLS}

Ports = dict[str, tuple[tuple[int, int], ...]]

NAMESPACES = ["ns-a", "ns-b", "ns-c"]
NAMED = {"http": (8080, "TCP"), "dns": (53, "UDP"), "grpc": (9090, "TCP")}
CIDRS = ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "192.168.1.0/24", "169.254.169.254/32", "8.8.8.0/24"]


# --- the two answers --------------------------------------------------------------------------


def canonical(ranges: list[tuple[str, int, int]]) -> Ports:
    merged = reach.merge_ports([{"protocol": p, "from": lo, "to": hi} for p, lo, hi in ranges])
    return {p: tuple(v) for p, v in sorted(merged.items()) if v}


def parse_conn(text: str) -> Ports:
    """netpol-analyzer's connection text: "All Connections" or "TCP 80,8080-8090,UDP 53"."""
    if text == "All Connections":
        return dict(ALL)
    if text == "No Connections":
        return {}
    ranges: list[tuple[str, int, int]] = []
    protocol = ""
    for token in text.split(","):
        token = token.strip()
        if " " in token:
            protocol, token = token.split(" ", 1)
        lo, _, hi = token.partition("-")
        ranges.append((protocol, int(lo), int(hi or lo)))
    return canonical(ranges)


def parse_ips(text: str) -> list[tuple[int, int]]:
    """An IP peer of netpol-analyzer: "a-b", a CIDR or an address, several joined by ","."""
    spans = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            spans.append((int(ipaddress.IPv4Address(lo)), int(ipaddress.IPv4Address(hi))))
        else:
            net = ipaddress.IPv4Network(part, strict=False)
            spans.append((int(net.network_address), int(net.broadcast_address)))
    return spans


def workload_name(doc: dict[str, Any]) -> str:
    return f"{doc['metadata']['namespace']}/{doc['kind']}/{doc['metadata']['name']}"


def oracle_name(doc: dict[str, Any]) -> str:
    return f"{doc['metadata']['namespace']}/{doc['metadata']['name']}[{doc['kind']}]"


def netpol_analyzer(objects: list[dict[str, Any]], folder: Path) -> tuple[list[dict[str, str]], str]:
    folder.mkdir(parents=True, exist_ok=True)
    # One JSON file per object: Go's YAML 1.1 reader would read a label value y as a boolean.
    for i, obj in enumerate(objects):
        (folder / f"object{i:02d}.json").write_text(json.dumps(obj))
    proc = subprocess.run(
        [tool("netpol-analyzer"), "list", "--dirpath", str(folder), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return (json.loads(proc.stdout) if proc.stdout.strip() else []), proc.stderr


def model_pairs(model: dict[str, Any]) -> dict[tuple[str, str], Ports]:
    pairs: dict[tuple[str, str], Ports] = {}
    for flow in model["flows"]:
        pairs[(flow["from"], flow["to"])] = canonical([(p["protocol"], p["from"], p["to"]) for p in flow["ports"]])
    for src in model["open_egress"]:
        for dst in model["open_ingress"]:
            pairs.setdefault((src, dst), dict(ALL))
    return {k: v for k, v in pairs.items() if k[0] != k[1] and v}


def model_address(model: dict[str, Any], workload: str, direction: str, address: int) -> Ports:
    ranges = []
    for entry in model["external"]:
        if entry["workload"] != workload or entry["direction"] != direction or ":" in entry["cidr"]:
            continue
        inside = ipaddress.IPv4Address(address) in ipaddress.IPv4Network(entry["cidr"], strict=False)
        excepted = any(
            ipaddress.IPv4Address(address) in ipaddress.IPv4Network(e, strict=False) for e in entry["except"]
        )
        if inside and not excepted:
            ranges += [(p["protocol"], p["from"], p["to"]) for p in entry["ports"]]
    return canonical(ranges)


def probes(objects: list[dict[str, Any]]) -> set[int]:
    """Addresses at and around every block boundary the policies name, and two fixed ones."""
    found = {int(ipaddress.IPv4Address(a)) for a in ("8.8.8.8", "169.254.169.254", "10.9.9.9", "0.0.0.1")}
    for obj in objects:
        if obj["kind"] != "NetworkPolicy":
            continue
        for key, peer_key in (("ingress", "from"), ("egress", "to")):
            for rule in obj["spec"].get(key) or []:
                for peer in (rule or {}).get(peer_key) or []:
                    block = peer.get("ipBlock")
                    for cidr in [block["cidr"], *block.get("except", [])] if block else []:
                        net = ipaddress.IPv4Network(cidr)
                        for a in (int(net.network_address), int(net.broadcast_address)):
                            found |= {x for x in (a - 1, a, a + 1) if 0 <= x < 2**32}
    return found


# --- the generator ----------------------------------------------------------------------------

label_values = st.sampled_from(["a", "b", "c"])
selectors = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"matchLabels": st.dictionaries(st.sampled_from(["app", "tier"]), label_values, min_size=1, max_size=2)}
    ),
    st.fixed_dictionaries(
        {
            "matchExpressions": st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {
                            "key": st.sampled_from(["app", "tier"]),
                            "operator": st.sampled_from(["In", "NotIn"]),
                            "values": st.lists(label_values, min_size=1, max_size=2, unique=True),
                        }
                    ),
                    st.fixed_dictionaries(
                        {
                            "key": st.sampled_from(["app", "tier"]),
                            "operator": st.sampled_from(["Exists", "DoesNotExist"]),
                        }
                    ),
                ),
                min_size=1,
                max_size=2,
            )
        }
    ),
)
namespace_selectors = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {
            "matchLabels": st.one_of(
                st.fixed_dictionaries({"team": st.sampled_from(["x", "y"])}),
                st.fixed_dictionaries({"kubernetes.io/metadata.name": st.sampled_from(NAMESPACES)}),
            )
        }
    ),
    st.fixed_dictionaries({"matchExpressions": st.just([{"key": "team", "operator": "Exists"}])}),
)


@st.composite
def ip_blocks(draw: st.DrawFn) -> dict[str, Any]:
    cidr = draw(st.sampled_from(CIDRS))
    outer = ipaddress.IPv4Network(cidr)
    inside = [
        c
        for c in [*CIDRS, "10.1.2.0/24", "10.200.0.0/16", "192.168.1.128/25"]
        if ipaddress.IPv4Network(c).subnet_of(outer) and ipaddress.IPv4Network(c) != outer
    ]
    block: dict[str, Any] = {"cidr": cidr}
    if inside and draw(st.booleans()):
        block["except"] = draw(st.lists(st.sampled_from(inside), min_size=1, max_size=2, unique=True))
    return {"ipBlock": block}


selector_peers = st.one_of(
    st.fixed_dictionaries({"podSelector": selectors}),
    st.fixed_dictionaries({"namespaceSelector": namespace_selectors}),
    st.fixed_dictionaries({"namespaceSelector": namespace_selectors, "podSelector": selectors}),
)
numbered_ports = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"port": st.sampled_from([53, 80, 443, 8080, 9090])}),
    st.builds(lambda p: {"port": p, "endPort": p + 10}, st.sampled_from([53, 80, 8080, 9085])),
    st.fixed_dictionaries({"protocol": st.sampled_from(PROTOCOLS)}),
    st.fixed_dictionaries({"protocol": st.just("UDP"), "port": st.just(53)}),
)
named_ports = st.one_of(
    st.fixed_dictionaries({"port": st.sampled_from(sorted(NAMED))}),
    st.fixed_dictionaries({"port": st.sampled_from(sorted(NAMED)), "protocol": st.sampled_from(["TCP", "UDP"])}),
)


@st.composite
def rules(draw: st.DrawFn, peer_key: str) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    shape = draw(st.sampled_from(["all", "selectors", "blocks", "mixed"]))
    if shape == "selectors":
        rule[peer_key] = draw(st.lists(selector_peers, min_size=1, max_size=2))
    elif shape == "blocks":
        rule[peer_key] = draw(st.lists(ip_blocks(), min_size=1, max_size=2))
    elif shape == "mixed":
        rule[peer_key] = [draw(selector_peers), draw(ip_blocks())]
    # netpol-analyzer rejects a named port that an address block would have to resolve.
    port_entries = numbered_ports | named_ports if shape == "selectors" else numbered_ports
    if draw(st.integers(0, 2)) > 0:
        rule["ports"] = draw(st.lists(port_entries, min_size=1, max_size=3))
    return rule


@st.composite
def platforms(draw: st.DrawFn) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    namespaces = draw(st.lists(st.sampled_from(NAMESPACES), min_size=1, max_size=3, unique=True))
    for ns in namespaces:
        meta: dict[str, Any] = {"name": ns}
        team = draw(st.sampled_from([None, "x", "y"]))
        if team:
            meta["labels"] = {"team": team}
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
    for i in range(draw(st.integers(2, 5))):
        ns = draw(st.sampled_from(namespaces))
        labels = {"app": draw(label_values)}
        if draw(st.booleans()):
            labels["tier"] = draw(label_values)
        ports = [
            {"name": n, "containerPort": NAMED[n][0], "protocol": NAMED[n][1]}
            for n in draw(st.lists(st.sampled_from(sorted(NAMED)), max_size=3, unique=True))
        ]
        container = {"name": "c", "image": "registry.internal/app:1", "ports": ports}
        if draw(st.booleans()):
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": f"w{i}", "namespace": ns, "labels": labels},
                    "spec": {"containers": [container]},
                }
            )
        else:
            objects.append(
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": f"w{i}", "namespace": ns},
                    "spec": {
                        "selector": {"matchLabels": labels},
                        "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
                    },
                }
            )
    for i in range(draw(st.integers(1, 4))):
        spec: dict[str, Any] = {"podSelector": draw(selectors)}
        types = draw(st.sampled_from([None, ["Ingress"], ["Egress"], ["Ingress", "Egress"]]))
        if types:
            spec["policyTypes"] = types
        for key, peer_key in (("ingress", "from"), ("egress", "to")):
            shape = draw(st.sampled_from(["absent", "empty", "rules"]))
            if shape == "empty":
                spec[key] = []
            elif shape == "rules":
                spec[key] = draw(st.lists(rules(peer_key), min_size=1, max_size=2))
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"p{i}", "namespace": draw(st.sampled_from(namespaces))},
                "spec": spec,
            }
        )
    return objects


# --- OPA as a server: the model of one example in milliseconds ------------------------------


# The model of data.mlfence.reach, asked of one server per module (tests/opaserver.py: strict
# builtin errors, an undefined answer fails the example).
PROBE = "package mlfence_probe\n\nimport data.mlfence\n\nreach := mlfence.reach\n"


@pytest.fixture(scope="module")
def opa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[opaserver.OpaServer]:
    with opaserver.serving(tmp_path_factory.mktemp("opa"), PROBE, paths=(ROOT / "policy", ROOT / "data")) as server:
        yield server


def mlfence_model(server: opaserver.OpaServer, objects: list[dict[str, Any]]) -> dict[str, Any]:
    return server.value(
        "reach", {"documents": [{"path": "x.yaml", "index": i, "document": o} for i, o in enumerate(objects)]}
    )


# --- the comparison ---------------------------------------------------------------------------


def compare(objects: list[dict[str, Any]], server: opaserver.OpaServer, folder: Path) -> None:
    lines, stderr = netpol_analyzer(objects, folder)
    assert "error" not in stderr.lower() and "warning" not in stderr.lower(), stderr
    model = mlfence_model(server, objects)
    workloads = {oracle_name(o): workload_name(o) for o in objects if o["kind"] in ("Pod", "Deployment")}
    theirs_pairs: dict[tuple[str, str], Ports] = {}
    theirs_ips: dict[tuple[str, str], list[tuple[list[tuple[int, int]], Ports]]] = {}
    for line in lines:
        src, dst, conn = line["src"], line["dst"], parse_conn(line["conn"])
        if src in workloads and dst in workloads:
            if src != dst and conn:
                theirs_pairs[(workloads[src], workloads[dst])] = conn
        elif dst in workloads:
            theirs_ips.setdefault((workloads[dst], "ingress"), []).append((parse_ips(src), conn))
        elif src in workloads:
            theirs_ips.setdefault((workloads[src], "egress"), []).append((parse_ips(dst), conn))
    ours_pairs = model_pairs(model)
    restricted = sum(1 for ports in ours_pairs.values() if ports != ALL)
    event(f"pairs on some ports only: {min(restricted, 3)}{'+' if restricted >= 3 else ''}")
    target(float(restricted), label="pairs on some ports only")
    assert ours_pairs == theirs_pairs, json.dumps(
        {"mlfence": {str(k): v for k, v in ours_pairs.items()}, "netpol-analyzer": lines}, indent=1
    )
    for workload in workloads.values():
        for direction in ("egress", "ingress"):
            for address in sorted(probes(objects)):
                theirs = next(
                    (
                        conn
                        for spans, conn in theirs_ips.get((workload, direction), [])
                        if any(lo <= address <= hi for lo, hi in spans)
                    ),
                    {},
                )
                ours = model_address(model, workload, direction, address)
                assert ours == theirs, (workload, direction, str(ipaddress.IPv4Address(address)), ours, theirs)


def _needs_oracle() -> None:
    if not Path(tool("netpol-analyzer")).exists():
        pytest.fail("netpol-analyzer is not installed: run scripts/install-tools.sh (tools/pins.txt)")


def _deployment(ns: str, name: str, labels: dict[str, str], ports: list[str]) -> dict[str, Any]:
    container = {
        "name": "c",
        "image": "registry.internal/app:1",
        "ports": [{"name": n, "containerPort": NAMED[n][0], "protocol": NAMED[n][1]} for n in ports],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


def _policy(ns: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


# Kept as explicit cases: named ports, endPort and protocols in one rule; the seed's namespace
# default deny plus DNS and a gateway-only ingress (namespaceSelector AND podSelector); an
# `ingress: [{}]` allow-all and an `egress: []` that the API does not count as an egress policy.
NAMED_AND_RANGES = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns-a"}},
    _deployment("ns-a", "w0", {"app": "a"}, ["http"]),
    _deployment("ns-a", "w1", {"app": "b"}, []),
    _policy(
        "ns-a",
        "p",
        {
            "podSelector": {"matchLabels": {"app": "a"}},
            "ingress": [
                {
                    "from": [{"podSelector": {}}],
                    "ports": [{"port": "http"}, {"port": 80, "endPort": 90}, {"protocol": "UDP", "port": 53}],
                }
            ],
        },
    ),
]
SEED_SERVING = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns-a", "labels": {"team": "x"}}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns-b"}},
    _deployment("ns-a", "w0", {"app": "a"}, ["http"]),
    _deployment("ns-a", "w1", {"app": "b", "tier": "c"}, []),
    _deployment("ns-b", "w2", {"app": "c"}, ["dns"]),
    _policy("ns-a", "default-deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
    _policy(
        "ns-a",
        "allow-dns",
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ns-b"}}}],
                    "ports": [{"protocol": "UDP", "port": 53}],
                }
            ],
        },
    ),
    _policy(
        "ns-a",
        "inference",
        {
            "podSelector": {"matchLabels": {"app": "a"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {"matchLabels": {"team": "x"}},
                            "podSelector": {"matchLabels": {"tier": "c"}},
                        }
                    ],
                    "ports": [{"port": 8080}],
                }
            ],
            "egress": [
                {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}], "ports": [{"port": 443}]}
            ],
        },
    ),
]
ALLOW_ALL_AND_EMPTY_EGRESS = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns-a"}},
    _deployment("ns-a", "w0", {"app": "a"}, []),
    _deployment("ns-a", "w1", {"app": "b"}, []),
    _policy(
        "ns-a",
        "p0",
        {"podSelector": {"matchLabels": {"app": "a"}}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}]},
    ),
    _policy("ns-a", "p1", {"podSelector": {"matchLabels": {"app": "b"}}, "ingress": [], "egress": []}),
]


@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(objects=platforms())
@example(objects=NAMED_AND_RANGES)
@example(objects=SEED_SERVING)
@example(objects=ALLOW_ALL_AND_EMPTY_EGRESS)
def test_model_matches_netpol_analyzer(objects: list[dict[str, Any]], opa: opaserver.OpaServer, tmp_path: Path) -> None:
    _needs_oracle()
    compare(objects, opa, tmp_path / f"case{time.monotonic_ns()}")
