package lib.mlfence.connectivity_cilium_test

import data.lib.mlfence.connectivity

_deploy(ns, name, labels) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {
		"serviceAccountName": name,
		"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}],
	}}},
}

_cnp(ns, name, spec) := {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}

_ccnp(name, spec) := {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy", "metadata": {"name": name}, "spec": spec}

_np(ns, name, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}

_inv(objects) := {
	"namespace": object.union_n([{o.metadata.namespace: {o.apiVersion: {o.kind: {o.metadata.name: o}}}} |
		some o in objects
		o.metadata.namespace
	]),
	"cluster": object.union_n([{o.apiVersion: {o.kind: {o.metadata.name: o}}} |
		some o in objects
		not o.metadata.namespace
	]),
}

_model(objects) := m if {
	m := connectivity.model with data.inventory as _inv(objects)
}

_ports(m, src, dst) := sort([[p.protocol, p.from, p.to] | some f in m.flows; f.from == src; f.to == dst; some p in f.ports])

_by(m, src, dst) := {b | some f in m.flows; f.from == src; f.to == dst; some p in f.ports; some b in [p.egress_by, p.ingress_by]}

_registry := "model-registry/Deployment/registry"

_ci := "ci/Deployment/runner"

_trainer := "ml-training/Deployment/trainer"

_base := [
	{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ci", "labels": {"team": "platform"}}},
	_deploy("model-registry", "registry", {"app": "registry"}),
	_deploy("model-registry", "ui", {"app": "ui"}),
	_deploy("ci", "runner", {"app": "runner"}),
	_deploy("ml-training", "trainer", {"app": "trainer"}),
]

# Ingress from the CI runners only, on 8080: the k8s: source prefix, the namespace label and
# a numeric port string.
_registry_from_ci := _cnp("model-registry", "from-ci", {
	"endpointSelector": {"matchLabels": {"k8s:app": "registry"}},
	"ingress": [{
		"fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "ci", "app": "runner"}}],
		"toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}],
	}],
})

test_ingress_section_isolates_and_admits_only_the_selected_peer if {
	m := _model(_with(_registry_from_ci))
	w := m.workloads[_registry]
	w.ingress.isolated
	w.ingress.policies == ["CiliumNetworkPolicy model-registry/from-ci"]
	not w.egress.isolated
	_ports(m, _ci, _registry) == [["TCP", 8080, 8080]]
	_by(m, _ci, _registry) == {"not isolated", "CiliumNetworkPolicy model-registry/from-ci ingress rule 0"}
	_ports(m, _trainer, _registry) == []
	not m.workloads["model-registry/Deployment/ui"].ingress.isolated
}

test_flows_name_the_cilium_rule if {
	m := _model(_with(_registry_from_ci))
	some f in m.flows
	f.from == _ci
	f.to == _registry
	f.ports[0].ingress_by == "CiliumNetworkPolicy model-registry/from-ci ingress rule 0"
	f.ports[0].egress_by == "not isolated"
}

test_endpoints_without_namespace_stay_in_the_policy_namespace if {
	m := _model(_with(_cnp("model-registry", "same-ns", {
		"endpointSelector": {"matchLabels": {"app": "registry"}},
		"ingress": [{"fromEndpoints": [{}]}],
	})))
	_ports(m, "model-registry/Deployment/ui", _registry) == [["SCTP", 1, 65535], ["TCP", 1, 65535], ["UDP", 1, 65535]]
	_ports(m, _ci, _registry) == []
}

test_namespace_labels_select_across_namespaces if {
	m := _model(_with(_cnp("model-registry", "platform-team", {
		"endpointSelector": {"matchLabels": {"app": "registry"}},
		"ingress": [{"fromEndpoints": [{"matchLabels": {"io.cilium.k8s.namespace.labels.team": "platform"}}]}],
	})))
	count(_ports(m, _ci, _registry)) == 3
	_ports(m, _trainer, _registry) == []
}

test_empty_section_does_not_isolate if {
	m := _model(_with(_cnp("ml-training", "empty", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egress": [],
	})))
	not m.workloads[_trainer].egress.isolated
	_trainer in m.open_egress
}

test_empty_rule_isolates_and_admits_nothing if {
	m := _model(_with(_cnp("ml-training", "deny-all", {
		"endpointSelector": {},
		"egress": [{}],
		"ingress": [{}],
	})))
	w := m.workloads[_trainer]
	w.egress.isolated
	w.ingress.isolated
	not _trainer in m.open_egress
	[e | some e in m.external; e.workload == _trainer] == []
	_ports(m, _trainer, _registry) == []
}

test_enable_default_deny_false_leaves_the_direction_open if {
	m := _model(_with(_cnp("model-registry", "additive", {
		"endpointSelector": {"matchLabels": {"app": "registry"}},
		"enableDefaultDeny": {"ingress": false},
		"ingress": [{"fromEndpoints": [{"matchLabels": {"app": "ui"}}]}],
	})))
	not m.workloads[_registry].ingress.isolated
	_registry in m.open_ingress
}

test_enable_default_deny_true_isolates_without_rules if {
	m := _model(_with(_cnp("model-registry", "lockdown", {
		"endpointSelector": {"matchLabels": {"app": "registry"}},
		"enableDefaultDeny": {"egress": true},
	})))
	m.workloads[_registry].egress.isolated
	not m.workloads[_registry].ingress.isolated
}

test_to_entities_world_is_the_internet_with_metadata if {
	m := _model(_with(_cnp("ml-training", "world-443", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egress": [{"toEntities": ["world"], "toPorts": [{"ports": [{"port": "443"}]}]}],
	})))
	entries := [e | some e in m.external; e.workload == _trainer; e.direction == "egress"]
	{e.cidr | some e in entries} == {"0.0.0.0/0", "::/0"}

	# world is outside the cluster: no pod
	_ports(m, _trainer, _registry) == []
	some e in entries
	e.cidr == "0.0.0.0/0"
	e.class == "internet"
	e.metadata == true
	e.by == "CiliumNetworkPolicy ml-training/world-443 egress rule 0"

	# protocol omitted is ANY
	{p.protocol | some p in e.ports} == {"TCP", "UDP", "SCTP"}
}

test_to_cidr_set_with_except if {
	m := _model(_with(_cnp("ml-training", "lake", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egress": [{
			"toCIDRSet": [{"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}],
			"toCIDR": ["10.20.0.0/16"],
			"toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}],
		}],
	})))
	entries := {[e.cidr, e.except, e.metadata] | some e in m.external; e.workload == _trainer; e.direction == "egress"}
	entries == {["0.0.0.0/0", ["169.254.169.254/32"], false], ["10.20.0.0/16", [], false]}
}

test_entity_all_without_ports_is_open if {
	m := _model(_with(_cnp("ml-training", "all", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egress": [{"toEntities": ["all"]}],
	})))
	m.workloads[_trainer].egress.isolated
	m.workloads[_trainer].egress.open_rules == ["CiliumNetworkPolicy ml-training/all egress rule 0"]
	count(_ports(m, _trainer, _registry)) == 3
}

test_undecidable_peers_are_unknown if {
	m := _model(_with(_cnp("ml-training", "fqdn", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egress": [
			{"toFQDNs": [{"matchName": "huggingface.co"}], "toPorts": [{"ports": [{"port": "443"}]}]},
			{"toEntities": ["kube-apiserver"]},
			{"toServices": [{"k8sService": {"serviceName": "x", "namespace": "y"}}]},
		],
	})))
	w := m.workloads[_trainer]
	w.egress.isolated
	w.egress.unknown == [
		"CiliumNetworkPolicy ml-training/fqdn egress rule 0: toFQDNs matchName huggingface.co: its addresses are known only when the name is resolved",
		"CiliumNetworkPolicy ml-training/fqdn egress rule 1: entity kube-apiserver: a node or the control plane, not a workload or an address the manifests name",
		"CiliumNetworkPolicy ml-training/fqdn egress rule 2: toServices: decided by objects or state outside the manifests",
	]

	# never silently allowed: no address block, no pod
	[e | some e in m.external; e.workload == _trainer; e.direction == "egress"] == []
	_ports(m, _trainer, _registry) == []
	some u in m.unknown
	u.workload == _trainer
	u.direction == "egress"
}

test_undecidable_endpoint_selector_is_unknown if {
	m := _model(_with(_cnp("ml-training", "reserved", {
		"endpointSelector": {"matchLabels": {"reserved:host": ""}},
		"ingress": [{}],
	})))
	not m.workloads[_trainer].ingress.isolated
	some u in m.unknown
	u.policy == "CiliumNetworkPolicy ml-training/reserved"
	contains(u.reason, "reserved:host")
}

test_clusterwide_policy_selects_every_namespace_but_excluded if {
	m := _model(array.concat(_base, [
		_deploy("kube-system", "coredns", {"k8s-app": "kube-dns"}),
		_ccnp("default-deny", {
			"endpointSelector": {"matchExpressions": [{"key": "io.kubernetes.pod.namespace", "operator": "NotIn", "values": ["kube-system"]}]},
			"egress": [{
				"toEndpoints": [{"matchLabels": {"io.kubernetes.pod.namespace": "kube-system", "k8s-app": "kube-dns"}}],
				"toPorts": [{"ports": [{"port": "53", "protocol": "UDP"}]}],
			}],
		}),
	]))
	m.workloads[_trainer].egress.isolated
	m.workloads[_ci].egress.policies == ["CiliumClusterwideNetworkPolicy default-deny"]
	not m.workloads["kube-system/Deployment/coredns"].egress.isolated
	_ports(m, _trainer, "kube-system/Deployment/coredns") == [["UDP", 53, 53]]
	_ports(m, _trainer, _registry) == []
}

test_egress_deny_overrides_a_network_policy_allow if {
	m := _model(array.concat(_base, [
		_np("ml-training", "allow-all-egress", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]}),
		_cnp("ml-training", "no-registry", {
			"endpointSelector": {"matchLabels": {"app": "trainer"}},
			"egressDeny": [{
				"toEndpoints": [{"matchLabels": {"io.kubernetes.pod.namespace": "model-registry"}}],
				"toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}],
			}],
		}),
	]))
	tcp := [p | some p in _ports(m, _trainer, _registry); p[0] == "TCP"]
	tcp == [["TCP", 1, 8079], ["TCP", 8081, 65535]]
	some f in m.flows
	f.from == _trainer
	f.to == _registry
	some d in f.denied
	d.denied_by == "CiliumNetworkPolicy ml-training/no-registry egressDeny rule 0"
	[d.from, d.to] == [8080, 8080]
}

test_deny_only_policy_isolates_as_cilium_says if {
	# A policy with only an egressDeny section puts the endpoint in default deny for egress
	# (enableDefaultDeny defaults to true for a direction with rules, deny rules included).
	m := _model(_with(_cnp("ml-training", "deny-only", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egressDeny": [{"toEntities": ["world"]}],
	})))
	m.workloads[_trainer].egress.isolated
	_ports(m, _trainer, _registry) == []
}

test_deny_with_default_deny_disabled_subtracts_from_open if {
	m := _model(_with(_cnp("ml-training", "no-metadata", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"enableDefaultDeny": {"egress": false},
		"egressDeny": [{"toCIDR": ["169.254.169.254/32"]}],
	})))
	w := m.workloads[_trainer]
	not w.egress.isolated
	not _trainer in m.open_egress
	count(_ports(m, _trainer, _registry)) == 3
	some e in m.external
	e.workload == _trainer
	e.cidr == "0.0.0.0/0"
	e.except == ["169.254.169.254/32"]
	e.metadata == false
}

test_l7_rules_let_some_requests_through if {
	m := _model(_with(_cnp("model-registry", "http", {
		"endpointSelector": {"matchLabels": {"app": "registry"}},
		"ingress": [{
			"fromEndpoints": [{"matchLabels": {"io.kubernetes.pod.namespace": "ci"}}],
			"toPorts": [{"ports": [{"port": "http", "protocol": "TCP"}], "rules": {"http": [{"method": "GET"}]}}],
		}],
	})))
	_ports(m, _ci, _registry) == [["TCP", 8080, 8080]]
	"CiliumNetworkPolicy model-registry/http ingress rule 0 (L7 rules: some requests only)" in _by(m, _ci, _registry)
}

test_specs_list_each_rule_named if {
	m := _model(_with({
		"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
		"metadata": {"name": "two", "namespace": "model-registry"},
		"specs": [
			{"endpointSelector": {"matchLabels": {"app": "registry"}}, "ingress": [{}]},
			{"endpointSelector": {"matchLabels": {"app": "ui"}}, "egress": [{}]},
		],
	}))
	m.workloads[_registry].ingress.policies == ["CiliumNetworkPolicy model-registry/two specs[0]"]
	m.workloads["model-registry/Deployment/ui"].egress.policies == ["CiliumNetworkPolicy model-registry/two specs[1]"]
}

test_object_text if {
	connectivity.object_text("ns/p rule 0") == "NetworkPolicy ns/p rule 0"
	connectivity.object_text("CiliumNetworkPolicy ns/p egress rule 0") == "CiliumNetworkPolicy ns/p egress rule 0"

	# every dialect's kind as the first word; a kind's name without its space, or later in the
	# reference, is a core policy's name
	every kind in connectivity.dialect_kinds {
		connectivity.object_text(concat(" ", [kind, "ns/p rule 0"])) == concat(" ", [kind, "ns/p rule 0"])
	}
	connectivity.object_text("Calico NetworkPolicy ns/p ingress rule 1") == "Calico NetworkPolicy ns/p ingress rule 1"
	connectivity.object_text("CalicoX/p rule 0") == "NetworkPolicy CalicoX/p rule 0"
	connectivity.object_text("ns/Calico rule 0") == "NetworkPolicy ns/Calico rule 0"
	connectivity.object_text("") == "NetworkPolicy "

	# a reference that is no string (none the model builds) is formatted, not dropped
	connectivity.object_text(5) == sprintf("NetworkPolicy %s", [5])
}

_with(policy) := array.concat(_base, [policy])

# Wrong types where Cilium wants strings: a matchExpressions key that is an object makes the
# selector undecidable (startswith raised an error on it), a numeric protocol names no port (upper
# did). Neither may drop the rest of the policy.
test_wrong_typed_selector_key_and_protocol if {
	m := _model(_with(_cnp("ml-training", "odd", {
		"endpointSelector": {"matchExpressions": [{"key": {}, "operator": "Exists"}]},
		"ingress": [{}],
	})))
	not m.workloads[_trainer].ingress.isolated

	n := _model(_with(_cnp("model-registry", "proto", {
		"endpointSelector": {"matchLabels": {"app": "registry"}},
		"ingress": [{"toPorts": [
			{"ports": [{"port": "8080", "protocol": 6}]},
			{"ports": [{"port": "9090", "protocol": "TCP"}]},
		]}],
	})))
	n.workloads[_registry].ingress.isolated
	_ports(n, _ci, _registry) == [["TCP", 9090, 9090]]
	some u in m.unknown
	u.policy == "CiliumNetworkPolicy ml-training/odd"
	startswith(u.reason, "endpointSelector key")
}

# A CIDR that is not one (toCIDR "x") holds nothing and is held by nothing: it reaches no metadata
# endpoint, and a deny of "y" carves nothing out of the real block (net.cidr_contains raised
# errors on both).
test_invalid_cidrs_hold_nothing if {
	m := _model(_with(_cnp("ml-training", "cidrs", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egress": [{"toCIDR": ["x", "169.254.169.254/32"]}],
		"egressDeny": [{"toCIDR": ["y"]}, {"toCIDRSet": [{"cidr": "169.254.0.0/16", "except": ["z"]}]}],
	})))
	blocks := {[e.cidr, e.class, e.metadata, count(e.denied)] |
		some e in m.external
		e.workload == _trainer
		e.direction == "egress"
	}

	# the invalid exception "z" spares nothing: the /16 deny still covers the metadata endpoint
	blocks == {["x", "invalid", false, 0], ["169.254.169.254/32", "link_local", true, 1]}
}

# A toCIDRSet entry that names a CiliumCIDRGroup (no cidr) is decided outside the manifests.
test_cidr_group_ref_is_unknown if {
	m := _model(_with(_cnp("ml-training", "group", {
		"endpointSelector": {"matchLabels": {"app": "trainer"}},
		"egress": [{"toCIDRSet": [{"cidrGroupRef": "partners"}]}],
	})))
	m.workloads[_trainer].egress.unknown == [
		"CiliumNetworkPolicy ml-training/group egress rule 0: cidrGroupRef partners: a CiliumCIDRGroup outside the model",
	]
	[e | some e in m.external; e.workload == _trainer; e.direction == "egress"] == []
}
