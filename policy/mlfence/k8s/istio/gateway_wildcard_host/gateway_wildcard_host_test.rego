package mlfence.k8s.istio.gateway_wildcard_host_test

import data.mlfence.k8s.istio.gateway_wildcard_host

_gateway(servers) := {
	"apiVersion": "networking.istio.io/v1beta1",
	"kind": "Gateway",
	"metadata": {"name": "kubeflow-gateway", "namespace": "kubeflow"},
	"spec": {"selector": {"istio": "ingressgateway"}, "servers": servers},
}

_violations(obj, params) := v if {
	v := gateway_wildcard_host.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_star_host if {
	v := _violations(_gateway([{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-049"
	contains(f.msg, "servers[0] accepts host *")
}

test_deny_namespace_star if {
	count(_violations(_gateway([{"hosts": ["ml-serving/*"]}]), {})) == 1
}

test_allow_named_hosts if {
	count(_violations(_gateway([{"hosts": ["ml-serving/inference.example.com", "*.models.example.com"]}]), {})) == 0
}

# Attribute omitted: a server without hosts is invalid and routes nothing.
test_allow_no_hosts if {
	count(_violations(_gateway([{"port": {"number": 443}}]), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_gateway([{"hosts": ["*"]}]), {"system_namespaces": ["kubeflow"]})) == count(_violations(_gateway([{"hosts": ["*"]}]), {}))
}

test_allow_gateway_api_kind if {
	obj := json.patch(_gateway([{"hosts": ["*"]}]), [{"op": "replace", "path": "/apiVersion", "value": "gateway.networking.k8s.io/v1"}])
	count(_violations(obj, {})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_gateway("x"), {})) == 0
	count(_violations(_gateway([null, {"hosts": "*"}, {"hosts": [1]}]), {})) == 0
}

# TCP servers and TLS passthrough route without a Host header: `*` there is not a wildcard HTTP host.
test_allow_tcp_and_tls_passthrough if {
	tcp := {"port": {"number": 31400, "name": "tcp", "protocol": "TCP"}, "hosts": ["*"]}
	passthrough := {"port": {"number": 443, "name": "tls", "protocol": "TLS"}, "hosts": ["*"], "tls": {"mode": "PASSTHROUGH"}}
	auto := {"port": {"number": 15443, "name": "tls", "protocol": "tls"}, "hosts": ["*.local"], "tls": {"mode": "AUTO_PASSTHROUGH"}}
	count(_violations(_gateway([tcp, passthrough, auto]), {})) == 0
	terminated := {"port": {"number": 443, "name": "tls", "protocol": "TLS"}, "hosts": ["*"], "tls": {"mode": "SIMPLE"}}
	count(_violations(_gateway([terminated]), {})) == 1
	count(_violations(_gateway([{"port": {"protocol": 7}, "hosts": ["*"], "tls": "x"}]), {})) == 1
}
