package mlfence.k8s.istio.gateway_wildcard_host_test

import data.mlfence.k8s.istio.gateway_wildcard_host

_gateway(servers) := {
	"apiVersion": "networking.istio.io/v1beta1",
	"kind": "Gateway",
	"metadata": {"name": "kubeflow-gateway", "namespace": "kubeflow"},
	"spec": {"selector": {"istio": "ingressgateway"}, "servers": servers},
}

# The edge pods are published by a LoadBalancer Service, as Kubeflow's istio-ingressgateway.
_published := {"namespace": {"istio-system": {"v1": {"Service": {"istio-ingressgateway": {
	"metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
	"spec": {
		"type": "LoadBalancer",
		"selector": {"app": "istio-ingressgateway", "istio": "ingressgateway"},
		"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 8443}, {"port": 31400}, {"port": 15443}, {"port": 9000}],
	},
}}}}}}

_violations(obj, params) := _violations_in(obj, params, _published)

_violations_in(obj, params, inventory) := v if {
	v := gateway_wildcard_host.violation with input as {"review": {"object": obj}, "parameters": params}
		with data.inventory as inventory
}

_statuses(obj, inventory) := {f.details.status | some f in _violations_in(obj, {}, inventory)}

# Attribute omitted: no Service in front of the gateway pods in the input. Unknown, never "published".
test_unknown_without_the_service if {
	v := _violations_in(_gateway([{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]), {}, {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
	contains(f.msg, "whether it is published is unknown: no Service selecting its pods (istio: ingressgateway) is in the scan")
}

# Behind ClusterIP Services only (Kubeflow's cluster-local-gateway): nothing is published.
test_allow_cluster_ip_only if {
	count(_violations_in(_gateway([_server]), {}, _internal)) == 0
}

# Overridden: an Ingress naming the ClusterIP Service publishes the gateway after all; so do
# NodePort and externalIPs.
_server := {"port": {"number": 80, "protocol": "HTTP"}, "hosts": ["*"]}

_internal := json.patch(_published, [{"op": "replace", "path": "/namespace/istio-system/v1/Service/istio-ingressgateway/spec/type", "value": "ClusterIP"}])

# Overridden: an Ingress naming the ClusterIP Service publishes the gateway after all.
test_deny_cluster_ip_behind_ingress if {
	edge := {"spec": {"rules": [{"http": {"paths": [{"backend": {"service": {"name": "istio-ingressgateway"}}}]}}]}}
	behind_ingress := object.union(_internal, {"namespace": {"istio-system": {"networking.k8s.io/v1": {"Ingress": {"edge": edge}}}}})
	_statuses(_gateway([_server]), behind_ingress) == {"fail"}
	some f in _violations_in(_gateway([_server]), {}, behind_ingress)
	contains(f.msg, "published by Service istio-system/istio-ingressgateway (backend of Ingress istio-system/edge)")
}

test_deny_node_port_or_external_ips if {
	node_port := json.patch(_published, [{"op": "replace", "path": "/namespace/istio-system/v1/Service/istio-ingressgateway/spec/type", "value": "NodePort"}])
	_statuses(_gateway([_server]), node_port) == {"fail"}
	external_ips := json.patch(_internal, [{"op": "add", "path": "/namespace/istio-system/v1/Service/istio-ingressgateway/spec/externalIPs", "value": ["203.0.113.7"]}])
	_statuses(_gateway([_server]), external_ips) == {"fail"}
}

# A port the LoadBalancer Service does not forward (Knative's local gateway on 8081) is not published.
test_allow_port_the_load_balancer_does_not_forward if {
	count(_violations(_gateway([{"port": {"number": 8081, "protocol": "HTTP"}, "hosts": ["*"]}]), {})) == 0
	_statuses(_gateway([{"port": {"number": 8080, "protocol": "HTTP"}, "hosts": ["*"]}]), _published) == {"fail"}
}

test_deny_star_host if {
	v := _violations(_gateway([{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-049"
	contains(f.msg, "servers[0] accepts host *")
}

test_deny_namespace_star if {
	count(_violations(_gateway([{"port": {"number": 80}, "hosts": ["ml-serving/*"]}]), {})) == 1
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
	count(_violations(_gateway([{"port": {"number": 80, "protocol": 7}, "hosts": ["*"], "tls": "x"}]), {})) == 1
}
