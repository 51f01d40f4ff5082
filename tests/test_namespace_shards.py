"""Sharding a scan by namespace (mlfence.namespace_shards): the same findings as the default
sharding, with each process holding only its namespaces' objects of the namespace-local kinds,
and the default sharding whenever a rule that runs may read another namespace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlfence import documents, namespace_shards, scan, settings, toolchain

NAMESPACES = """apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-c}
"""

# A Calico GlobalNetworkPolicy written with a namespace (cluster-scoped, applied everywhere) that
# isolates every pod for Ingress, a mesh-root PeerAuthentication and a webhook whose Service
# lives in team-b: all of them must reach the processes judging other namespaces.
CLUSTER = """apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ingress-deny, namespace: team-a}
spec: {selector: all(), types: [Ingress]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks:
- name: hook.example.com
  clientConfig: {service: {name: hook, namespace: team-b, port: 443}}
"""

POD = """apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}
spec: {{containers: [{{name: main, image: registry.example.com/app:1}}]}}
"""

DEFAULT_DENY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: {ns}}}
spec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}
"""

TEAM_B = """apiVersion: v1
kind: Service
metadata: {name: hook, namespace: team-b}
spec: {selector: {app: hook}, ports: [{port: 443, targetPort: 8443}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open-hook, namespace: team-b}
spec:
  podSelector: {matchLabels: {app: hook}}
  policyTypes: [Ingress]
  ingress: [{}]
"""

CILIUM = """apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: egress-only-dns, namespace: team-c}
spec:
  endpointSelector: {}
  egress: [{toEndpoints: [{}]}]
"""


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "namespaces.yaml").write_text(NAMESPACES)
    (folder / "cluster.yaml").write_text(CLUSTER)
    (folder / "team-a.yaml").write_text(POD.format(name="a1", ns="team-a") + "---\n" + DEFAULT_DENY.format(ns="team-a"))
    (folder / "team-b.yaml").write_text(POD.format(name="b1", ns="team-b") + "---\n" + TEAM_B)
    (folder / "team-c.yaml").write_text(POD.format(name="c1", ns="team-c") + "---\n" + CILIUM)
    (folder / "loose.yaml").write_text(POD.format(name="loose", ns="x").replace("namespace: x, ", ""))
    return folder


def _staged(paths: list[Path], tmp: Path) -> tuple[Any, Path]:
    config = settings.load(None, [str(p) for p in paths], None, None, known_rules=None)
    return config, config.stage_data(tmp / "data")


def _findings(result: scan.ScanResult) -> list[dict]:
    return [f.as_dict() for f in result.findings]


def test_namespace_shards_give_the_default_shardings_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _corpus(tmp_path / "corpus")
    config, data = _staged([folder], tmp_path)
    loaded = documents.load([str(folder)]).documents
    policy = toolchain.policy_dir()
    assert namespace_shards.eligible(loaded, policy, data, scan._kinds(loaded), config.namespace_for)

    monkeypatch.setattr(namespace_shards, "DOCUMENTS_PER_SHARD", 4)  # several namespaces, several shards
    plan = namespace_shards.plan(loaded, 2, scan.is_context)
    assert plan is not None and len(plan.held) >= 3
    sharded = _findings(scan.evaluate(loaded, policy, data, jobs=2, namespace_for=config.namespace_for))

    monkeypatch.setattr(namespace_shards, "eligible", lambda *_: False)
    for jobs in (1, 2):
        assert _findings(scan.evaluate(loaded, policy, data, jobs=jobs, namespace_for=config.namespace_for)) == sharded
    # The findings the corpus is built for: the cross-namespace context decided them.
    isolated = {f["resource"] for f in sharded if f["rule_id"] == "MLF-K8S-009"}
    assert "team-b/Pod/b1" in isolated and "team-a/Pod/a1" not in isolated
    assert any(f["rule_id"] == "MLF-K8S-052" for f in sharded)


def test_a_plan_holds_local_kinds_once_and_the_rest_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = documents.load([str(_corpus(tmp_path / "corpus"))]).documents
    monkeypatch.setattr(namespace_shards, "DOCUMENTS_PER_SHARD", 4)
    plan = namespace_shards.plan(loaded, 2, scan.is_context)
    assert plan is not None
    for i, doc in enumerate(loaded):
        holders = [k for k, held in enumerate(plan.held) if i in held]
        assert plan.answers[i] in holders
        content = doc.content
        meta = content["metadata"]
        if content["kind"] in namespace_shards.NAMESPACE_LOCAL_KINDS and meta.get("namespace"):
            assert holders == [plan.answers[i]], meta
        elif scan.is_context(doc):
            assert holders == list(range(len(plan.held))), meta
        if content["kind"] == "Namespace":  # answered with the objects of the namespace it names
            same = [j for j, d in enumerate(loaded) if d.content["metadata"].get("namespace") == meta["name"]]
            assert all(plan.answers[j] == plan.answers[i] for j in same), meta["name"]


GATEWAY = """apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: team-a}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
"""

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: team-a\n"


@pytest.mark.parametrize(
    ("extra_file", "extra_text"),
    [("gateway.yaml", GATEWAY), ("kustomization.yaml", KUSTOMIZATION)],
    ids=["a rule reading every namespace's Services", "a Kustomization placing objects"],
)
def test_not_eligible_when_a_document_may_read_or_move_across_namespaces(
    tmp_path: Path, extra_file: str, extra_text: str
) -> None:
    folder = _corpus(tmp_path / "corpus")
    (folder / extra_file).write_text(extra_text)
    config, data = _staged([folder], tmp_path)
    # Kustomizations read as plain files (--no-kustomize): scan.rego places their folders' objects.
    loaded = documents.load([str(folder)], rendering=documents.Rendering(kustomize=False)).documents
    assert {"Pod", extra_text.split("kind: ")[1].split("\n")[0]} <= {d.content.get("kind") for d in loaded}
    assert not namespace_shards.eligible(
        loaded, toolchain.policy_dir(), data, scan._kinds(loaded), config.namespace_for
    )


def test_not_eligible_with_declared_flows_or_folder_namespaces(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "corpus")
    _, data = _staged([folder], tmp_path)
    loaded = documents.load([str(folder)]).documents
    policy, kinds = toolchain.policy_dir(), scan._kinds(loaded)
    assert namespace_shards.eligible(loaded, policy, data, kinds, None)
    assert not namespace_shards.eligible(loaded, policy, data, kinds, lambda path: "team-a")

    config_file = data / "mlfence" / "config" / "data.json"
    declared = {**json.loads(config_file.read_text()), "flows": {"components": [{"name": "x", "namespaces": ["a"]}]}}
    config_file.write_text(json.dumps(declared))
    assert not namespace_shards.eligible(loaded, policy, data, kinds, None)
    config_file.unlink()  # unreadable settings: flows may be declared
    assert not namespace_shards.eligible(loaded, policy, data, kinds, None)


def test_not_eligible_with_an_admission_review(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "corpus")
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"object": {}}}
    (folder / "review.json").write_text(json.dumps(review))
    _, data = _staged([folder], tmp_path)
    loaded = documents.load([str(folder)]).documents
    assert any(d.content.get("kind") == "AdmissionReview" for d in loaded)
    assert not namespace_shards.eligible(loaded, toolchain.policy_dir(), data, scan._kinds(loaded), None)


def test_one_dominant_namespace_keeps_the_default_sharding(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "pods.yaml").write_text("---\n".join(POD.format(name=f"p{i}", ns="only") for i in range(6)))
    loaded = documents.load([str(folder)]).documents
    assert namespace_shards.plan(loaded, 2, scan.is_context) is None


def test_the_namespace_local_rules_are_cross_object_rules_of_the_index() -> None:
    """A stale entry (a rule renumbered or no longer reading the inventory) shows here."""
    index = json.loads((toolchain.data_dir() / "mlfence" / "rule_index" / "data.json").read_text())
    cross = set(index["kubernetes"]["cross_object"])
    assert cross >= namespace_shards.NAMESPACE_LOCAL_RULES
    assert cross >= namespace_shards.FLOW_RULES


def test_the_flow_rule_packages_are_the_flow_rules() -> None:
    """scan leaves these packages out when no flows are declared: they must be exactly FLOW_RULES."""
    assert namespace_shards._rule_ids(toolchain.policy_dir(), set(namespace_shards.FLOW_RULE_PACKAGES)) == set(
        namespace_shards.FLOW_RULES
    )
