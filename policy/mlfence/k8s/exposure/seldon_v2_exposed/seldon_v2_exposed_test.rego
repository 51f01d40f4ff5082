package mlfence.k8s.exposure.seldon_v2_exposed_test

import data.mlfence.k8s.exposure.seldon_v2_exposed

_runtime(spec) := {
	"apiVersion": "mlops.seldon.io/v1alpha1",
	"kind": "SeldonRuntime",
	"metadata": {"name": "seldon", "namespace": "seldon-mesh"},
	"spec": object.union({"seldonConfig": "default"}, spec),
}

_violations(obj, params) := v if {
	v := seldon_v2_exposed.violation with input as {"review": {"object": obj}, "parameters": params}
}

_severities(v) := {f.details.severity | some f in v}

# The runtime Helm chart's defaults: both overrides ask for LoadBalancer.
test_deny_helm_defaults if {
	v := _violations(
		_runtime({"overrides": [
			{"name": "seldon-scheduler", "disable": false, "serviceType": "LoadBalancer"},
			{"name": "seldon-envoy", "disable": false, "replicas": 1, "serviceType": "LoadBalancer"},
		]}),
		{},
	)
	count(v) == 2
	_severities(v) == {"critical", "high"}
	some f in v
	f.details.rule_id == "MLF-K8S-056"
}

# Attribute omitted: no override and no serviceConfig, the operator's default is LoadBalancer.
test_deny_operator_default if {
	v := _violations(_runtime({}), {})
	count(v) == 2
	some f in v
	contains(f.msg, "falls back to LoadBalancer")
}

test_allow_cluster_ip if {
	count(_violations(_runtime({"config": {"serviceConfig": {"serviceType": "ClusterIP"}}}), {})) == 0
	overrides := [{"name": "seldon-scheduler", "serviceType": "ClusterIP"}, {"name": "seldon-envoy", "serviceType": "ClusterIP"}]
	count(_violations(_runtime({"overrides": overrides}), {})) == 0
}

# An override without serviceType replaces the type with "" (ClusterIP), as the operator does.
test_allow_override_without_service_type if {
	count(_violations(
		_runtime({"config": {"serviceConfig": {"serviceType": "LoadBalancer"}}, "overrides": [
			{"name": "seldon-scheduler", "replicas": 1},
			{"name": "seldon-envoy", "replicas": 2},
		]}),
		{},
	)) == 0
}

test_allow_disabled_components if {
	overrides := [{"name": "seldon-scheduler", "disable": true, "serviceType": "LoadBalancer"}, {"name": "seldon-envoy", "replicas": 0, "serviceType": "LoadBalancer"}]
	count(_violations(_runtime({"overrides": overrides}), {})) == 0
}

test_deny_node_port_via_service_config if {
	v := _violations(_runtime({"config": {"serviceConfig": {"serviceType": "NodePort"}}}), {})
	count(v) == 2
}

test_seldon_config if {
	config := {"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "SeldonConfig", "metadata": {"name": "default", "namespace": "seldon-system"}, "spec": {"config": {"serviceConfig": {"serviceType": "LoadBalancer"}}}}
	count(_violations(config, {})) == 1
	count(_violations(json.patch(config, [{"op": "replace", "path": "/spec/config/serviceConfig/serviceType", "value": "ClusterIP"}]), {})) == 0
	count(_violations(json.patch(config, [{"op": "remove", "path": "/spec/config"}]), {})) == 0
}

# Parameter overridden: system namespaces do not exempt exposure.
test_system_namespaces_do_not_exempt if {
	count(_violations(_runtime({}), {"system_namespaces": ["seldon-mesh"]})) == 2
}

test_wrong_types_never_error if {
	count(_violations(_runtime({"overrides": "x", "config": "y"}), {})) == 2
	count(_violations(_runtime({"overrides": [null, {"name": "seldon-envoy", "serviceType": 3}]}), {})) == 1
	count(_violations(json.patch(_runtime({}), [{"op": "replace", "path": "/apiVersion", "value": "machinelearning.seldon.io/v1"}]), {})) == 0
}
