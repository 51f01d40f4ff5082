package lib.mlfence.connectivity_anp_test

import data.lib.mlfence.connectivity

_deploy(ns, name, labels) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {
		"serviceAccountName": name,
		"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}],
	}}},
}

_anp(name, priority, spec) := {
	"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
	"metadata": {"name": name}, "spec": object.union({"priority": priority}, spec),
}

_banp(spec) := {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "BaselineAdminNetworkPolicy", "metadata": {"name": "default"}, "spec": spec}

_cnp(name, tier, priority, spec) := {
	"apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
	"metadata": {"name": name}, "spec": object.union({"tier": tier, "priority": priority}, spec),
}

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

_by(m, src, dst) := {p.ingress_by | some f in m.flows; f.from == src; f.to == dst; some p in f.ports}

_denied_by(m, src, dst) := {d.denied_by | some f in m.flows; f.from == src; f.to == dst; some d in f.denied}

_registry := "model-registry/Deployment/registry"

_ci := "ci/Deployment/runner"

_trainer := "ml-training/Deployment/trainer"

_base := [
	{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "model-registry", "labels": {"tier": "restricted"}}},
	_deploy("model-registry", "registry", {"app": "registry"}),
	_deploy("ci", "runner", {"app": "runner"}),
	_deploy("ml-training", "trainer", {"app": "trainer"}),
]

_with(objects) := array.concat(_base, objects)

_all_tcp := [["TCP", 1, 65535]]

_restricted := {"namespaces": {"matchLabels": {"tier": "restricted"}}}

# Admin tier: allow CI on 5000, deny everyone else; the rules decide in the order written.
_registry_guard := _anp("registry-guard", 10, {
	"subject": _restricted,
	"ingress": [
		{"name": "ci", "action": "Allow", "from": [{"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "ci"}}}], "ports": [{"portNumber": {"protocol": "TCP", "port": 5000}}]},
		{"name": "rest", "action": "Deny", "from": [{"namespaces": {}}]},
	],
})

test_admin_allow_then_deny_in_order if {
	m := _model(_with([_registry_guard]))
	_ports(m, _ci, _registry) == [["TCP", 5000, 5000]]
	_by(m, _ci, _registry) == {"AdminNetworkPolicy registry-guard ingress rule 0 \"ci\" (Allow)"}
	_ports(m, _trainer, _registry) == []
	_denied_by(m, _trainer, _registry) == {"AdminNetworkPolicy registry-guard ingress rule 1 \"rest\" (Deny)"}
}

test_admin_deny_everything_isolates if {
	m := _model(_with([_registry_guard]))
	w := m.workloads[_registry]
	w.ingress.isolated
	not w.ingress.np_isolated
	w.ingress.policies == ["AdminNetworkPolicy registry-guard"]
	not _registry in m.open_ingress
	not m.workloads[_ci].ingress.isolated
}

# The Admin tier wins over a NetworkPolicy that allows everything.
test_admin_deny_overrides_network_policy if {
	open := _np("model-registry", "allow-all", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})
	m := _model(_with([_registry_guard, open]))
	_ports(m, _trainer, _registry) == []
	_ports(m, _ci, _registry) == [["TCP", 5000, 5000]]
}

# Pass hands the traffic to the NetworkPolicy tier, which decides for the pods it isolates.
test_pass_delegates_to_network_policy if {
	delegate := _anp("delegate", 5, {
		"subject": _restricted,
		"ingress": [{"action": "Pass", "from": [{"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "ml-training"}}}]}],
	})
	from_training := _np("model-registry", "from-training", {
		"podSelector": {}, "policyTypes": ["Ingress"],
		"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ml-training"}}}], "ports": [{"port": "http"}]}],
	})

	# without the NetworkPolicy, the Pass falls to the default: allowed; the other rules still deny
	m1 := _model(_with([delegate, _registry_guard]))
	count(_ports(m1, _trainer, _registry)) == 3

	m2 := _model(_with([delegate, _registry_guard, from_training]))
	_ports(m2, _trainer, _registry) == [["TCP", 8080, 8080]]
	_by(m2, _trainer, _registry) == {"model-registry/from-training rule 0"}
}

# Baseline tier: only for pods no NetworkPolicy isolates.
test_baseline_applies_only_without_network_policy if {
	baseline := _banp({
		"subject": {"namespaces": {}},
		"ingress": [{"action": "Deny", "from": [{"namespaces": {}}]}],
	})
	m1 := _model(_with([baseline]))
	_ports(m1, _ci, _registry) == []
	m1.workloads[_registry].ingress.isolated
	m1.workloads[_registry].ingress.policies == ["BaselineAdminNetworkPolicy default"]

	from_ci := _np("model-registry", "from-ci", {
		"podSelector": {}, "policyTypes": ["Ingress"],
		"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ci"}}}]}],
	})
	m2 := _model(_with([baseline, from_ci]))
	count(_ports(m2, _ci, _registry)) == 3
	_ports(m2, _trainer, _registry) == []
}

# The ClusterNetworkPolicy successor: tiers, Accept, protocols and destinationPort ranges.
test_cluster_network_policy if {
	admin := _cnp("egress-guard", "Admin", 1, {
		"subject": {"pods": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ml-training"}}, "podSelector": {}}},
		"egress": [
			{"action": "Accept", "to": [{"pods": {"namespaceSelector": {"matchLabels": {"tier": "restricted"}}, "podSelector": {}}}], "protocols": [{"tcp": {"destinationPort": {"range": {"start": 5000, "end": 5001}}}}]},
			{"action": "Deny", "to": [{"networks": ["0.0.0.0/0", "::/0"]}]},
		],
	})
	m := _model(_with([admin]))
	_ports(m, _trainer, _registry) == [["TCP", 5000, 5001]]
	m.workloads[_trainer].egress.isolated
	_ports(m, _trainer, _ci) == []

	# the networks rule denies the internet too
	[e | some e in m.external; e.workload == _trainer; e.direction == "egress"] == []
}

test_network_allow_before_deny if {
	admin := _anp("lake-only", 1, {
		"subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "ml-training"}}},
		"egress": [
			{"action": "Allow", "to": [{"networks": ["52.216.0.0/15"]}], "ports": [{"portNumber": {"protocol": "TCP", "port": 443}}]},
			{"action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]},
		],
	})
	m := _model(_with([admin]))
	entries := {[e.cidr, e.by] | some e in m.external; e.workload == _trainer; e.direction == "egress"}
	entries == {["52.216.0.0/15", "AdminNetworkPolicy lake-only egress rule 0 (Allow)"], ["::/0", "not isolated"]}
}

test_unknown_peers if {
	admin := _anp("nodes", 1, {
		"subject": {"namespaces": {}},
		"egress": [
			{"action": "Allow", "to": [{"nodes": {"matchLabels": {"role": "control-plane"}}}]},
			{"action": "Allow", "to": [{"networks": ["10.0.0.0/8"]}]},
			{"action": "Deny", "to": [{"namespaces": {"sameLabels": ["tenant"]}}]},
		],
	})
	m := _model(_with([admin]))
	reasons := {u.reason | some u in m.unknown; u.workload == _trainer}
	reasons == {
		"nodes peer: a node or the control plane, not a workload or an address the manifests name",
		"networks 10.0.0.0/8: may hold pod addresses the manifests do not tell",
		"namespaces selector with fields the model does not know",
	}

	# the unreadable selector selects nothing: no flow is denied by it
	count(_ports(m, _trainer, _ci)) == 3
}

test_anp_isolating_for_the_default_deny_rule if {
	w := {"namespace": "model-registry", "labels": {"app": "registry"}, "namespace_known": true}
	connectivity.anp_isolating(w, "Ingress") == {"AdminNetworkPolicy registry-guard"} with data.inventory as _inv(_with([_registry_guard]))
	connectivity.anp_isolating(w, "Egress") == set() with data.inventory as _inv(_with([_registry_guard]))
}

# A Pass on every port carves its network out of a later Deny: the NetworkPolicy tier decides
# there (here: no NetworkPolicy, open), nowhere else.
test_network_pass_carves_the_deny if {
	admin := _cnp("mirror-only", "Admin", 1, {
		"subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "ml-training"}}},
		"egress": [
			{"action": "Pass", "to": [{"networks": ["10.20.0.0/16"]}]},
			{"action": "Deny", "to": [{"networks": ["0.0.0.0/0", "::/0"]}]},
		],
	})
	m := _model(_with([admin]))
	entries := {[e.cidr, e.by, e.denied] | some e in m.external; e.workload == _trainer; e.direction == "egress"}
	entries == {["10.20.0.0/16", "not isolated", []]}
}

# A `pods` peer that is not an object (null, a number) is unreadable: reported, matching no pod
# and isolating nothing (object.get raised an error on it).
test_wrong_typed_pods_peer if {
	admin := _anp("odd", 1, {
		"subject": {"namespaces": {}},
		"ingress": [
			{"action": "Deny", "from": [{"pods": null}]},
			{"action": "Deny", "from": [{"pods": 5}]},
		],
	})
	m := _model(_with([admin]))
	{u.reason | some u in m.unknown; u.workload == _registry} == {"pods selector with fields the model does not know"}
	w := {"namespace": "model-registry", "labels": {"app": "registry"}, "namespace_known": true}
	connectivity.anp_isolating(w, "Ingress") == set() with data.inventory as _inv(_with([admin]))
	_denied_by(m, _ci, _registry) == set()
}
