package mlfence.k8s.intent.declared_flow_blocked_test

import data.mlfence.k8s.intent.declared_flow_blocked

_deployment(ns, name) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c"}]}}},
}

_from(ns) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "in", "namespace": "model-registry"}, "spec": {
	"podSelector": {}, "policyTypes": ["Ingress"],
	"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}], "ports": [{"port": 5000}]}],
}}

_inventory(policy) := {"namespace": {"model-registry": {
	"apps/v1": {"Deployment": {"registry": _deployment("model-registry", "registry")}},
	"networking.k8s.io/v1": {"NetworkPolicy": {"in": policy}},
}}}

_flows(ports) := {
	"components": [{"name": "model-registry", "namespaces": ["model-registry"]}, {"name": "ci-runners", "namespaces": ["ci"]}],
	"allow": [{"from": "ci-runners", "to": "model-registry", "ports": ports}],
}

_warnings(policy, flows) := v if {
	v := declared_flow_blocked.violation with input as {"review": {"object": _deployment("ci", "runner")}, "parameters": {"flows": flows}}
		with data.inventory as _inventory(policy)
}

test_warn_declared_flow_blocked if {
	v := _warnings(_from("build"), _flows([5000]))
	count(v) == 1
	some f in v
	f.details.status == "warn"
	contains(f.msg, "ci/runner (component ci-runners) cannot reach model-registry/registry (component model-registry) on TCP 5000")
}

test_allow_declared_flow_open if count(_warnings(_from("ci"), _flows([5000]))) == 0

# Configuration overridden: a declared port the policy does not open is reported alone.
test_warn_on_the_missing_port_only if {
	v := _warnings(_from("ci"), _flows([5000, 5001]))
	count(v) == 1
	some f in v
	contains(f.msg, "on TCP 5001,")
}

# Attribute omitted: without declared flows nothing is expected.
test_allow_without_declared_flows if {
	count(declared_flow_blocked.violation) == 0 with input as {"review": {"object": _deployment("ci", "runner")}}
		with data.inventory as _inventory(_from("build"))
}

# Several destinations of the declared flow blocked: one finding for the source and the flow,
# counting them, naming each with its missing ports and its ingress isolation (in id order).
test_warn_once_per_declared_flow_for_several_destinations if {
	inventory := json.patch(_inventory(_from("build")), [{
		"op": "add", "path": "/namespace/model-registry/apps~1v1/Deployment/cache",
		"value": _deployment("model-registry", "cache"),
	}])
	v := declared_flow_blocked.violation with input as {"review": {"object": _deployment("ci", "runner")}, "parameters": {"flows": _flows([5000])}}
		with data.inventory as inventory
	[f.msg | some f in v] == [concat("", [
		"MLF-K8S-061: ci/runner (component ci-runners) cannot reach 2 workloads of component model-registry, which the declared flow ",
		"ci-runners -> model-registry allows: model-registry/cache on TCP 5000 (its ingress isolated by in); ",
		"model-registry/registry on TCP 5000 (its ingress isolated by in); ",
		"the source's egress is not isolated",
	])]
}

# Beyond three destinations the rest are counted, not named.
test_warn_names_three_destinations_and_counts_the_rest if {
	names := ["a", "b", "c", "d", "e"]
	extra := [{"op": "add", "path": sprintf("/namespace/model-registry/apps~1v1/Deployment/%s", [n]), "value": _deployment("model-registry", n)} |
		some n in names
	]
	inventory := json.patch(_inventory(_from("build")), extra)
	v := declared_flow_blocked.violation with input as {"review": {"object": _deployment("ci", "runner")}, "parameters": {"flows": _flows([5000])}}
		with data.inventory as inventory
	count(v) == 1
	some f in v
	contains(f.msg, "cannot reach 6 workloads of component model-registry")
	contains(f.msg, "model-registry/a on TCP 5000")
	contains(f.msg, "model-registry/c on TCP 5000 (its ingress isolated by in); and 3 more;")
	not contains(f.msg, "model-registry/d ")
}
