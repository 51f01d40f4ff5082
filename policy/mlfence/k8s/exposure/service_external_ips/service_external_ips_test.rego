package mlfence.k8s.exposure.service_external_ips_test

import data.mlfence.k8s.exposure.service_external_ips

_service(spec) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "model", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := service_external_ips.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_external_ips if {
	v := _violations(_service({"externalIPs": ["203.0.113.10"], "ports": [{"port": 8080}]}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-032"
	contains(f.msg, "203.0.113.10")
}

# Private addresses are no better: the interception works for any address.
test_deny_private_external_ips if {
	count(_violations(_service({"type": "LoadBalancer", "externalIPs": ["10.1.2.3"]}), {})) == 1
}

test_allow_empty_list if {
	count(_violations(_service({"externalIPs": []}), {})) == 0
}

# Attribute omitted.
test_allow_without_external_ips if {
	count(_violations(_service({"ports": [{"port": 8080}]}), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	obj := json.patch(_service({"externalIPs": ["10.1.2.3"]}), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 1
	count(_violations(obj, {"system_namespaces": ["istio-system"]})) == 1
}

test_wrong_types_never_error if {
	count(_violations(_service({"externalIPs": "10.1.2.3"}), {})) == 0
	count(_violations(_service({"externalIPs": [null, 7]}), {})) == 0
	count(_violations({"kind": "Service", "spec": []}, {})) == 0
}

test_allow_other_api_group if {
	obj := json.patch(_service({"externalIPs": ["10.1.2.3"]}), [{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"}])
	count(_violations(obj, {})) == 0
}
