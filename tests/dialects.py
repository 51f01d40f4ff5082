"""A small platform written in the policy dialects the connectivity model reads besides
NetworkPolicy (Cilium, AdminNetworkPolicy and its successors, Calico) and an Istio Gateway with
the Service and Ingress publishing it. Every field some rule of those dialects reads is set, and
every policy selects the workload, so a wrong type anywhere reaches the code that reads it.
tests/test_robustness.py swaps fields of these objects for wrong-typed values."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

WORKLOAD: Obj = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "srv", "namespace": "ml", "labels": {"app": "model-server"}},
    "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 8080, "name": "http"}]}]},
}
NAMESPACE: Obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml", "labels": {"team": "ml"}}}

_SELECTOR = {
    "matchLabels": {"app": "model-server"},
    "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}],
}
CILIUM: Obj = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumNetworkPolicy",
    "metadata": {"name": "c", "namespace": "ml"},
    "spec": {
        "endpointSelector": _SELECTOR,
        "enableDefaultDeny": {"ingress": True, "egress": False},
        "ingress": [
            {
                "fromEndpoints": [{"matchLabels": {"k8s:app": "x", "io.kubernetes.pod.namespace": "ml"}}],
                "toPorts": [
                    {
                        "ports": [{"port": "8080", "endPort": 8090, "protocol": "TCP"}],
                        "rules": {"http": [{"method": "GET"}]},
                    }
                ],
            }
        ],
        "egress": [
            {
                "toCIDRSet": [{"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}, {"cidrGroupRef": "g"}],
                "toCIDR": ["1.2.3.4/32"],
                "toFQDNs": [{"matchName": "a.b"}, {"matchPattern": "*.b"}],
                "toEntities": ["world"],
                "toPorts": [{"ports": [{"port": "443"}]}],
            }
        ],
        "ingressDeny": [{"fromEntities": ["all"]}],
        "egressDeny": [{"toEndpoints": [{}], "toPorts": [{"ports": [{"port": "53", "protocol": "UDP"}]}]}],
    },
}
CILIUM_SPECS: Obj = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumNetworkPolicy",
    "metadata": {"name": "s", "namespace": "ml"},
    "specs": [
        {"endpointSelector": {}, "egress": [{"toEndpoints": [{"matchLabels": {"any:app": "db"}}]}]},
        {"endpointSelector": {"matchLabels": {"app": "model-server"}}, "ingress": [{}]},
    ],
}
CILIUM_CLUSTERWIDE: Obj = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumClusterwideNetworkPolicy",
    "metadata": {"name": "cc"},
    "spec": {
        "endpointSelector": {"matchLabels": {"io.cilium.k8s.namespace.labels.team": "ml"}},
        "egress": [{"toEntities": ["cluster"]}],
        "egressDeny": [{"toCIDR": ["169.254.169.254/32"]}],
    },
}
_ANP_PEERS = [
    {"namespaces": {"matchLabels": {"team": "ml"}}},
    {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}}},
    {"networks": ["10.0.0.0/8"]},
]
ADMIN: Obj = {
    "apiVersion": "policy.networking.k8s.io/v1alpha1",
    "kind": "AdminNetworkPolicy",
    "metadata": {"name": "a"},
    "spec": {
        "priority": 10,
        "subject": {"pods": {"namespaceSelector": {"matchLabels": {"team": "ml"}}, "podSelector": {}}},
        "ingress": [
            {
                "name": "in",
                "action": "Allow",
                "from": _ANP_PEERS[:2],
                "ports": [
                    {"portNumber": {"protocol": "TCP", "port": 8080}},
                    {"portRange": {"protocol": "UDP", "start": 1, "end": 9}},
                    {"namedPort": "http"},
                ],
            }
        ],
        "egress": [
            {"name": "out", "action": "Deny", "to": [*_ANP_PEERS, {"nodes": {}}]},
            {"action": "Pass", "to": [{"networks": ["0.0.0.0/0"]}]},
        ],
    },
}
BASELINE: Obj = {
    "apiVersion": "policy.networking.k8s.io/v1alpha1",
    "kind": "BaselineAdminNetworkPolicy",
    "metadata": {"name": "default"},
    "spec": {
        "subject": {"namespaces": {}},
        "ingress": [{"action": "Deny", "from": [{"namespaces": {}}, {"pods": {"podSelector": {}}}]}],
        "egress": [{"action": "Allow", "to": [{"pods": {"podSelector": {}}}]}],
    },
}
CLUSTER_NETWORK_POLICY: Obj = {
    "apiVersion": "policy.networking.k8s.io/v1alpha2",
    "kind": "ClusterNetworkPolicy",
    "metadata": {"name": "cnp"},
    "spec": {
        "tier": "Admin",
        "priority": 5,
        "subject": {"namespaces": {"matchLabels": {"team": "ml"}}},
        "egress": [
            {
                "action": "Accept",
                "to": [{"networks": ["10.0.0.0/8"]}],
                "protocols": [
                    {"tcp": {"destinationPort": {"number": 443}}},
                    {"udp": {"destinationPort": {"range": {"start": 1, "end": 5}}}},
                    {"destinationNamedPort": "dns"},
                ],
            }
        ],
    },
}
CALICO: Obj = {
    "apiVersion": "projectcalico.org/v3",
    "kind": "NetworkPolicy",
    "metadata": {"name": "k", "namespace": "ml"},
    "spec": {
        "tier": "default",
        "order": 10,
        "selector": "app == 'model-server'",
        "types": ["Ingress", "Egress"],
        "ingress": [
            {
                "action": "Allow",
                "protocol": "TCP",
                "source": {
                    "selector": "app == 'x' && has(tier)",
                    "namespaceSelector": "team in {'ml'}",
                    "nets": ["10.0.0.0/8"],
                    "notNets": ["10.1.0.0/16"],
                },
                "destination": {"selector": "all()", "ports": [80, "8000:8080", "http"], "notPorts": [1]},
            }
        ],
        "egress": [
            {"action": "Deny", "destination": {"nets": ["0.0.0.0/0"], "ports": ["443"]}},
            {"action": "Pass"},
        ],
    },
}
CALICO_GLOBAL: Obj = {
    "apiVersion": "crd.projectcalico.org/v1",
    "kind": "GlobalNetworkPolicy",
    "metadata": {"name": "g"},
    "spec": {
        "namespaceSelector": "team != 'x'",
        "selector": "!has(skip)",
        "serviceAccountSelector": "all()",
        "egress": [
            {
                "action": "Allow",
                "destination": {"selector": "app in {'a', 'b'}", "namespaceSelector": "global()"},
                "http": {},
            }
        ],
    },
}
GATEWAY: Obj = {
    "apiVersion": "networking.istio.io/v1beta1",
    "kind": "Gateway",
    "metadata": {"name": "gw", "namespace": "istio-system"},
    "spec": {
        "selector": {"istio": "ingressgateway"},
        "servers": [
            {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]},
            {"port": {"number": 443, "protocol": "HTTPS"}, "hosts": ["ml/a.example.com"], "tls": {"mode": "SIMPLE"}},
        ],
    },
}
GATEWAY_SERVICE: Obj = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
    "spec": {
        "type": "LoadBalancer",
        "selector": {"istio": "ingressgateway"},
        "externalIPs": ["1.2.3.4"],
        "ports": [{"port": 80, "targetPort": 8080, "name": "http"}, {"port": 443, "targetPort": "https"}],
    },
}
GATEWAY_INGRESS: Obj = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {"name": "in", "namespace": "istio-system"},
    "spec": {
        "defaultBackend": {"service": {"name": "istio-ingressgateway"}},
        "rules": [{"http": {"paths": [{"backend": {"serviceName": "istio-ingressgateway"}}]}}],
    },
}

# The objects whose fields the property test mutates; WORKLOAD and NAMESPACE stay as they are, so
# that the policies have a pod to select (the exhaustive test mutates those too).
POLICIES: list[Obj] = [
    CILIUM,
    CILIUM_SPECS,
    CILIUM_CLUSTERWIDE,
    ADMIN,
    BASELINE,
    CLUSTER_NETWORK_POLICY,
    CALICO,
    CALICO_GLOBAL,
    GATEWAY,
    GATEWAY_SERVICE,
    GATEWAY_INGRESS,
]
PLATFORM: list[Obj] = [WORKLOAD, NAMESPACE, *POLICIES]
