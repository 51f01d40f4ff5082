package mlfence.k8s.ingress.wildcard_host_test

import data.mlfence.k8s.ingress.wildcard_host

_ingress(rules) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "models", "namespace": "ml-serving"},
	"spec": {"rules": rules},
}

_violations(obj, params) := v if {
	v := wildcard_host.violation with input as {"review": {"object": obj}, "parameters": params}
}

# Attribute omitted: a rule without host.
test_deny_rule_without_host if {
	v := _violations(_ingress([{"http": {"paths": [{"path": "/"}]}}]), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-038"
	f.details.severity == "high"
	contains(f.msg, "spec.rules[0] has no host")
}

test_deny_empty_host if {
	count(_violations(_ingress([{"host": ""}, {"host": "  "}]), {})) == 2
}

test_deny_wildcard_host_medium if {
	v := _violations(_ingress([{"host": "a.example.com"}, {"host": "*.example.com"}]), {})
	count(v) == 1
	some f in v
	f.details.severity == "medium"
	contains(f.msg, "spec.rules[1] uses the wildcard host *.example.com")
}

test_allow_named_hosts if {
	count(_violations(_ingress([{"host": "inference.example.com"}, {"host": "mlflow.example.com"}]), {})) == 0
}

# An Ingress with only a defaultBackend has no rules here; MLF-K8S-039 reports it.
test_allow_no_rules if {
	count(_violations({"kind": "Ingress", "metadata": {"name": "x"}, "spec": {"defaultBackend": {}}}, {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_ingress([{}]), {"system_namespaces": ["ml-serving"]})) == count(_violations(_ingress([{}]), {}))
}

test_wrong_types_never_error if {
	count(_violations(_ingress([{"host": 5}]), {})) == 1
	count(_violations(_ingress([null, "x", 3]), {})) == 0
	count(_violations(_ingress("rules"), {})) == 0
}
