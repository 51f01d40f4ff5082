package mlfence.k8s.network.egress_allow_all_test

import data.mlfence.k8s.network.egress_allow_all

_policy(spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "np", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := egress_allow_all.violation with input as {"review": {"object": obj}, "parameters": params}
}

# The seed's "model storage" rule: 0.0.0.0/0 on 443 is still the whole internet.
test_deny_open_cidr_on_443 if {
	spec := {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
		"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
		"ports": [{"protocol": "TCP", "port": 443}],
	}]}
	v := _violations(_policy(spec), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-001"; f.details.resource == "ml-serving/NetworkPolicy/np"]) > 0
}

test_deny_ipv6_everywhere if {
	spec := {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "::/0"}}]}]}
	count(_violations(_policy(spec), {})) == 1
}

# Attribute omitted: a rule without `to` allows every destination.
test_deny_rule_without_to if {
	spec := {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": 53}]}]}
	count(_violations(_policy(spec), {})) == 1
}

test_deny_rule_with_empty_to if {
	spec := {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": []}]}
	count(_violations(_policy(spec), {})) == 1
}

test_allow_selector_and_internal_cidr if {
	spec := {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
		{"to": [{"podSelector": {"matchLabels": {"app": "feature-store"}}}]},
		{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]},
	]}
	count(_violations(_policy(spec), {})) == 0
}

# Egress rules on an Ingress-only policy never take effect.
test_allow_egress_rules_ignored_by_policy_types if {
	spec := {"podSelector": {}, "policyTypes": ["Ingress"], "egress": [{}]}
	count(_violations(_policy(spec), {})) == 0
}

test_allow_default_deny_without_egress_rules if {
	spec := {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
	count(_violations(_policy(spec), {})) == 0
}

test_allow_other_kinds if {
	obj := {"kind": "ConfigMap", "metadata": {"name": "c"}, "spec": {"egress": [{}]}}
	count(_violations(obj, {})) == 0
}

test_allow_system_namespace_by_default if {
	obj := json.patch(_policy({"egress": [{}]}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 0
}

# Configuration overridden: a custom system-namespace list replaces the default.
test_deny_when_namespace_removed_from_system_list if {
	obj := json.patch(_policy({"egress": [{}]}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {"system_namespaces": ["gatekeeper-system"]})) == 1
}

test_allow_namespace_added_to_system_list if {
	count(_violations(_policy({"egress": [{}]}), {"system_namespaces": ["ml-serving"]})) == 0
}

test_allow_wrong_types_without_error if {
	count(_violations(_policy({"egress": "everything"}), {})) == 0
	count(_violations(_policy({"egress": [{"to": "x"}, 7, null]}), {})) == 0
}

# Union evasions: blocks each narrower than everything that together reach every destination.
test_deny_halves if {
	spec := {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "128.0.0.0/1"}}, {"ipBlock": {"cidr": "0.0.0.0/1"}}], "ports": [{"port": 443}]}]}
	v := _violations(_policy(spec), {})
	count(v) == 1
	count(_violations(_policy({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "::/1"}}, {"ipBlock": {"cidr": "8000::/1"}}]}]}), {})) == 1
	some f in v
	contains(f.msg, "allows ipBlocks 0.0.0.0/1 and 128.0.0.0/1, which together cover all of the public IPv4 address space")
}

# ::/1 holds all of 2000::/3, the only global unicast IPv6 space.
test_deny_ipv6_lower_half if {
	v := _violations(_policy({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "::/1"}}]}]}), {})
	some f in v
	contains(f.msg, "ipBlock ::/1, which covers all of the public IPv6 address space")
}

test_allow_narrow_and_private_blocks if {
	spec := {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}, {"ipBlock": {"cidr": "52.216.0.0/15"}}, {"ipBlock": {"cidr": "fc00::/7"}}]}]}
	count(_violations(_policy(spec), {})) == 0
}

test_halves_threshold_overridden if {
	spec := {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "52.0.0.0/8"}}]}]}
	count(_violations(_policy(spec), {})) == 0
	count(_violations(_policy(spec), {"open_share_threshold": 0.001})) == 1
}

# Calico's NetworkPolicy shares the kind, not the schema: the Kubernetes rule does not judge it
# (the connectivity model reads it as Calico). The same spec under networking.k8s.io fails.
test_allow_calico_network_policy_of_the_same_kind if {
	spec := {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}
	calico := object.union(_policy(spec), {"apiVersion": "projectcalico.org/v3"})
	count(_violations(calico, {})) == 0
	count(_violations(_policy(spec), {})) == 1
}
