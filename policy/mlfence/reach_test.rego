package mlfence_test

import data.lib.mlfence.connectivity
import data.lib.mlfence.intent
import data.mlfence

# mlfence reach's undeclared flows are intent.undeclared_pairs over every workload, asked only of
# the pairs with an open connection (_undeclared_connected): the same set, on a platform holding
# both kinds of connected pairs, those the model's flows list (a side's policies decide) and those
# between unisolated workloads (open_egress x open_ingress), beside pairs that do not connect.
test_undeclared_flows_are_those_of_every_pair if {
	params := object.union(mlfence.params, {"flows": {
		"components": [
			{"name": "comp-a", "namespaces": ["a"]},
			{"name": "comp-b", "namespaces": ["b"]},
			{"name": "comp-c", "namespaces": ["c"]},
		],
		"allow": [{"from": "comp-a", "to": "comp-b", "ports": [8080]}],
	}})
	objects := [
		_reach_deploy("a", "x"), _reach_deploy("a", "z"), _reach_deploy("b", "y"), _reach_deploy("c", "w"),
		_reach_deploy("d", "q"),
		_reach_policy("b", "deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
		_reach_policy("b", "from-a-and-c", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [
			{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "a"}}}], "ports": [{"port": 8080}, {"port": 9090}]},
			{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "c"}}}], "ports": [{"port": 5000}]},
		]}),
		_reach_policy("c", "deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
		_reach_policy("c", "to-b", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
			{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "b"}}}]},
		]}),
	]
	inventory := {"namespace": {ns: {"apps/v1": {"Deployment": {o.metadata.name: o | some o in objects; o.metadata.namespace == ns; o.kind == "Deployment"}}, "networking.k8s.io/v1": {"NetworkPolicy": {o.metadata.name: o | some o in objects; o.metadata.namespace == ns; o.kind == "NetworkPolicy"}}} | some ns in {"a", "b", "c", "d"}}}
	[connected, every_pair] := _connected_and_every_pair with data.inventory as inventory with input.parameters as params
	connected == every_pair
	pairs := {[f.src.id, f.dst.id]: {[p.protocol, p.from, p.to] | some p in f.pieces} | some f in connected}

	# Through the model's flows: a -> b beyond the declared 8080, c -> b undeclared.
	pairs[["a/Deployment/x", "b/Deployment/y"]] == {["TCP", 9090, 9090]}
	pairs[["c/Deployment/w", "b/Deployment/y"]] == {["TCP", 5000, 5000]}

	# Between unisolated workloads: a and d open both ways, on every port.
	count(pairs[["a/Deployment/x", "d/Deployment/q"]]) == 3
	count(pairs[["d/Deployment/q", "a/Deployment/z"]]) == 3

	# Not connected (c admits no ingress, b no egress) or declared (within comp-a): not there.
	not pairs[["a/Deployment/x", "c/Deployment/w"]]
	not pairs[["b/Deployment/y", "a/Deployment/x"]]
	not pairs[["a/Deployment/x", "a/Deployment/z"]]
}

# Both answers under one `with` (which starts an empty cache), so the model under them is
# computed once.
_connected_and_every_pair := [mlfence._undeclared_connected, intent.undeclared_pairs(object.keys(connectivity.workloads))]

_reach_deploy(ns, name) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
}

_reach_policy(ns, name, spec) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns},
	"spec": spec,
}
