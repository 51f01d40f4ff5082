package mlfence.k8s.pod.host_port_test

import data.mlfence.k8s.pod.host_port

_pod(ports) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ml"}, "spec": {"containers": [{"name": "c", "ports": ports}]}}

_violations(obj, params) := v if {
	v := host_port.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_host_port if {
	v := _violations(_pod([{"containerPort": 8000, "hostPort": 8000}]), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-010"; contains(f.msg, "spec.containers[0].ports[0].hostPort")]) > 0
}

# Attribute omitted, or 0 (the API's "none").
test_allow_container_port_only if {
	count(_violations(_pod([{"containerPort": 8000}]), {})) == 0
	count(_violations(_pod([{"containerPort": 8000, "hostPort": 0}]), {})) == 0
}

test_ml_kinds if {
	ray := {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "r", "namespace": "ml"}, "spec": {"workerGroupSpecs": [{"template": {"spec": {"containers": [{"name": "w", "ports": [{"hostPort": 8265}]}]}}}]}}
	count([f | some f in _violations(ray, {}); contains(f.msg, "spec.workerGroupSpecs[0].template.spec.containers[0].ports[0].hostPort")]) > 0
	lws := {"apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet", "metadata": {"name": "l", "namespace": "ml"}, "spec": {"leaderWorkerTemplate": {"leaderTemplate": {"spec": {"initContainers": [{"name": "i", "ports": [{"hostPort": 1}]}]}}}}}
	count(_violations(lws, {})) == 1
	isvc := {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": "m", "namespace": "ml"}, "spec": {"predictor": {"model": {"ports": [{"containerPort": 8080, "hostPort": 8080}]}}}}
	count(_violations(isvc, {})) == 1
	argo := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w", "namespace": "ml"}, "spec": {"templates": [{"container": {"ports": [{"hostPort": 9000}]}}]}}
	count(_violations(argo, {})) == 1
}

test_system_namespace_parameter if {
	obj := json.patch(_pod([{"hostPort": 1}]), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 0
	count(_violations(obj, {"system_namespaces": []})) == 1
}

test_allow_wrong_types_without_error if {
	count(_violations(_pod([{"hostPort": "8000"}, null, 3]), {})) == 0
	count(_violations(_pod("x"), {})) == 0
}
