"""Property tests for the evasion classes of issue 16 §1, through the bundle's decision
entrypoint (data.mlfence.decision, what the CLI, conftest and the sidecar evaluate):

* union evasions: the public space split into random pieces, some pieces dropped, written into
  each list a rule reads as one (NetworkPolicy ingress and egress peers, Service
  loadBalancerSourceRanges, Ingress allowlists, ServiceEntry addresses with resolution NONE):
  the rule fires exactly when Python's ipaddress says the pieces cover at least
  open_share_threshold of the public IPv4 or IPv6 space;
* sidecar.istio.io/inject spellings: a finding exactly when Istio's injector would not inject
  (label wins over annotation; only y, yes, true, on, case-insensitive, or "" inject).

Each hypothesis example is a batch evaluated by one request to an OPA server that compiles the
policy once for the module (tests/opaserver.py, strict builtin errors on every request); CI
derandomises the examples (the shared "ci" profile).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import opaserver
from conftest import ROOT, examples
from test_net_union import reference_share

THRESHOLD = 0.25  # data/mlfence/config/data.yaml open_share_threshold
# Derandomised under the "ci" profile (tests/conftest.py); each example is one request.
property_settings = settings(max_examples=examples(ci=8, dev=10, full=100))

# Rule IDs with a failing finding, per object, from the decision entrypoint. The objects are
# copied out of input before `with input as` replaces it (see tests/engines.py).
PROBE = """package mlfence_probe

failing := [ids |
\tsome obj in json.unmarshal(json.marshal(input.objects))
\td := data.mlfence.decision with input as obj
\tids := {f.rule_id | some f in d.findings; f.status == "fail"}
]
"""


@pytest.fixture(scope="module")
def opa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[opaserver.OpaServer]:
    with opaserver.serving(tmp_path_factory.mktemp("opa"), PROBE, paths=(ROOT / "policy", ROOT / "data")) as server:
        yield server


def decide(opa: opaserver.OpaServer, objects: list[dict[str, Any]]) -> list[set[str]]:
    """Rule IDs with a failing finding, per object, from the decision entrypoint."""
    found = opa.value("failing", {"objects": objects})
    assert len(found) == len(objects)
    return [set(ids) for ids in found]


# --- union evasions --------------------------------------------------------------------------


@st.composite
def pieces(draw: st.DrawFn) -> list[str]:
    """A random partition of one family's whole space, with some pieces dropped."""
    whole = ipaddress.ip_network(draw(st.sampled_from(["0.0.0.0/0", "::/0"])))
    todo, done = [whole], []
    while todo:
        net = todo.pop()
        if net.prefixlen < 8 and draw(st.integers(0, 3)) > 0:
            todo.extend(net.subnets())
        else:
            done.append(net)
    kept = [str(n) for n in done if draw(st.integers(0, 9)) > 1]  # drop about a fifth
    return draw(st.permutations(kept)) if kept else ["203.0.113.0/24"]


def _carriers(cidrs: list[str], i: int) -> list[tuple[str, dict[str, Any]]]:
    """(rule id, object) for every list a rule judges as one."""
    ns, name = "ml-serving", f"case-{i}"
    peers = [{"ipBlock": {"cidr": c}} for c in cidrs]
    return [
        (
            "MLF-K8S-003",
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"podSelector": {}, "ingress": [{"from": peers}]},
            },
        ),
        (
            "MLF-K8S-001",
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": peers}]},
            },
        ),
        (
            "MLF-K8S-030",
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"type": "LoadBalancer", "ports": [{"port": 443}], "loadBalancerSourceRanges": cidrs},
            },
        ),
        (
            "MLF-K8S-036",
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": {
                    "name": name,
                    "namespace": ns,
                    "annotations": {"nginx.ingress.kubernetes.io/allowlist-source-range": ",".join(cidrs)},
                },
                "spec": {"ingressClassName": "nginx", "rules": [{"host": "m.example.com"}]},
            },
        ),
        (
            "MLF-K8S-044",
            {
                "apiVersion": "networking.istio.io/v1",
                "kind": "ServiceEntry",
                "metadata": {"name": name, "namespace": ns},
                "spec": {
                    "hosts": ["any.example.com"],
                    "addresses": cidrs,
                    "resolution": "NONE",
                    "ports": [{"number": 443, "name": "tls", "protocol": "TLS"}],
                },
            },
        ),
    ]


@property_settings
@given(st.lists(pieces(), min_size=1, max_size=6))
@example([["0.0.0.0/1", "128.0.0.0/1"], ["::/1", "8000::/1"], ["128.0.0.0/1"], ["1.0.0.0/8", "2.0.0.0/8"]])
def test_union_of_pieces_is_judged_by_every_rule(opa: opaserver.OpaServer, cases: list[list[str]]) -> None:
    batch = [(i, cidrs, rule, obj) for i, cidrs in enumerate(cases) for rule, obj in _carriers(cidrs, i)]
    # The reference share of a list, once for the five objects that carry it (Python's
    # collapse_addresses is most of this test's own CPU).
    shares = [max(reference_share(cidrs, 4), reference_share(cidrs, 6)) for cidrs in cases]
    for (i, cidrs, rule, obj), fired in zip(batch, decide(opa, [obj for *_, obj in batch]), strict=True):
        share = shares[i]
        assert (rule in fired) == (share >= THRESHOLD), (rule, obj["kind"], cidrs, float(share), sorted(fired))


# --- sidecar.istio.io/inject ----------------------------------------------------------------------

INJECT = "sidecar.istio.io/inject"
inject_values = st.one_of(
    st.sampled_from(
        [
            "true",
            "false",
            "y",
            "Y",
            "yes",
            "YES",
            "on",
            "On",
            "no",
            "off",
            "0",
            "1",
            "n",
            "t",
            "disabled",
            "enabled",
            "",
            " true",
            "true ",
            "TRUE",
            "nope",
        ]
    ),
    st.text(alphabet="tTrRuUeEyYsSoOnNfF01 ", max_size=5),
)


def istio_injects(labels: dict[str, str], annotations: dict[str, str]) -> bool:
    """Istio's injectRequired (pkg/kube/inject/inject.go) for a namespace whose policy is enabled."""
    selector = labels.get(INJECT, annotations.get(INJECT, ""))
    return selector.lower() in {"y", "yes", "true", "on", ""}


metadata_maps = st.fixed_dictionaries({}, optional={INJECT: inject_values})


@property_settings
@given(st.lists(st.tuples(metadata_maps, metadata_maps), min_size=1, max_size=30))
@example(
    [
        ({INJECT: "true"}, {INJECT: "false"}),
        ({INJECT: "no"}, {INJECT: "true"}),
        ({}, {INJECT: "off"}),
        ({}, {INJECT: "0"}),
        ({}, {INJECT: "disabled"}),
        ({INJECT: ""}, {INJECT: "false"}),
    ]
)
def test_inject_spellings_follow_istio(
    opa: opaserver.OpaServer, cases: list[tuple[dict[str, str], dict[str, str]]]
) -> None:
    objects = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"p{i}", "namespace": "ml", "labels": labels, "annotations": notes},
            "spec": {"containers": [{"name": "c", "image": "registry.internal/c:1"}]},
        }
        for i, (labels, notes) in enumerate(cases)
    ]
    for (labels, notes), fired in zip(cases, decide(opa, objects), strict=True):
        assert ("MLF-K8S-012" in fired) == (not istio_injects(labels, notes)), (labels, notes)
