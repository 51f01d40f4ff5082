package mlfence.k8s.ingress.default_backend_test

import data.mlfence.k8s.ingress.default_backend

_ingress(spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "models", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := default_backend.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_default_backend_service if {
	v := _violations(_ingress({"defaultBackend": {"service": {"name": "triton", "port": {"number": 8000}}}}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-039"
	contains(f.msg, "spec.defaultBackend (service triton)")
}

test_deny_default_backend_resource_and_v1beta1 if {
	count(_violations(_ingress({"defaultBackend": {}}), {})) == 1
	v := _violations(_ingress({"defaultBackend": {"resource": {"kind": "StorageBucket", "name": "static"}}}), {})
	w := _violations(_ingress({"backend": {"serviceName": "legacy", "servicePort": 80}}), {})
	some f in v
	contains(f.msg, "StorageBucket static")
	some g in w
	contains(g.msg, "spec.backend (service legacy)")
}

# Attribute omitted.
test_allow_rules_only if {
	count(_violations(_ingress({"rules": [{"host": "a.example.com"}]}), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	obj := _ingress({"defaultBackend": {"service": {"name": "x"}}})
	count(_violations(obj, {"system_namespaces": ["ml-serving"]})) == count(_violations(obj, {}))
}

test_wrong_types_never_error if {
	count(_violations(_ingress({"defaultBackend": "svc"}), {})) == 0
	count(_violations(_ingress({"defaultBackend": null}), {})) == 0
	count(_violations(_ingress("x"), {})) == 0
}

test_api_groups if {
	obj := _ingress({"defaultBackend": {"service": {"name": "x"}}})
	count(_violations(json.patch(obj, [{"op": "replace", "path": "/apiVersion", "value": "extensions/v1beta1"}]), {})) == 1
	count(_violations(json.patch(obj, [{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"}]), {})) == 0
	count(_violations(json.patch(obj, [{"op": "remove", "path": "/apiVersion"}]), {})) == 1
}
