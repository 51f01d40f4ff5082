"""Sharding a scan by namespace, so that no OPA process holds every object of a large scan.

The default sharding (scan.shard_inputs) gives every process every context document: all
Pods, Services and NetworkPolicies of 100,000 objects in each process (2.5 GB each), and the
dialect parts of the connectivity model (Cilium, Calico) walk every namespace of the inventory
for each workload judged. Here a process answers for whole namespaces and holds, besides its
own documents, only the context documents any namespace may read.

That gives the same answers only when no rule that runs reads another namespace's objects of
the kinds kept local (NAMESPACE_LOCAL_KINDS). `plan` checks it from the rule index and the
documents, and returns None (the default sharding then) whenever it cannot tell:

- every cross-object rule the scanned kinds route to is one read to look only at the judged
  object's own namespace (a Namespace: the one it names), at cluster-scoped objects and at kinds
  held everywhere (NAMESPACE_LOCAL_RULES), or is a declared-flow rule and no flows are declared
  (the flow model joins all namespaces);
- no document is placed into a namespace by the scan (a Kustomization's `namespace:`, the
  settings' `namespaces:`), and none is an AdmissionReview: each document's namespace is its
  own metadata.namespace, as policy/mlfence/scan.rego reads it.

tests/test_namespace_shards.py compares the answers with the default sharding's.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlfence import gatekeeper, policy_subset
from mlfence.documents import Document

# Namespaced kinds whose objects the rules in NAMESPACE_LOCAL_RULES read from the judged object's
# own namespace only: NetworkPolicies (core and Calico's namespaced ones: the dialect model
# matches them to pods of their namespace), CiliumNetworkPolicies (likewise), Services (webhook
# backends of the policy's namespace), and the workloads only the declared-flow model reads.
# Every other context document (Namespaces, cluster-scoped policies in whatever namespace they
# were written, webhook configurations, PeerAuthentications of the mesh root, ConfigMaps,
# AuthorizationPolicies, Ingresses) is held by every process.
NAMESPACE_LOCAL_KINDS = frozenset(
    {
        "NetworkPolicy",
        "CiliumNetworkPolicy",
        "Service",
        *(kind for _, _, kind in gatekeeper.MODEL_SYNCED if kind != "AuthorizationPolicy"),
    }
)

# Cross-object rules (rule index `cross_object`) read to depend, beyond cluster-scoped objects and
# the kinds every process holds, on the judged object's own namespace only. A rule added to the
# index's cross_object list and not here turns namespace sharding off.
NAMESPACE_LOCAL_RULES = frozenset(
    {
        "MLF-K8S-003",  # ingress_from_anyone: webhook backends, Services of the policy's namespace
        "MLF-K8S-007",  # pii_egress_external: NetworkPolicies of the namespace
        "MLF-K8S-008",  # namespace_default_deny: NetworkPolicies of the namespace it names
        "MLF-K8S-009",  # workload_default_deny: the namespace's policies, cluster-scoped dialects
        "MLF-K8S-012",  # istio_sidecar_disabled: the Namespace's labels
        "MLF-K8S-013",  # istio_traffic_bypass: the Namespace's labels
        "MLF-K8S-040",  # peer_authn_permissive: webhook backends of the namespace
        "MLF-K8S-041",  # authz_allow_all: webhook backends of the namespace
        "MLF-K8S-042",  # authz_unauthenticated_write: webhook backends of the namespace
        "MLF-K8S-051",  # knative_service_exposed: config-domain, inferenceservice-config (ConfigMaps)
        "MLF-K8S-052",  # mesh_mtls_not_strict: PeerAuthentications (held everywhere)
        "MLF-K8S-056",  # seldon_v2_exposed: SeldonConfigs (a synced kind, held everywhere)
    }
)

# The declared-flow rules: their model joins every namespace, but they judge nothing unless the
# settings declare flow components (lib.mlfence.intent.enabled).
FLOW_RULES = frozenset({"MLF-K8S-060", "MLF-K8S-061", "MLF-K8S-062"})
# Their packages (a test checks they are FLOW_RULES'), which a scan without flows leaves out.
FLOW_RULE_PACKAGES = frozenset(
    {
        "mlfence.k8s.intent.undeclared_flow",
        "mlfence.k8s.intent.declared_flow_blocked",
        "mlfence.k8s.intent.component_without_workloads",
    }
)

# Documents per process: more processes hold less each and walk fewer namespaces per workload,
# at ~0.3-0.45 s CPU of policy compilation each.
DOCUMENTS_PER_SHARD = 5000

_RULE_ID = re.compile(r"^#\s+id:\s+(MLF-[A-Z0-9]+-\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Plan:
    """answers[i]: the shard answering for document i; held[k]: the documents shard k reads."""

    answers: list[int]
    held: list[list[int]]


def _namespace(content: Any) -> str:
    meta = content.get("metadata") if isinstance(content, dict) else None
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    return ns if isinstance(ns, str) else ""


def _routing_key(content: Any) -> str:
    """The namespace whose objects the document's verdict may read ("" for none)."""
    if isinstance(content, dict) and content.get("kind") == "Namespace":
        meta = content.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else ""
    return _namespace(content)


def _rule_ids(policy: Path, packages: set[str]) -> set[str] | None:
    """The rule IDs of the rule packages (None when one cannot be read)."""
    ids = set()
    by_package = {m.package: m.path for m in policy_subset.modules(policy)}
    for package in packages:
        path = by_package.get(package)
        found = _RULE_ID.search(path.read_text(encoding="utf-8")) if path else None
        if found is None:
            return None
        ids.add(found.group(1))
    return ids


def flows_declared(data: Path) -> bool:
    """Whether the staged data may declare flows (unreadable counts as declared).

    OPA merges every data file into data.mlfence.config, where the rules read `flows`: a `--data`
    layer can add them at data/, data/mlfence/ or anywhere under data/mlfence/config/ besides the
    settings' own config/data.json. Any such file counts as declaring flows, so the flow rules
    are never left out while something could declare them."""
    config_dir = data / "mlfence" / "config"
    settings_file = config_dir / "data.json"
    if any((data / where / name).exists() for where in ("", "mlfence") for name in policy_subset.DATA_NAMES):
        return True
    if any(p.name in policy_subset.DATA_NAMES and p != settings_file for p in config_dir.rglob("*")):
        return True
    try:
        config = json.loads(settings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return not isinstance(config, dict) or bool(config.get("flows"))


def eligible(
    documents: list[Document],
    policy: Path,
    data: Path,
    kinds: set[str],
    namespace_for: Callable[[str], str] | None,
) -> bool:
    index = policy_subset.rule_index(data)
    packages = policy_subset.kubernetes_rules(index, kinds)
    cross = index.get("kubernetes", {}).get("cross_object") if packages is not None else None
    if packages is None or not isinstance(cross, list):
        return False
    try:
        ids = _rule_ids(policy, packages)
    except OSError:
        return False
    if ids is None:
        return False
    allowed = NAMESPACE_LOCAL_RULES | (set() if flows_declared(data) else FLOW_RULES)
    if not ids & set(cross) <= allowed:
        return False
    for doc in documents:
        content = doc.content
        if isinstance(content, dict) and content.get("kind") in ("Kustomization", "AdmissionReview"):
            return False
        if namespace_for is not None and doc.path != "<stdin>" and namespace_for(doc.path):
            return False
    return True


def plan(documents: list[Document], shards: int, is_context: Callable[[Document], bool]) -> Plan | None:
    """Namespaces packed into at least `shards` shards of about DOCUMENTS_PER_SHARD documents
    (largest first, each into the least loaded shard), then the documents that read no namespace;
    None when one namespace alone outweighs a fair share by half again (the default sharding
    spreads it better)."""
    count = max(shards, math.ceil(len(documents) / DOCUMENTS_PER_SHARD))
    if count < 2:
        return None
    keys = [_routing_key(d.content) for d in documents]
    sizes: dict[str, int] = {}
    for key in keys:
        if key:
            sizes[key] = sizes.get(key, 0) + 1
    load = [0] * count
    owner: dict[str, int] = {}
    for ns in sorted(sizes, key=lambda n: (-sizes[n], n)):
        k = min(range(count), key=lambda s: (load[s], s))
        owner[ns] = k
        load[k] += sizes[ns]
    answers = []
    for key in keys:
        if key:
            answers.append(owner[key])
        else:
            k = min(range(count), key=lambda s: (load[s], s))
            load[k] += 1
            answers.append(k)
    if max(load) > 1.5 * len(documents) / count:
        return None
    held: list[list[int]] = [[] for _ in range(count)]
    for i, doc in enumerate(documents):
        if is_context(doc):
            ns = _namespace(doc.content)
            local = ns and isinstance(doc.content, dict) and doc.content.get("kind") in NAMESPACE_LOCAL_KINDS
            if not local:  # held everywhere (answered by one)
                for k in range(count):
                    held[k].append(i)
                continue
        # A namespaced document's routing key is its namespace: it is held where it is answered.
        held[answers[i]].append(i)
    return Plan(answers, held)
