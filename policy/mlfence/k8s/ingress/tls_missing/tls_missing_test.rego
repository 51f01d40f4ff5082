package mlfence.k8s.ingress.tls_missing_test

import data.mlfence.k8s.ingress.tls_missing

_ingress(spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "models", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := tls_missing.violation with input as {"review": {"object": obj}, "parameters": params}
}

# Attribute omitted: no spec.tls at all.
test_deny_host_without_tls if {
	v := _violations(_ingress({"rules": [{"host": "inference.example.com"}]}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-037"
	contains(f.msg, "inference.example.com (spec.rules[0])")
}

test_deny_only_uncovered_hosts if {
	spec := {
		"tls": [{"hosts": ["a.example.com"], "secretName": "a"}],
		"rules": [{"host": "a.example.com"}, {"host": "b.example.com"}],
	}
	v := _violations(_ingress(spec), {})
	count(v) == 1
	some f in v
	contains(f.msg, "b.example.com")
}

test_allow_exact_and_case_insensitive if {
	spec := {"tls": [{"hosts": ["Inference.Example.com"]}], "rules": [{"host": "inference.example.com"}]}
	count(_violations(_ingress(spec), {})) == 0
}

test_wildcard_covers_one_label if {
	spec := {"tls": [{"hosts": ["*.example.com"]}], "rules": [
		{"host": "inference.example.com"},
		{"host": "*.example.com"},
		{"host": "a.b.example.com"},
		{"host": "example.com"},
	]}
	v := _violations(_ingress(spec), {})
	count(v) == 2
}

test_allow_tls_entry_without_hosts if {
	count(_violations(_ingress({"tls": [{"secretName": "default"}], "rules": [{"host": "x.example.com"}]}), {})) == 0
}

# A rule without host is MLF-K8S-038's finding, not this rule's.
test_allow_rule_without_host if {
	count(_violations(_ingress({"rules": [{"http": {"paths": []}}]}), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	obj := _ingress({"rules": [{"host": "x.example.com"}]})
	count(_violations(obj, {"system_namespaces": ["ml-serving"]})) == count(_violations(obj, {}))
}

test_wrong_types_never_error if {
	count(_violations(_ingress({"tls": "x", "rules": [{"host": "x.example.com"}]}), {})) == 1
	count(_violations(_ingress({"tls": [null, {"hosts": "x.example.com"}], "rules": [{"host": "x.example.com"}]}), {})) == 0
	count(_violations(_ingress({"tls": [{"hosts": [1, null]}], "rules": [{"host": 7}, null, "x"]}), {})) == 0
	count(_violations(_ingress({"rules": "x"}), {})) == 0
}

# ingress-nginx ssl-passthrough: the backend terminates TLS, so an Ingress without spec.tls is fine.
test_allow_nginx_ssl_passthrough if {
	obj := {
		"apiVersion": "networking.k8s.io/v1",
		"kind": "Ingress",
		"metadata": {
			"name": "triton-grpc", "namespace": "ml-serving",
			"annotations": {"nginx.ingress.kubernetes.io/ssl-passthrough": "true"},
		},
		"spec": {"ingressClassName": "nginx", "rules": [{"host": "triton.example.com"}]},
	}
	count(_violations(obj, {})) == 0
	off := json.patch(obj, [{"op": "replace", "path": "/metadata/annotations", "value": {"nginx.ingress.kubernetes.io/ssl-passthrough": "false"}}])
	count(_violations(off, {})) == 1
}
