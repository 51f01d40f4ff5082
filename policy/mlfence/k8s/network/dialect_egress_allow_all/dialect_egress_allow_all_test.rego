package mlfence.k8s.network.dialect_egress_allow_all_test

import data.mlfence.k8s.network.dialect_egress_allow_all

_calico(kind, spec) := {
	"apiVersion": "projectcalico.org/v3",
	"kind": kind,
	"metadata": object.union({"name": "open-out"}, _namespace(kind)),
	"spec": spec,
}

_namespace("NetworkPolicy") := {"namespace": "ml-training"}

_namespace("GlobalNetworkPolicy") := {}

_cilium(kind, spec) := {
	"apiVersion": "cilium.io/v2",
	"kind": kind,
	"metadata": object.union({"name": "open-out"}, _cilium_namespace(kind)),
	"spec": spec,
}

_cilium_namespace("CiliumNetworkPolicy") := {"namespace": "ml-training"}

_cilium_namespace("CiliumClusterwideNetworkPolicy") := {}

_violations(obj, params) := v if {
	v := dialect_egress_allow_all.violation with input as {"review": {"object": obj}, "parameters": params}
}

_messages(obj, params) := {f.details.text | some f in _violations(obj, params)}

_allow(destination) := {"selector": "app == 'trainer'", "types": ["Egress"], "egress": [{
	"action": "Allow", "protocol": "TCP", "destination": destination,
}]}

# --- Calico ----------------------------------------------------------------------------------------

test_deny_calico_nets_everywhere if {
	v := _violations(_calico("NetworkPolicy", _allow({"nets": ["0.0.0.0/0"], "ports": [443]})), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-063"
	f.details.resource == "ml-training/NetworkPolicy/open-out"
	f.details.text == "Calico NetworkPolicy ml-training/open-out egress rule 0 (Allow) allows nets 0.0.0.0/0, i.e. every address"
}

# Attribute omitted: an Allow rule without a destination (or with an empty one) reaches everything.
test_deny_calico_rule_without_destination if {
	spec := {"types": ["Egress"], "egress": [{"action": "Allow"}, {"action": "Allow", "destination": {}}]}
	msgs := _messages(_calico("NetworkPolicy", spec), {})
	count(msgs) == 2
	every m in msgs {
		contains(m, "has no destination selector or nets, so it allows every destination")
	}
}

test_deny_calico_global_policy_and_not_nets if {
	spec := {"egress": [{"action": "Allow", "destination": {"notNets": ["10.0.0.0/8"]}}]}
	msgs := _messages(_calico("GlobalNetworkPolicy", spec), {})
	msgs == {concat("", [
		"Calico GlobalNetworkPolicy open-out egress rule 0 (Allow) has no destination selector or nets, so it ",
		"allows every destination (its notNets 10.0.0.0/8 do not change this: the rule still reaches the rest)",
	])}
}

test_deny_calico_ipv6_and_crd_group if {
	obj := object.union(_calico("NetworkPolicy", _allow({"nets": ["::/0"]})), {"apiVersion": "crd.projectcalico.org/v1"})
	count(_violations(obj, {})) == 1
}

test_allow_calico_destination_selector if {
	# selector and nets must both match: in-cluster endpoints only
	count(_violations(_calico("NetworkPolicy", _allow({"selector": "app == 'mlflow'", "nets": ["0.0.0.0/0"]})), {})) == 0
	count(_violations(_calico("NetworkPolicy", _allow({"namespaceSelector": "all()"})), {})) == 0
	count(_violations(_calico("NetworkPolicy", _allow({"nets": ["10.20.0.0/16"], "ports": [443]})), {})) == 0
}

test_allow_calico_deny_and_pass_rules if {
	spec := {"types": ["Egress"], "egress": [{"action": "Deny"}, {"action": "Pass"}, {"action": "Log"}]}
	count(_violations(_calico("NetworkPolicy", spec), {})) == 0
}

# Calico ignores egress rules of a policy whose types leave Egress out.
test_allow_calico_ingress_only_types if {
	spec := {"types": ["Ingress"], "egress": [{"action": "Allow"}]}
	count(_violations(_calico("NetworkPolicy", spec), {})) == 0
}

# The same spec as a Kubernetes NetworkPolicy is MLF-K8S-001's, not this rule's.
test_allow_kubernetes_network_policy if {
	obj := object.union(_calico("NetworkPolicy", _allow({})), {"apiVersion": "networking.k8s.io/v1"})
	count(_violations(obj, {})) == 0
}

# Configuration overridden: blocks that together cover half of IPv4 pass the default share of the
# public space only when the threshold is lowered... and a system namespace is left out.
test_deny_calico_blocks_together_with_threshold if {
	spec := _allow({"nets": ["11.0.0.0/8", "12.0.0.0/8"]})
	count(_violations(_calico("NetworkPolicy", spec), {})) == 0
	msgs := _messages(_calico("NetworkPolicy", spec), {"open_share_threshold": 0.001})
	count(msgs) == 1
	some m in msgs
	contains(m, "allows nets 11.0.0.0/8 and 12.0.0.0/8")
}

test_deny_calico_half_the_space_by_default if {
	spec := _allow({"nets": ["0.0.0.0/1", "128.0.0.0/2"]})
	count(_violations(_calico("NetworkPolicy", spec), {})) == 1
}

test_allow_calico_in_system_namespace_unless_overridden if {
	obj := object.union(_calico("NetworkPolicy", _allow({})), {"metadata": {"name": "x", "namespace": "kube-system"}})
	count(_violations(obj, {})) == 0
	count(_violations(obj, {"system_namespaces": []})) == 1
}

test_allow_calico_wrong_types if {
	count(_violations(_calico("NetworkPolicy", {"egress": "x"}), {})) == 0
	count(_violations(_calico("NetworkPolicy", {"egress": [1, {"action": "Allow", "destination": {"nets": 7}}]}), {})) == 0
	count(_violations(_calico("NetworkPolicy", null), {})) == 0
}

# --- Cilium ----------------------------------------------------------------------------------------

_cnp(egress) := _cilium("CiliumNetworkPolicy", {"endpointSelector": {"matchLabels": {"app": "trainer"}}, "egress": egress})

test_deny_cilium_world_entity if {
	msgs := _messages(_cnp([{"toEntities": ["world"], "toPorts": [{"ports": [{"port": "443"}]}]}]), {})
	msgs == {"CiliumNetworkPolicy ml-training/open-out egress rule 0 allows toEntities world, i.e. every address outside the cluster"}
}

test_deny_cilium_all_entity_and_cidrs if {
	msgs := _messages(
		_cnp([
			{"toEntities": ["all"]},
			{"toCIDR": ["0.0.0.0/0"]},
			{"toCIDRSet": [{"cidr": "::/0", "except": ["fd00::/8"]}]},
		]),
		{},
	)
	msgs == {
		"CiliumNetworkPolicy ml-training/open-out egress rule 0 allows toEntities all, i.e. every address outside the cluster",
		"CiliumNetworkPolicy ml-training/open-out egress rule 1 allows toCIDR 0.0.0.0/0, i.e. every address",
		concat("", [
			"CiliumNetworkPolicy ml-training/open-out egress rule 2 allows toCIDRSet ::/0, i.e. every address ",
			"(its except fd00::/8 does not change this: the rule still reaches the rest)",
		]),
	}
}

# Attribute omitted: a rule with toPorts and no peer reaches every destination on those ports.
test_deny_cilium_ports_without_peer if {
	msgs := _messages(_cnp([{"toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}]}]), {})
	msgs == {"CiliumNetworkPolicy ml-training/open-out egress rule 0 has toPorts and no peer, so it allows every destination on those ports"}
}

test_deny_cilium_every_domain_and_specs if {
	obj := _cilium("CiliumClusterwideNetworkPolicy", null)
	with_specs := object.union(obj, {"specs": [
		{"endpointSelector": {}, "egress": [{"toEndpoints": [{}]}]},
		{"endpointSelector": {}, "egress": [{"toFQDNs": [{"matchPattern": "*"}]}]},
	]})
	msgs := _messages(with_specs, {})
	msgs == {"CiliumClusterwideNetworkPolicy open-out specs[1] egress rule 0 allows toFQDNs matchPattern \"*\", i.e. every domain name"}
}

test_allow_cilium_narrow_rules if {
	egress := [
		{"toEndpoints": [{"matchLabels": {"app": "mlflow"}}], "toPorts": [{"ports": [{"port": "5000"}]}]},
		{"toEntities": ["cluster", "kube-apiserver"]},
		{"toCIDR": ["10.20.0.0/16"]},
		{"toFQDNs": [{"matchName": "huggingface.co"}], "toPorts": [{"ports": [{"port": "443"}]}]},
		{},
	]
	count(_violations(_cnp(egress), {})) == 0
}

# Deny rules close traffic: egressDeny to the world is the opposite of this finding.
test_allow_cilium_egress_deny_world if {
	obj := _cilium("CiliumNetworkPolicy", {"endpointSelector": {}, "egressDeny": [{"toEntities": ["world"]}]})
	count(_violations(obj, {})) == 0
}

test_deny_cilium_blocks_together_with_threshold if {
	obj := _cnp([{"toCIDR": ["11.0.0.0/8"], "toCIDRSet": [{"cidr": "12.0.0.0/8"}]}])
	count(_violations(obj, {})) == 0
	msgs := _messages(obj, {"open_share_threshold": 0.001})
	count(msgs) == 1
	some m in msgs
	contains(m, "allows toCIDR/toCIDRSet blocks 11.0.0.0/8 and 12.0.0.0/8")
}

test_allow_cilium_wrong_types if {
	count(_violations(_cnp("world"), {})) == 0
	count(_violations(_cnp([{"toEntities": "world", "toCIDR": [1], "toFQDNs": ["*"]}]), {})) == 0
	count(_violations(object.union(_cnp([]), {"apiVersion": "cilium.io/v1"}), {})) == 0
}
