"""Objects of one ML serving namespace, shared by tests that need a workload and the policy that
isolates it: a default-deny NetworkPolicy and a Deployment it selects."""

from __future__ import annotations

from typing import Any

DEFAULT_DENY: dict[str, Any] = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "default-deny-all", "namespace": "ml-serving"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}
DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "model", "namespace": "ml-serving"},
    "spec": {
        "selector": {"matchLabels": {"app": "model"}},
        "template": {
            "metadata": {"labels": {"app": "model"}},
            "spec": {
                "automountServiceAccountToken": False,
                "serviceAccountName": "model",
                "containers": [{"name": "m", "image": "registry.example/model:1"}],
            },
        },
    },
}
