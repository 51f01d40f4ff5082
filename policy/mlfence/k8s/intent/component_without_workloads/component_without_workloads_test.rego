package mlfence.k8s.intent.component_without_workloads_test

import data.mlfence.k8s.intent.component_without_workloads

_namespace := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "model-registry"}}

_registry(labels) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "registry", "namespace": "model-registry"},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}},
}

_inventory(labels) := {"namespace": {"model-registry": {"apps/v1": {"Deployment": {"registry": _registry(labels)}}}}}

_flows(component) := {"components": [component]}

_warnings(component, labels) := v if {
	v := component_without_workloads.violation with input as {"review": {"object": _namespace}, "parameters": {"flows": _flows(component)}}
		with data.inventory as _inventory(labels)
}

_selective := {"name": "model-registry", "namespaces": ["model-registry"], "pods": {"matchLabels": {"app": "model-registry"}}}

test_warn_component_matches_nothing if {
	v := _warnings(_selective, {"app": "registry"})
	count(v) == 1
	some f in v
	f.details.status == "warn"
	contains(f.msg, "component model-registry names Namespace model-registry but matches no workload")
}

test_allow_component_matches_a_workload if count(_warnings(_selective, {"app": "model-registry"})) == 0

# Configuration overridden: a component of other namespaces, or one by labels only, is not this
# namespace's finding.
test_allow_component_of_other_namespaces if {
	count(_warnings({"name": "x", "namespaces": ["other"]}, {"app": "registry"})) == 0
	count(_warnings({"name": "x", "pods": {"matchLabels": {"app": "nothing"}}}, {"app": "registry"})) == 0
}

test_allow_without_declared_flows if {
	count(component_without_workloads.violation) == 0 with input as {"review": {"object": _namespace}}
		with data.inventory as {}
}

# Only the core Namespace is one: a kind of that name in another API group is not judged.
test_allow_a_namespace_kind_of_another_api_group if {
	other := object.union(_namespace, {"apiVersion": "example.com/v1"})
	count(component_without_workloads.violation) == 0 with input as {"review": {"object": other}, "parameters": {"flows": _flows(_selective)}}
		with data.inventory as _inventory({"app": "registry"})
}
