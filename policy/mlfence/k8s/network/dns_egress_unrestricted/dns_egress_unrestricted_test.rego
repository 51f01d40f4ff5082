package mlfence.k8s.network.dns_egress_unrestricted_test

import data.mlfence.k8s.network.dns_egress_unrestricted

_policy(egress) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "ml-serving"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress}}

_violations(obj, params) := v if {
	v := dns_egress_unrestricted.violation with input as {"review": {"object": obj}, "parameters": params}
}

_kube_system := {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}

_dns_ports := [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]

test_deny_dns_to_public_resolver if {
	v := _violations(_policy([{"to": [{"ipBlock": {"cidr": "8.8.8.8/32"}}], "ports": _dns_ports}]), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-005"; contains(f.msg, "kube-system")]) > 0
}

# Attribute omitted: no `to` means DNS to anyone.
test_deny_dns_without_to if {
	count(_violations(_policy([{"ports": [{"port": 53, "protocol": "UDP"}]}]), {})) == 1
}

test_deny_named_port_and_range if {
	count(_violations(_policy([{"to": [{"podSelector": {}}], "ports": [{"port": "dns"}]}]), {})) == 1
	count(_violations(_policy([{"to": [{"podSelector": {}}], "ports": [{"port": 1, "endPort": 1024}]}]), {})) == 1
}

test_deny_namespace_selector_matching_every_namespace if {
	count(_violations(_policy([{"to": [{"namespaceSelector": {}}], "ports": _dns_ports}]), {})) == 1
}

test_allow_seed_allow_dns if {
	count(_violations(_policy([{"to": [_kube_system], "ports": [{"protocol": "UDP", "port": 53}]}]), {})) == 0
}

test_allow_kube_dns_pods if {
	peer := object.union(_kube_system, {"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}})
	count(_violations(_policy([{"to": [peer], "ports": _dns_ports}]), {})) == 0
	other := object.union(_kube_system, {"podSelector": {"matchLabels": {"app": "metrics"}}})
	count(_violations(_policy([{"to": [other], "ports": _dns_ports}]), {})) == 1
}

# Rules that do not name port 53 are other rules' concern.
test_allow_rules_without_dns_port if {
	count(_violations(_policy([{"to": [{"podSelector": {}}], "ports": [{"protocol": "TCP"}]}]), {})) == 0
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "8.8.8.8/32"}}]}]), {})) == 0
}

# Parameters overridden: another DNS namespace, and a node-local cache.
test_parameters_overridden if {
	params := {"cluster_dns": {"namespace": "dns", "labels": {"app": "coredns"}}, "cluster_dns_cidrs": ["169.254.20.10/32"]}
	count(_violations(_policy([{"to": [_kube_system], "ports": _dns_ports}]), params)) == 1
	peer := {"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["dns"]}]}}
	count(_violations(_policy([{"to": [peer], "ports": _dns_ports}]), params)) == 0
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "169.254.20.10/32"}}], "ports": _dns_ports}]), params)) == 0
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "169.254.20.10/32"}}], "ports": _dns_ports}]), {})) == 1
}

test_allow_policy_in_dns_namespace_with_pod_selector if {
	obj := json.patch(_policy([{"to": [{"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": _dns_ports}]), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {"system_namespaces": []})) == 0
}

test_allow_wrong_types_without_error if {
	count(_violations(_policy([{"to": "x", "ports": _dns_ports}, {"ports": "53"}, null]), {"cluster_dns": "x"})) == 1
	count(_violations(_policy("x"), {})) == 0
}
