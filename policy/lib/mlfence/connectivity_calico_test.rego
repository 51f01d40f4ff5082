package lib.mlfence.connectivity_calico_test

import data.lib.mlfence.connectivity

_deploy(ns, name, labels) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {
		"serviceAccountName": name,
		"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}],
	}}},
}

_cnp(ns, name, spec) := {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}

_gnp(name, spec) := {"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkPolicy", "metadata": {"name": name}, "spec": spec}

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

_registry := "model-registry/Deployment/registry"

_ci := "ci/Deployment/runner"

_trainer := "ml-training/Deployment/trainer"

_base := [
	{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ci", "labels": {"team": "platform"}}},
	_deploy("model-registry", "registry", {"app": "registry", "tier": "backend"}),
	_deploy("ci", "runner", {"app": "runner"}),
	_deploy("ml-training", "trainer", {"app": "trainer"}),
]

_with(objects) := array.concat(_base, objects)

test_selector_expressions if {
	labels := {"app": "registry", "tier": "backend"}
	connectivity.calico_matches("app == 'registry'", labels)
	connectivity.calico_matches("app == \"registry\" && has(tier)", labels)
	connectivity.calico_matches("app != 'x'", labels)
	connectivity.calico_matches("missing != 'x'", labels)
	connectivity.calico_matches("!has(missing)", labels)
	connectivity.calico_matches("tier in {'backend', 'db'}", labels)
	connectivity.calico_matches("tier not in {'db'}", labels)
	connectivity.calico_matches("app == 'x' || tier == 'backend'", labels)
	connectivity.calico_matches("all()", labels)
	not connectivity.calico_matches("app == 'x'", labels)
	not connectivity.calico_matches("has(missing)", labels)
	not connectivity.calico_matches("tier in {'db'}", labels)
	not connectivity.calico_matches("app == 'registry' && !has(tier)", labels)

	# unreadable: matches nothing
	not connectivity.calico_readable("(app == 'registry')")
	not connectivity.calico_matches("app contains 'reg'", labels)
	not connectivity.calico_matches("(app == 'registry')", labels)
}

# Order decides: a Deny at order 100 wins over an Allow at order 200.
test_order_and_first_match if {
	deny_training := _cnp("model-registry", "deny-training", {
		"order": 100, "selector": "app == 'registry'", "types": ["Ingress"],
		"ingress": [{"action": "Deny", "source": {"namespaceSelector": "projectcalico.org/name == 'ml-training'"}}],
	})
	allow_all := _cnp("model-registry", "allow-all", {
		"order": 200, "selector": "all()", "types": ["Ingress"],
		"ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [5000, "8000:8001"]}}],
	})
	m := _model(_with([deny_training, allow_all]))
	_ports(m, _ci, _registry) == [["TCP", 5000, 5000], ["TCP", 8000, 8001]]
	_ports(m, _trainer, _registry) == []
	m.workloads[_registry].ingress.isolated
	m.workloads[_registry].ingress.policies == ["Calico NetworkPolicy model-registry/allow-all", "Calico NetworkPolicy model-registry/deny-training"]
	some f in m.flows
	f.from == _trainer
	f.to == _registry
	{d.denied_by | some d in f.denied} == {"Calico NetworkPolicy model-registry/deny-training ingress rule 0 (Deny)"}
}

# Selected but no rule matches: denied (end of tier).
test_selected_without_matching_rule_is_denied if {
	only_ci := _cnp("model-registry", "only-ci", {
		"selector": "app == 'registry'",
		"ingress": [{"action": "Allow", "source": {"namespaceSelector": "team == 'platform'", "selector": "app == 'runner'"}}],
	})
	m := _model(_with([only_ci]))
	count(_ports(m, _ci, _registry)) == 3
	_ports(m, _trainer, _registry) == []

	# types default to Ingress only without egress rules
	not m.workloads[_registry].egress.isolated
}

# Kubernetes NetworkPolicies sit at order 1000: a Calico Deny before them wins, one after does not.
test_kubernetes_policies_at_order_1000 if {
	allow_np := _np("model-registry", "allow-all", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})
	deny := {"selector": "all()", "types": ["Ingress"], "ingress": [{"action": "Deny", "source": {"selector": "app == 'trainer'", "namespaceSelector": "all()"}}]}
	before := _model(_with([allow_np, _cnp("model-registry", "deny", object.union(deny, {"order": 10}))]))
	_ports(before, _trainer, _registry) == []
	after := _model(_with([allow_np, _cnp("model-registry", "deny", object.union(deny, {"order": 2000}))]))
	count(_ports(after, _trainer, _registry)) == 3
}

# Pass leaves the default tier: with no later tier the profile allows.
test_pass_is_allowed_by_the_profile if {
	pass := _gnp("pass-platform", {
		"order": 1, "selector": "app == 'registry'", "types": ["Ingress"],
		"ingress": [
			{"action": "Pass", "source": {"namespaceSelector": "team == 'platform'"}},
			{"action": "Deny"},
		],
	})
	m := _model(_with([pass]))
	count(_ports(m, _ci, _registry)) == 3
	_ports(m, _trainer, _registry) == []
}

test_global_policy_namespace_selector_and_nets if {
	egress := _gnp("training-egress", {
		"namespaceSelector": "projectcalico.org/name == 'ml-training'",
		"selector": "all()",
		"types": ["Egress"],
		"egress": [
			{"action": "Allow", "protocol": "TCP", "destination": {"nets": ["10.20.0.0/16"], "ports": [443]}},
			{"action": "Deny", "destination": {"nets": ["0.0.0.0/0"]}},
		],
	})
	m := _model(_with([egress]))
	m.workloads[_trainer].egress.isolated
	not m.workloads[_ci].egress.isolated
	entries := {[e.cidr, e.by] | some e in m.external; e.workload == _trainer; e.direction == "egress"}
	entries == {["10.20.0.0/16", "Calico GlobalNetworkPolicy training-egress egress rule 0 (Allow)"]}
	_ports(m, _trainer, _registry) == []
}

test_unknown_constructs if {
	p := _cnp("model-registry", "odd", {
		"selector": "app == 'registry'",
		"ingress": [
			{"action": "Allow", "source": {"serviceAccounts": {"names": ["ci"]}}},
			{"action": "Allow", "source": {"selector": "(app == 'runner')"}},
		],
	})
	other_tier := _gnp("security", {"tier": "security", "selector": "all()", "ingress": [{"action": "Deny"}]})
	m := _model(_with([p, other_tier]))
	{u.reason | some u in m.unknown; u.workload == _registry} == {
		"source.serviceAccounts: not decided by the model",
		"selector \"(app == 'runner')\": syntax the model does not read",
	}
	some u in m.unknown
	u.policy == "Calico GlobalNetworkPolicy security"
	contains(u.reason, "only the default tier")
}

test_calico_isolating_for_the_default_deny_rule if {
	w := {"namespace": "model-registry", "labels": {"app": "registry"}, "namespace_known": true}
	p := _cnp("model-registry", "lock", {"selector": "has(app)", "types": ["Ingress", "Egress"]})
	connectivity.calico_isolating(w, "Egress") == {"Calico NetworkPolicy model-registry/lock"} with data.inventory as _inv([p])
	connectivity.calico_isolating(w, "Egress") == set() with data.inventory as _inv([_cnp("other", "lock", {"selector": "has(app)", "types": ["Egress"]})])
}

# A selector that is not a string is unreadable (regex.replace raised an error on it) and
# selects nothing; a port that is a list names no port (regex.match raised one).
test_wrong_typed_selector_and_port if {
	odd := _cnp("model-registry", "odd", {"selector": 5, "types": ["Ingress"], "ingress": [{"action": "Deny"}]})
	ports := _cnp("model-registry", "ports", {
		"selector": "app == 'registry'",
		"ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [["80"], 8080]}}],
	})
	m := _model(_with([odd, ports]))
	_ports(m, _ci, _registry) == [["TCP", 8080, 8080]]
	some u in m.unknown
	u.policy == "Calico NetworkPolicy model-registry/odd"
	contains(u.reason, "syntax the model does not read")
}
