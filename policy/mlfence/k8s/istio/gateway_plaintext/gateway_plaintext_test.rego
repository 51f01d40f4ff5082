package mlfence.k8s.istio.gateway_plaintext_test

import data.mlfence.k8s.istio.gateway_plaintext

_gateway(servers) := {
	"apiVersion": "networking.istio.io/v1",
	"kind": "Gateway",
	"metadata": {"name": "inference-gateway", "namespace": "ml-serving"},
	"spec": {"selector": {"istio": "ingressgateway"}, "servers": servers},
}

_violations(obj, params) := v if {
	v := gateway_plaintext.violation with input as {"review": {"object": obj}, "parameters": params}
}

_http := {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["ml-serving/inference.example.com"]}

_https := {
	"port": {"number": 443, "name": "https", "protocol": "HTTPS"},
	"hosts": ["ml-serving/inference.example.com"],
	"tls": {"mode": "SIMPLE", "credentialName": "inference-tls"},
}

# Attribute omitted: no tls block on an HTTP server.
test_deny_http_without_redirect if {
	v := _violations(_gateway([_https, _http]), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-050"
	contains(f.msg, "servers[1] serves HTTP on port 80")
}

test_deny_grpc_plaintext if {
	count(_violations(_gateway([{"port": {"number": 9000, "protocol": "grpc"}, "hosts": ["a/b"]}]), {})) == 1
}

test_allow_redirect_and_https if {
	redirect := object.union(_http, {"tls": {"httpsRedirect": true}})
	count(_violations(_gateway([_https, redirect]), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_gateway([_http]), {"system_namespaces": ["ml-serving"]})) == count(_violations(_gateway([_http]), {}))
}

test_wrong_types_never_error if {
	count(_violations(_gateway([{"port": "80"}, null, {"port": {"protocol": 1}}]), {})) == 0
	count(_violations(_gateway([object.union(_http, {"tls": "redirect"})]), {})) == 1
	count(_violations(_gateway({"a": 1}), {})) == 0
}
