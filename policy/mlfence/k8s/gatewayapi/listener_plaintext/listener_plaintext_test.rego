package mlfence.k8s.gatewayapi.listener_plaintext_test

import data.mlfence.k8s.gatewayapi.listener_plaintext

_gateway(spec) := {
	"apiVersion": "gateway.networking.k8s.io/v1",
	"kind": "Gateway",
	"metadata": {"name": "ml-edge", "namespace": "gateways"},
	"spec": object.union({"gatewayClassName": "istio"}, spec),
}

_http := {"name": "http", "port": 80, "protocol": "HTTP"}

_https := {"name": "https", "port": 443, "protocol": "HTTPS", "tls": {"certificateRefs": [{"name": "edge-cert"}]}}

_violations(obj, params) := v if {
	v := listener_plaintext.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_http_listener if {
	v := _violations(_gateway({"listeners": [_https, _http]}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-053"
	contains(f.msg, "listener http (spec.listeners[1], port 80) serves plain HTTP")
}

test_allow_https_only if {
	count(_violations(_gateway({"listeners": [_https]}), {})) == 0
}

# Attribute omitted: no listeners, no finding.
test_allow_no_listeners if {
	count(_violations(_gateway({}), {})) == 0
}

test_allow_internal_gateway if {
	count(_violations(_gateway({"gatewayClassName": "gke-l7-rilb", "listeners": [_http]}), {})) == 0
	infra := {"infrastructure": {"annotations": {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}}}
	count(_violations(_gateway(object.union(infra, {"listeners": [_http]})), {})) == 0
}

# Parameter overridden: a private GatewayClass of the platform.
test_internal_gateway_class_parameter if {
	count(_violations(_gateway({"gatewayClassName": "private", "listeners": [_http]}), {"internal_gateway_classes": ["private"]})) == 0
	count(_violations(_gateway({"gatewayClassName": "private", "listeners": [_http]}), {})) == 1
}

test_allow_other_groups if {
	obj := json.patch(_gateway({"listeners": [_http]}), [{"op": "replace", "path": "/apiVersion", "value": "networking.istio.io/v1"}])
	count(_violations(obj, {})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_gateway({"listeners": "x"}), {})) == 0
	count(_violations(_gateway({"listeners": [null, {"protocol": 3}]}), {})) == 0
	count(_violations(_gateway({"gatewayClassName": 3, "infrastructure": "x", "listeners": [_http]}), {})) == 1
}
