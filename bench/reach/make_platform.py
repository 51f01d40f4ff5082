"""A synthetic ML platform for `mlfence reach` at scale (issue 12, section 5): per 1x, 200
namespaces, 1,000 workloads and 2,000 NetworkPolicies. Each namespace holds five workloads
(Deployments, a PyTorchJob every other namespace) and ten policies: a default deny, DNS egress to
kube-dns, per-workload ingress from and egress to a neighbour of the namespace (named port),
egress to the next namespace's
workload by namespaceSelector AND podSelector, an ipBlock egress, and an allow-from-monitoring.

    python3 bench/reach/make_platform.py --scale 1 --out /tmp/platform.yaml
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def platform(scale: int) -> list[dict[str, Any]]:
    namespaces = 200 * scale
    objects: list[dict[str, Any]] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}]
    for n in range(namespaces):
        ns = f"team-{n:04d}"
        nxt = f"team-{(n + 1) % namespaces:04d}"
        objects.append(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"tier": str(n % 3)}}}
        )
        for w in range(5):
            labels = {"app": f"app-{w}", "team": ns}
            template = {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "registry.internal/app:1",
                            "ports": [{"name": "http", "containerPort": 8080}],
                        }
                    ]
                },
            }
            if w == 4 and n % 2 == 0:
                objects.append(
                    {
                        "apiVersion": "kubeflow.org/v1",
                        "kind": "PyTorchJob",
                        "metadata": {"name": f"job-{w}", "namespace": ns},
                        "spec": {"pytorchReplicaSpecs": {"Master": {"template": template}}},
                    }
                )
            else:
                objects.append(
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "metadata": {"name": f"app-{w}", "namespace": ns},
                        "spec": {"selector": {"matchLabels": labels}, "template": template},
                    }
                )
        policies = [
            {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}],
                    }
                ],
            },
        ]
        for w in range(5):
            policies.append(
                {
                    "podSelector": {"matchLabels": {"app": f"app-{w}"}},
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": [
                        {
                            "from": [{"podSelector": {"matchLabels": {"app": f"app-{(w + 1) % 5}"}}}],
                            "ports": [{"port": "http"}],
                        }
                    ],
                    "egress": [
                        {
                            "to": [{"podSelector": {"matchLabels": {"app": f"app-{(w - 1) % 5}"}}}],
                            "ports": [{"port": "http"}],
                        }
                    ],
                }
            )
        policies.append(
            {
                "podSelector": {"matchLabels": {"app": "app-0"}},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": nxt}},
                                "podSelector": {"matchLabels": {"app": "app-1"}},
                            }
                        ],
                        "ports": [{"port": 8080}],
                    }
                ],
            }
        )
        policies.append(
            {
                "podSelector": {"matchLabels": {"app": "app-2"}},
                "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}], "ports": [{"port": 443}]}],
            }
        )
        policies.append(
            {
                "podSelector": {},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
                        "ports": [{"port": 9090}],
                    }
                ],
            }
        )
        for i, spec in enumerate(policies):
            objects.append(
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": {"name": f"p{i}", "namespace": ns},
                    "spec": spec,
                }
            )
    return objects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    objects = platform(args.scale)
    args.out.write_text("\n---\n".join(json.dumps(o) for o in objects) + "\n")
    kinds: dict[str, int] = {}
    for o in objects:
        kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    print(json.dumps(kinds))


if __name__ == "__main__":
    main()
