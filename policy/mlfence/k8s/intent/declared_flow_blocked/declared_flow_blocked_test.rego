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
