"""A reviewed NetworkPolicy is judged on the flows its rules can let through that the declaration
does not allow on every port, and the connectivity model is computed for those pairs only
(intent_review.rego's `_checkable` and `_undeclared_candidates`; none when the declaration allows
them all): MLF-K8S-060's verdict on it must be the one the whole model gives. Hypothesis draws
platforms (test_reach_oracle.py's namespaces, Pods, Deployments and NetworkPolicies), a
declaration of components and flows over them, and a new NetworkPolicy; one OPA server answers
both the admission path (the inventory cut to the reviewed policy's scope, its peers narrowed, the
pairs checked) and the whole model on the same inventory (intent_scope_test.rego's comparison, at
random).

Profiles (tests/conftest.py): `ci` 150 examples (a fixed sequence), `dev` 200, `full` 600.
test_each_branch_on_a_named_case pins which branch named cases take."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import opaserver
from conftest import ROOT, examples
from test_reach_oracle import (
    NAMESPACES,
    _deployment,
    label_values,
    named_ports,
    numbered_ports,
    platforms,
    rules,
    selector_peers,
    selectors,
)

# Gatekeeper's data.inventory shape, built as the admission benchmark feeds it.
sys.path.insert(0, str(ROOT / "bench" / "reach"))
from admission import inventory

EXAMPLES = examples(ci=150, dev=200, full=600)

# The verdicts on the admission path and on the whole model (as intent_scope_test.rego compares
# them); whether the admission path checked the candidate flows, how many there were and how many
# of them it left to the model.
PROBE = """package mlfence_probe

import data.lib.mlfence.intent

verdicts := {
	"admission": admission, "whole": whole,
	"checkable": checkable, "candidates": candidates, "to_model": to_model,
} if {
	review := {"review": {"object": input.object}, "parameters": {"flows": input.flows}}
	inventory := input.inventory
	admission := intent.undeclared_messages with input as review with data.inventory as inventory
	patched := intent.patched_inventory with input as review with data.inventory as inventory
	scoped := intent.scoped_inventory with input as review with data.inventory as inventory
	whole := intent.undeclared_messages with input as review with data.inventory as inventory
		with intent.scoped_inventory as patched
		with intent.peers_narrowed as false
	checkable := _checkable with input as review with data.inventory as scoped
	candidates := count(intent._review_candidates) with input as review with data.inventory as scoped
	to_model := count(intent._undeclared_candidates) with input as review with data.inventory as scoped
}

default _checkable := false

_checkable if intent._checkable
"""

PORTS = st.one_of(
    st.sampled_from([53, 80, 443, 8080, 9090, "8080-8090", "1-65535"]),
    st.fixed_dictionaries({"port": st.just(53), "protocol": st.just("UDP")}),
    st.builds(lambda p: {"port": p, "endPort": p + 10}, st.sampled_from([80, 8080])),
)


@st.composite
def components(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for i in range(draw(st.integers(1, 3))):
        c: dict[str, Any] = {"name": f"c{i}"}
        where = draw(st.sampled_from(["namespaces", "selector", "anywhere"]))
        if where == "namespaces":
            c["namespaces"] = draw(st.lists(st.sampled_from(NAMESPACES), min_size=1, max_size=2, unique=True))
        elif where == "selector":
            c["namespace_selector"] = {"matchLabels": {"team": draw(st.sampled_from(["x", "y"]))}}
        if draw(st.booleans()):
            c["pods"] = draw(selectors)
        found.append(c)
    return found


@st.composite
def declarations(draw: st.DrawFn) -> dict[str, Any]:
    comps = draw(components())
    names = [c["name"] for c in comps]
    if draw(st.booleans()):  # every component to every other: most flows declared, on some ports
        pairs = [(a, b) for a in names for b in names]
    else:
        pairs = [(draw(st.sampled_from(names)), draw(st.sampled_from(names))) for _ in range(draw(st.integers(0, 4)))]
    allow = []
    for source, destination in pairs:
        entry: dict[str, Any] = {"from": source, "to": destination}
        if draw(st.integers(0, 3)) > 0:  # mostly with ports: without, every port is allowed
            entry["ports"] = draw(st.lists(PORTS, min_size=1, max_size=3))
        allow.append(entry)
    return {"components": comps, "allow": allow}


@st.composite
def pod_rules(draw: st.DrawFn, peer_key: str) -> dict[str, Any]:
    rule: dict[str, Any] = {peer_key: draw(st.lists(selector_peers, min_size=1, max_size=2))}
    if draw(st.integers(0, 3)) > 0:
        rule["ports"] = draw(st.lists(numbered_ports | named_ports, min_size=1, max_size=2))
    return rule


def _obj(api_version: str, kind: str, name: str, spec: dict[str, Any], namespace: str | None = None) -> dict[str, Any]:
    """A Kubernetes object of the tests (cluster-scoped without a namespace)."""
    metadata = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}


@st.composite
def reviewed_policies(draw: st.DrawFn, namespaces: list[str]) -> dict[str, Any]:
    """A new NetworkPolicy in one of `namespaces` (those holding workloads, mostly)."""
    # Often every pod of its namespace, so that it has workloads to judge.
    spec: dict[str, Any] = {"podSelector": draw(st.one_of(st.just({}), selectors))}
    types = draw(st.sampled_from([None, ["Ingress"], ["Egress"], ["Ingress", "Egress"]]))
    if types:
        spec["policyTypes"] = types
    # Rules whose peers are pods, mostly: those are the flows checked against the declaration.
    for key, peer_key in (("ingress", "from"), ("egress", "to")):
        if draw(st.integers(0, 3)) > 0:
            spec[key] = draw(
                st.lists(st.one_of(pod_rules(peer_key), pod_rules(peer_key), rules(peer_key)), min_size=1, max_size=2)
            )
    name = draw(st.sampled_from(["p0", "new"]))  # p0 may replace a policy of the platform
    elsewhere = draw(st.integers(0, 4)) == 0  # now and then a namespace without workloads
    ns = draw(st.sampled_from(NAMESPACES if elsewhere or not namespaces else namespaces))
    return _obj("networking.k8s.io/v1", "NetworkPolicy", name, spec, ns)


@pytest.fixture(scope="module")
def opa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[opaserver.OpaServer]:
    with opaserver.serving(tmp_path_factory.mktemp("opa"), PROBE, paths=(ROOT / "policy", ROOT / "data")) as server:
        yield server


def verdicts(
    server: opaserver.OpaServer, objects: list[dict[str, Any]], flows: dict[str, Any], obj: dict[str, Any]
) -> Any:
    return server.value("verdicts", {"inventory": inventory(objects), "flows": flows, "object": obj})


def _ns(name: str, team: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, **({"labels": {"team": team}} if team else {})}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _ingress_from_a(ports: list[dict[str, Any]], peer: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new policy of ns-b: pods of app b admit app a of ns-a on `ports`."""
    source = peer or {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ns-a"}},
        "podSelector": {"matchLabels": {"app": "a"}},
    }
    spec = {
        "podSelector": {"matchLabels": {"app": "b"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [source], "ports": ports}],
    }
    return _obj("networking.k8s.io/v1", "NetworkPolicy", "new", spec, "ns-b")


# ns-a's app a may reach ns-b's app b on TCP 8080 only; ns-c is in no component.
PLATFORM = [
    _ns("ns-a", "x"),
    _ns("ns-b", "y"),
    _ns("ns-c"),
    _deployment("ns-a", "a", {"app": "a"}, []),
    _deployment("ns-b", "b", {"app": "b"}, ["http", "grpc"]),
    _deployment("ns-c", "c", {"app": "c"}, []),
    _deployment("ns-c", "d", {"app": "d"}, []),
]
FLOWS = {
    "components": [{"name": "front", "namespaces": ["ns-a"]}, {"name": "back", "namespaces": ["ns-b"]}],
    "allow": [{"from": "front", "to": "back", "ports": [8080]}],
}
DECLARED_PORT = _ingress_from_a([{"port": 8080}])
EXTRA_PORT = _ingress_from_a([{"port": 8080}, {"port": 9000}])
NAMED_DECLARED = _ingress_from_a([{"port": "http"}])  # resolves to 8080: declared, by the model
NAMED_UNDECLARED = _ingress_from_a([{"port": "grpc"}])  # resolves to 9090: undeclared
ADDRESS_BLOCK = _ingress_from_a([{"port": 8080}], {"ipBlock": {"cidr": "10.0.0.0/8"}})
EVERY_PORT = _ingress_from_a([])
# Between two workloads of ns-c: no component holds either, no declared flow judges them.
NO_COMPONENT = _obj(
    "networking.k8s.io/v1",
    "NetworkPolicy",
    "new",
    {
        "podSelector": {"matchLabels": {"app": "c"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "d"}}}], "ports": [{"port": 9999}]}],
    },
    "ns-c",
)
ANYONE = {**DECLARED_PORT, "spec": {**DECLARED_PORT["spec"], "ingress": [{"ports": [{"port": 8080}]}]}}

FRONT_TO_BACK = "ns-a/a (component front) can reach ns-b/b (component back)"
# (reviewed policy, checkable, pairs left to the model, what MLF-K8S-060 reports: a flow it names)
BRANCHES = {
    "declared port": (DECLARED_PORT, True, 0, None),
    "an undeclared port beside it": (EXTRA_PORT, True, 1, f"{FRONT_TO_BACK} on TCP 9000"),
    "named port the declaration allows": (NAMED_DECLARED, True, 1, None),
    "named port the declaration does not allow": (NAMED_UNDECLARED, True, 1, f"{FRONT_TO_BACK} on TCP 9090"),
    "every port": (EVERY_PORT, True, 1, FRONT_TO_BACK),
    "no component": (NO_COMPONENT, True, 0, None),
    "address block": (ADDRESS_BLOCK, False, 0, None),
    "a rule without peers": (ANYONE, False, 0, "ns-c/c (no component) can reach ns-b/b (component back) on TCP 8080"),
}


@pytest.mark.parametrize("case", sorted(BRANCHES))
def test_each_branch_on_a_named_case(case: str, opa: opaserver.OpaServer) -> None:
    policy, checkable, to_model, reported = BRANCHES[case]
    v = check(opa, PLATFORM, FLOWS, policy)
    assert v["checkable"] is checkable
    if checkable:
        assert v["to_model"] == to_model
    if reported:
        assert any(reported in m for m in v["admission"]), v["admission"]
    else:
        assert v["admission"] == [], v["admission"]


def _anp(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return _obj("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", name, spec)


def _by_name(ns: str) -> dict[str, Any]:
    return {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}


DENY_EGRESS = _obj(
    "networking.k8s.io/v1", "NetworkPolicy", "deny-egress", {"podSelector": {}, "policyTypes": ["Egress"]}, "ns-a"
)
# Cluster-scoped policies decide the pair too: an AdminNetworkPolicy letting ns-a reach ns-b (past
# ns-a's own default deny), or denying it. The scope of the review kept every cluster-scoped
# object but dropped those filed under an API version without Namespaces (found by a review: the
# verdicts then missed the first flow and reported the second).
CLUSTER_WIDE = {
    "an admin policy lets the flow through": (
        [
            DENY_EGRESS,
            _anp(
                "a-to-b",
                {
                    "priority": 10,
                    "subject": _by_name("ns-a"),
                    "egress": [{"name": "to-b", "action": "Allow", "to": [_by_name("ns-b")]}],
                },
            ),
        ],
        f"{FRONT_TO_BACK} on TCP 9000, which no declared flow allows; allowed by egress: AdminNetworkPolicy a-to-b",
    ),
    "an admin policy denies it": (
        [
            _anp(
                "no-a",
                {
                    "priority": 10,
                    "subject": _by_name("ns-b"),
                    "ingress": [{"name": "no-a", "action": "Deny", "from": [_by_name("ns-a")]}],
                },
            )
        ],
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(CLUSTER_WIDE))
def test_cluster_wide_policies_decide_at_admission(case: str, opa: opaserver.OpaServer) -> None:
    extra, reported = CLUSTER_WIDE[case]
    v = check(opa, [*PLATFORM, *extra], FLOWS, _ingress_from_a([{"port": 9000}]))
    if reported:
        assert any(reported in m for m in v["admission"]), v["admission"]
    else:
        assert v["admission"] == [], v["admission"]


def test_fractional_declared_ports_leave_the_pair_to_the_model(opa: opaserver.OpaServer) -> None:
    """The check reads gaps after each declared span's end, which counts whole ports: a declaration
    with fractional bounds (unvalidated parameters) sends the pair to the model (found by a review:
    80-85.5 and 86.5-90 passed for 80-90)."""
    flows = {
        **FLOWS,
        "allow": [
            {"from": "front", "to": "back", "ports": [{"port": 80, "endPort": 85.5}, {"port": 86.5, "endPort": 90}]}
        ],
    }
    v = check(opa, PLATFORM, flows, _ingress_from_a([{"port": 80, "endPort": 90}]))
    assert v["checkable"] is True
    assert v["to_model"] == 1  # and its verdict is the model's (check)


APPS = st.sampled_from(["a", "b", "c"])  # test_reach_oracle's pod label values
PORT_NUMBERS = st.sampled_from([53, 80, 8080, 9090])
BY_NAME = st.builds(
    lambda ns: {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}, st.sampled_from(NAMESPACES)
)


@st.composite
def admin_policies(draw: st.DrawFn) -> dict[str, Any]:
    """An AdminNetworkPolicy (Allow, Deny, Pass) or the BaselineAdminNetworkPolicy (Allow, Deny)."""
    admin = draw(st.booleans())
    actions = ["Allow", "Deny", "Pass"] if admin else ["Allow", "Deny"]
    pods = st.builds(
        lambda app: {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": app}}}}, APPS
    )
    spec: dict[str, Any] = {"subject": draw(st.one_of(BY_NAME, pods))}
    for key, peer_key in (("ingress", "from"), ("egress", "to")):
        if draw(st.booleans()):
            rule: dict[str, Any] = {"name": "r", "action": draw(st.sampled_from(actions))}
            rule[peer_key] = [draw(st.one_of(BY_NAME, st.just({"namespaces": {}})))]
            if draw(st.booleans()):
                rule["ports"] = [
                    {"portNumber": {"protocol": draw(st.sampled_from(["TCP", "UDP"])), "port": draw(PORT_NUMBERS)}}
                ]
            spec[key] = [rule]
    if admin:
        spec["priority"] = draw(st.integers(1, 20))
    kind, name = (
        ("AdminNetworkPolicy", draw(st.sampled_from(["anp0", "anp1"])))
        if admin
        else ("BaselineAdminNetworkPolicy", "default")
    )
    return _obj("policy.networking.k8s.io/v1alpha1", kind, name, spec)


@st.composite
def cilium_policies(draw: st.DrawFn) -> dict[str, Any]:
    """A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy allowing or denying one peer."""
    key = draw(st.sampled_from(["ingress", "egress", "ingressDeny", "egressDeny"]))
    peer_key = "fromEndpoints" if key.startswith("ingress") else "toEndpoints"
    rule: dict[str, Any] = {
        peer_key: [draw(st.one_of(st.just({}), st.builds(lambda a: {"matchLabels": {"app": a}}, APPS)))]
    }
    if draw(st.booleans()):
        rule["toPorts"] = [
            {"ports": [{"port": str(draw(PORT_NUMBERS)), "protocol": draw(st.sampled_from(["TCP", "ANY"]))}]}
        ]
    spec = {"endpointSelector": {"matchLabels": {"app": draw(APPS)}}, key: [rule]}
    if draw(st.booleans()):
        return _obj("cilium.io/v2", "CiliumClusterwideNetworkPolicy", "ccnp", spec)
    return _obj("cilium.io/v2", "CiliumNetworkPolicy", "cnp", spec, draw(st.sampled_from(NAMESPACES)))


@st.composite
def istio_policies(draw: st.DrawFn) -> dict[str, Any]:
    """An AuthorizationPolicy (ALLOW or DENY by source namespace and port) or a PeerAuthentication."""
    ns = draw(st.sampled_from([*NAMESPACES, "istio-system"]))
    if draw(st.integers(0, 3)) == 0:
        spec: dict[str, Any] = {"mtls": {"mode": draw(st.sampled_from(["STRICT", "PERMISSIVE"]))}}
        return _obj("security.istio.io/v1", "PeerAuthentication", "default", spec, ns)
    rule: dict[str, Any] = {}
    if draw(st.booleans()):
        rule["from"] = [{"source": {"namespaces": [draw(st.sampled_from(NAMESPACES))]}}]
    if draw(st.booleans()):
        rule["to"] = [{"operation": {"ports": [str(draw(PORT_NUMBERS))]}}]
    spec = {"action": draw(st.sampled_from(["ALLOW", "DENY"])), "rules": [rule]}
    if draw(st.booleans()):
        spec["selector"] = {"matchLabels": {"app": draw(APPS)}}
    return _obj("security.istio.io/v1", "AuthorizationPolicy", "ap", spec, ns)


@st.composite
def job_twins(draw: st.DrawFn, namespaces: list[str]) -> list[dict[str, Any]]:
    """batch/v1's Job and Volcano's with one name in one namespace: two workloads with their own
    pods, whose ids carry their groups (connectivity_refs.rego's _distinct). Both paths read the
    same records, so this checks that they agree on such ids (id_of, the candidate pairs); that the
    ids tell the two apart is intent_scope_test.rego's named case."""
    ns = draw(st.sampled_from(namespaces))

    def template() -> dict[str, Any]:
        labels = {"app": draw(label_values)}
        container = {"name": "c", "image": "registry.internal/app:1"}
        return {"metadata": {"labels": labels}, "spec": {"containers": [container]}}

    return [
        _obj("batch/v1", "Job", "j", {"template": template()}, ns),
        _obj("batch.volcano.sh/v1alpha1", "Job", "j", {"tasks": [{"name": "t", "template": template()}]}, ns),
    ]


# Beside the core platform: the policy kinds that also decide a pair (the tiers, Cilium's allow and
# deny rules, the mesh), cluster-scoped ones among them (a review found the admission scope dropped
# those: 349d93d).
dialect_objects = st.lists(st.one_of(admin_policies(), cilium_policies(), istio_policies()), max_size=3)


@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(objects=platforms(), bare=st.booleans(), dialects=dialect_objects, flows=declarations(), data=st.data())
def test_admission_verdicts_equal_the_whole_models(
    objects: list[dict[str, Any]],
    bare: bool,
    dialects: list[dict[str, Any]],
    flows: dict[str, Any],
    data: st.DataObject,
    opa: opaserver.OpaServer,
) -> None:
    if bare:  # the platform's own policies left out: the reviewed one decides more flows alone
        objects = [o for o in objects if o["kind"] != "NetworkPolicy"]
    objects = [*objects, *dialects]
    if data.draw(st.integers(0, 3), label="job twins") == 0:
        namespaces = [o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"]
        objects += data.draw(job_twins(namespaces), label="job twins")
    used = sorted({o["metadata"]["namespace"] for o in objects if o["kind"] in ("Pod", "Deployment", "Job")})
    v = check(opa, objects, flows, data.draw(reviewed_policies(used), label="reviewed policy"))
    path = f"{v['to_model']} of {v['candidates']} pairs to the model" if v["checkable"] else "the model"
    event(f"{path}; verdicts: {'some' if v['whole'] else 'none'}")


def check(
    server: opaserver.OpaServer, objects: list[dict[str, Any]], flows: dict[str, Any], obj: dict[str, Any]
) -> Any:
    """The verdicts on the reviewed policy, asserted equal on both paths."""
    v = verdicts(server, objects, flows, obj)
    assert v["admission"] == v["whole"]
    return v
