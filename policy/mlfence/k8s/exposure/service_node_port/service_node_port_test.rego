package mlfence.k8s.exposure.service_node_port_test

import data.mlfence.k8s.exposure.service_node_port

_service(spec) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "ray-dashboard", "namespace": "ml-training", "labels": {"app": "edge"}},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := service_node_port.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_node_port if {
	v := _violations(_service({"type": "NodePort", "ports": [{"port": 8265, "nodePort": 30265}]}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-031"
	contains(f.msg, "node port(s) 30265")
}

test_deny_node_port_allocated_by_the_api if {
	v := _violations(_service({"type": "NodePort", "ports": [{"port": 8265}]}), {})
	some f in v
	contains(f.msg, "opens a node port on every node")
}

# LoadBalancer Services allocate node ports too, but MLF-K8S-030 judges them.
test_allow_load_balancer_and_cluster_ip if {
	count(_violations(_service({"type": "LoadBalancer", "ports": [{"port": 80, "nodePort": 30080}]}), {})) == 0
	count(_violations(_service({"type": "ClusterIP"}), {})) == 0
}

# Attribute omitted: ClusterIP.
test_allow_type_omitted if {
	count(_violations(_service({"ports": [{"port": 80}]}), {})) == 0
}

test_allow_edge_gateway if {
	params := {"edge_gateways": [{"namespace": "ml-training", "labels": {"app": "edge"}}]}
	count(_violations(_service({"type": "NodePort"}), params)) == 0
}

# Exposure is judged in system namespaces too.
test_deny_in_system_namespace if {
	obj := json.patch(_service({"type": "NodePort"}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 1
	count(_violations(obj, {"system_namespaces": []})) == 1
}

test_wrong_types_never_error if {
	count(_violations(_service({"type": "NodePort", "ports": "x"}), {})) == 1
	count(_violations(_service({"type": "NodePort", "ports": [null, 1]}), {})) == 1
	count(_violations(_service({"type": ["NodePort"]}), {})) == 0
	count(_violations({"kind": "Service", "spec": null}, {})) == 0
}

test_allow_other_api_group if {
	obj := json.patch(_service({"type": "NodePort"}), [{"op": "replace", "path": "/apiVersion", "value": "serving.knative.dev/v1"}])
	count(_violations(obj, {})) == 0
}
