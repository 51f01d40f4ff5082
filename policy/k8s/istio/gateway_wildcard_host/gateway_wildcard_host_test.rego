package k8s.istio.gateway_wildcard_host_test

import data.k8s.istio.gateway_wildcard_host

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

test_system_namespace_parameter if {
	count(_violations(_gateway([{"hosts": ["*"]}]), {"system_namespaces": ["kubeflow"]})) == 0
}

test_allow_gateway_api_kind if {
	obj := json.patch(_gateway([{"hosts": ["*"]}]), [{"op": "replace", "path": "/apiVersion", "value": "gateway.networking.k8s.io/v1"}])
	count(_violations(obj, {})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_gateway("x"), {})) == 0
	count(_violations(_gateway([null, {"hosts": "*"}, {"hosts": [1]}]), {})) == 0
}
