"""Property tests for the evasion classes of issue 16 §1, through the bundle's decision
entrypoint (data.mlfence.decision, what the CLI, conftest and the sidecar evaluate):

* union evasions: the public space split into random pieces, some pieces dropped, written into
  each list a rule reads as one (NetworkPolicy ingress and egress peers, Service
  loadBalancerSourceRanges, Ingress allowlists, ServiceEntry addresses with resolution NONE):
  the rule fires exactly when Python's ipaddress says the pieces cover at least
  open_share_threshold of the public IPv4 or IPv6 space;
* sidecar.istio.io/inject spellings: a finding exactly when Istio's injector would not inject
  (label wins over annotation; only y, yes, true, on, case-insensitive, or "" inject).

Each hypothesis example is a batch evaluated by one `opa eval`; CI derandomises the examples
(the shared "ci" profile).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, examples, strict_eval
from test_net_union import reference_share

THRESHOLD = 0.25  # data/mlfence/config/data.yaml open_share_threshold
# Derandomised under the "ci" profile (tests/conftest.py); each example is one `opa eval`.
property_settings = settings(max_examples=examples(ci=8, dev=10, full=100))


def decide(objects: list[dict[str, Any]]) -> list[set[str]]:
    """Rule IDs with a failing finding, per object, from the bundle's decision entrypoint."""
    query = (
        "out := [ids | some obj in input.objects; d := data.mlfence.decision with input as obj; "
        'ids := {f.rule_id | some f in d.findings; f.status == "fail"}]'
    )
    found = strict_eval(query, {"objects": objects}, None, ROOT / "policy", ROOT / "data")
    return [set(ids) for ids in found["out"]]


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
def test_union_of_pieces_is_judged_by_every_rule(cases: list[list[str]]) -> None:
    batch = [(cidrs, rule, obj) for i, cidrs in enumerate(cases) for rule, obj in _carriers(cidrs, i)]
    for (cidrs, rule, obj), fired in zip(batch, decide([obj for _, _, obj in batch]), strict=True):
        share = max(reference_share(cidrs, 4), reference_share(cidrs, 6))
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
def test_inject_spellings_follow_istio(cases: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    objects = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"p{i}", "namespace": "ml", "labels": labels, "annotations": notes},
            "spec": {"containers": [{"name": "c", "image": "registry.internal/c:1"}]},
        }
        for i, (labels, notes) in enumerate(cases)
    ]
    for (labels, notes), fired in zip(cases, decide(objects), strict=True):
        assert ("MLF-K8S-012" in fired) == (not istio_injects(labels, notes)), (labels, notes)
