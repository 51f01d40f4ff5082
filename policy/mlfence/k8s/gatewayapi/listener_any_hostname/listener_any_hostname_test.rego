package mlfence.k8s.gatewayapi.listener_any_hostname_test

import data.mlfence.k8s.gatewayapi.listener_any_hostname

_gateway(listeners) := {
	"apiVersion": "gateway.networking.k8s.io/v1",
	"kind": "Gateway",
	"metadata": {"name": "ml-edge", "namespace": "gateways"},
	"spec": {"gatewayClassName": "istio", "listeners": listeners},
}

_violations(obj, params) := v if {
	v := listener_any_hostname.violation with input as {"review": {"object": obj}, "parameters": params}
}

# Attribute omitted: a listener without hostname matches every name.
test_deny_no_hostname if {
	v := _violations(_gateway([{"name": "http", "port": 80, "protocol": "HTTP"}]), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-054"
	f.details.severity == "medium"
	contains(f.msg, "admits every route of its namespace")
}

test_deny_all_namespaces_is_high if {
	l := {"name": "https", "port": 443, "protocol": "HTTPS", "allowedRoutes": {"namespaces": {"from": "All"}}}
	v := _violations(_gateway([l]), {})
	some f in v
	f.details.severity == "high"
	contains(f.msg, "admits routes from every namespace")
}

test_allow_named_hostname if {
	count(_violations(_gateway([{"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.models.example.com"}]), {})) == 0
}

# The Hostname type refuses "" and a bare "*" (MinLength 1, pattern): such a Gateway is never
# admitted, so it matches nothing.
test_allow_hostnames_the_api_refuses if {
	count(_violations(_gateway([{"name": "http", "port": 80, "protocol": "HTTP", "hostname": "*"}]), {})) == 0
	count(_violations(_gateway([{"name": "http", "port": 80, "protocol": "HTTP", "hostname": ""}]), {})) == 0
}

test_allow_tls_passthrough_and_tcp if {
	count(_violations(_gateway([{"name": "tls", "port": 443, "protocol": "TLS", "tls": {"mode": "Passthrough"}}, {"name": "tcp", "port": 9000, "protocol": "TCP"}]), {})) == 0
}

# Parameter overridden: an internal GatewayClass is out of reach of the internet.
test_internal_class_parameter if {
	obj := json.patch(_gateway([{"name": "http", "port": 80, "protocol": "HTTP"}]), [{"op": "replace", "path": "/spec/gatewayClassName", "value": "private"}])
	count(_violations(obj, {"internal_gateway_classes": ["private"]})) == 0
	count(_violations(obj, {})) == 1
}

test_wrong_types_never_error if {
	count(_violations(_gateway([{"protocol": "HTTP", "hostname": 3, "allowedRoutes": "x"}]), {})) == 0
	count(_violations(_gateway([{"protocol": "HTTP", "allowedRoutes": {"namespaces": {"from": 3}}}]), {})) == 1
	count(_violations(_gateway("x"), {})) == 0
}
