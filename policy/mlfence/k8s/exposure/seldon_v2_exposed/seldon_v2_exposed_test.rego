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

_with_inventory(obj, inventory) := v if {
	v := seldon_v2_exposed.violation with input as {"review": {"object": obj}, "parameters": {}}
		with data.inventory as inventory
}

# The SeldonConfig `default` in the operator's namespace (seldon-mesh by default), setting
# config.serviceConfig.serviceType to type ("" for none), as Gatekeeper's sync holds it.
_config_inventory(type) := {"namespace": {"seldon-mesh": {"mlops.seldon.io/v1alpha1": {"SeldonConfig": {"default": _seldon_config(type)}}}}}

_seldon_config(type) := {
	"apiVersion": "mlops.seldon.io/v1alpha1",
	"kind": "SeldonConfig",
	"metadata": {"name": "default", "namespace": "seldon-mesh"},
	"spec": {"config": {"serviceConfig": {"grpcServicePrefix": "", "serviceType": type}}},
}

_msgs(v) := {f.msg | some f in v}

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

# The referenced SeldonConfig is not scanned: the operator's LoadBalancer default is reported,
# and the finding says the SeldonConfig could change it.
test_deny_seldon_config_not_scanned if {
	v := _with_inventory(_runtime({}), {"namespace": {"seldon-mesh": {"v1": {"Service": {}}}}})
	count(v) == 2
	every m in _msgs(v) {
		contains(m, "the SeldonConfig default it references was not scanned")
	}
}

# The runtime sets no serviceType and its SeldonConfig (scanned) sets ClusterIP: AddDefaults
# copies it into the runtime's serviceConfig, so both Services are ClusterIP.
test_allow_seldon_config_cluster_ip if {
	count(_with_inventory(_runtime({}), _config_inventory("ClusterIP"))) == 0
}

# A SeldonConfig without a namespace in the manifests (Helm-rendered) counts too.
test_allow_namespaceless_seldon_config_cluster_ip if {
	inventory := {"cluster": {"mlops.seldon.io/v1alpha1": {"SeldonConfig": {"default": _seldon_config("ClusterIP")}}}}
	count(_with_inventory(_runtime({}), inventory)) == 0
}

test_deny_seldon_config_load_balancer if {
	v := _with_inventory(_runtime({}), _config_inventory("LoadBalancer"))
	count(v) == 2
	every m in _msgs(v) {
		contains(m, "the SeldonConfig seldon-mesh/default it references sets config.serviceConfig.serviceType: LoadBalancer")
	}
}

# Scanned, the SeldonConfig sets no serviceType either: the operator's default applies.
test_deny_seldon_config_without_service_type if {
	v := _with_inventory(_runtime({}), _config_inventory(""))
	count(v) == 2
	every m in _msgs(v) {
		contains(m, "nor the SeldonConfig seldon-mesh/default it references sets a serviceType, so the operator falls back to LoadBalancer")
	}
}

# Configuration overridden: the runtime's own serviceConfig and its overrides win over the
# SeldonConfig, and a SeldonConfig of another name is not the one referenced.
test_runtime_settings_override_seldon_config if {
	v := _with_inventory(_runtime({"config": {"serviceConfig": {"serviceType": "LoadBalancer"}}}), _config_inventory("ClusterIP"))
	count(v) == 2
	every m in _msgs(v) {
		contains(m, "spec.config.serviceConfig.serviceType is LoadBalancer")
	}
	count(_with_inventory(_runtime({"config": {"serviceConfig": {"serviceType": "ClusterIP"}}}), _config_inventory("LoadBalancer"))) == 0
	overridden := _with_inventory(
		_runtime({"overrides": [{"name": "seldon-scheduler", "serviceType": "ClusterIP"}]}),
		_config_inventory("NodePort"),
	)
	{f.details.severity | some f in overridden} == {"high"}
	other := _with_inventory(json.patch(_runtime({}), [{"op": "replace", "path": "/spec/seldonConfig", "value": "custom"}]), _config_inventory("ClusterIP"))
	count(other) == 2
	every m in _msgs(other) {
		contains(m, "the SeldonConfig custom it references was not scanned")
	}
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
