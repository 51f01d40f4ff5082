package k8s.network.ingress_from_anyone_test

import data.k8s.network.ingress_from_anyone

_policy(ns, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": ns}, "spec": spec}

_violations(obj, params) := v if {
	v := ingress_from_anyone.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_rule_without_from if {
	v := _violations(_policy("ml-serving", {"podSelector": {"matchLabels": {"app": "triton"}}, "ingress": [{"ports": [{"port": 8000}]}]}), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-003"; contains(f.msg, "has no `from`")]) > 0
}

test_deny_open_cidr if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}]}]}
	count(_violations(_policy("ml", spec), {})) == 2
}

test_deny_empty_from if {
	count(_violations(_policy("ml", {"podSelector": {}, "ingress": [{"from": []}]}), {})) == 1
}

test_allow_selected_callers if {
	spec := {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}, "podSelector": {"matchLabels": {"istio": "ingressgateway"}}}]}, {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}
	count(_violations(_policy("ml", spec), {})) == 0
}

# Attribute omitted: no ingress rules at all deny every caller.
test_allow_no_ingress_rules if {
	count(_violations(_policy("ml", {"podSelector": {}, "policyTypes": ["Ingress"]}), {})) == 0
	count(_violations(_policy("ml", {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]}), {})) == 0
}

_gateway := {"edge_gateways": [{"namespace": "edge", "labels": {"app": "gateway"}}]}

test_allow_approved_edge_gateway if {
	spec := {"podSelector": {"matchLabels": {"app": "gateway", "tier": "edge"}}, "ingress": [{}]}
	count(_violations(_policy("edge", spec), _gateway)) == 0
}

test_deny_edge_namespace_but_other_pods if {
	count(_violations(_policy("edge", {"podSelector": {}, "ingress": [{}]}), _gateway)) == 1
	count(_violations(_policy("other", {"podSelector": {"matchLabels": {"app": "gateway"}}, "ingress": [{}]}), _gateway)) == 1
}

test_allow_system_namespace_unless_list_overridden if {
	count(_violations(_policy("kube-system", {"podSelector": {}, "ingress": [{}]}), {})) == 0
	count(_violations(_policy("kube-system", {"podSelector": {}, "ingress": [{}]}), {"system_namespaces": []})) == 1
}

test_allow_wrong_types_without_error if {
	count(_violations(_policy("ml", {"ingress": "all"}), {})) == 0
	count(_violations(_policy("ml", {"ingress": [null, 3, {"from": "x"}]}), {"edge_gateways": [null, {"namespace": "ml"}]})) == 1
	count(_violations({"kind": "NetworkPolicy", "spec": null}, {})) == 0
}
