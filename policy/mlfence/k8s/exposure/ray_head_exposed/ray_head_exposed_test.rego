package mlfence.k8s.exposure.ray_head_exposed_test

import data.mlfence.k8s.exposure.ray_head_exposed

_head(extra) := object.union({"rayStartParams": {"dashboard-host": "0.0.0.0"}, "template": {"spec": {"containers": [{"name": "ray-head"}]}}}, extra)

_cluster(head) := {
	"apiVersion": "ray.io/v1",
	"kind": "RayCluster",
	"metadata": {"name": "rc", "namespace": "ml-training"},
	"spec": {"headGroupSpec": head, "workerGroupSpecs": []},
}

_violations(obj, params) := v if {
	v := ray_head_exposed.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_load_balancer_head if {
	v := _violations(_cluster(_head({"serviceType": "LoadBalancer"})), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-033"
	f.details.severity == "critical"
	contains(f.msg, "spec.headGroupSpec.serviceType: LoadBalancer")
}

test_deny_node_port_and_ingress_are_two_findings if {
	count(_violations(_cluster(_head({"serviceType": "NodePort", "enableIngress": true})), {})) == 2
}

test_deny_head_service_template_type if {
	v := _violations(_cluster(_head({"headService": {"spec": {"type": "LoadBalancer"}}})), {})
	count(v) == 1
}

test_deny_rayjob_embedded_cluster if {
	obj := {
		"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "j", "namespace": "ml-training"},
		"spec": {"entrypoint": "python train.py", "rayClusterSpec": {"headGroupSpec": _head({"enableIngress": true})}},
	}
	v := _violations(obj, {})
	count(v) == 1
	some f in v
	contains(f.msg, "spec.rayClusterSpec.headGroupSpec.enableIngress: true")
}

test_deny_rayservice_embedded_cluster if {
	obj := {
		"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "s", "namespace": "ml-serving"},
		"spec": {"rayClusterConfig": {"headGroupSpec": _head({"serviceType": "NodePort"})}},
	}
	count(_violations(obj, {})) == 1
}

test_allow_cluster_ip_head if {
	count(_violations(_cluster(_head({"serviceType": "ClusterIP", "enableIngress": false})), {})) == 0
}

# Attribute omitted: KubeRay defaults to ClusterIP and no Ingress.
test_allow_defaults if {
	count(_violations(_cluster(_head({})), {})) == 0
	obj := {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "j"}, "spec": {"clusterSelector": {"ray.io/cluster": "shared"}}}
	count(_violations(obj, {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	obj := json.patch(_cluster(_head({"serviceType": "NodePort"})), [{"op": "replace", "path": "/metadata/namespace", "value": "ray-system"}])
	count(_violations(obj, {})) == 1
	count(_violations(obj, {"system_namespaces": ["ray-system"]})) == count(_violations(obj, {}))
}

test_wrong_types_never_error if {
	count(_violations(_cluster(_head({"enableIngress": "true", "serviceType": 3, "headService": "x"})), {})) == 0
	count(_violations(_cluster("head"), {})) == 0
	count(_violations({"kind": "RayJob", "spec": {"rayClusterSpec": []}}, {})) == 0
	count(_violations({"kind": "RayService", "spec": "x"}, {})) == 0
	count(_violations({"kind": "Deployment", "spec": {"headGroupSpec": {"serviceType": "NodePort"}}}, {})) == 0
}

test_allow_other_api_group if {
	obj := json.patch(_cluster(_head({"serviceType": "NodePort"})), [{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"}])
	count(_violations(obj, {})) == 0
}
