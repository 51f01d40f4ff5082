package mlfence.k8s.gatewayapi.route_ml_console_test

import data.mlfence.k8s.gatewayapi.route_ml_console

_route(kind, refs) := {
	"apiVersion": "gateway.networking.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ray-dashboard", "namespace": "ray"},
	"spec": {"parentRefs": [{"name": "ml-edge", "namespace": "gateways"}], "rules": [{"backendRefs": refs}]},
}

_violations(obj, params) := v if {
	v := route_ml_console.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_ray_dashboard_port if {
	v := _violations(_route("HTTPRoute", [{"name": "raycluster-kuberay-head-svc", "port": 8265}]), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-055"
	contains(f.msg, "Ray dashboard and job submission API")
}

test_deny_by_service_name if {
	v := _violations(_route("HTTPRoute", [{"name": "centraldashboard", "port": 80}]), {})
	count(v) == 1
	some f in v
	contains(f.msg, "Kubeflow central dashboard")
}

test_deny_grpc_and_tls_routes if {
	count(_violations(_route("GRPCRoute", [{"name": "triton", "port": 8001}]), {})) == 1
	count(_violations(_route("TLSRoute", [{"name": "notebook", "port": 8888}]), {})) == 1
}

test_allow_model_api_behind_proxy if {
	count(_violations(_route("HTTPRoute", [{"name": "oauth2-proxy", "port": 4180}]), {})) == 0
}

# Attribute omitted: a backendRef without port or rules without backends.
test_allow_without_port_or_backends if {
	count(_violations(_route("HTTPRoute", [{"name": "inference-gateway"}]), {})) == 0
	count(_violations(_route("HTTPRoute", []), {})) == 0
}

test_allow_non_service_backends if {
	count(_violations(_route("HTTPRoute", [{"name": "pool", "kind": "InferencePool", "group": "inference.networking.k8s.io", "port": 8000}]), {})) == 0
}

# Parameter overridden: the platform's own console list.
test_console_parameters if {
	params := {"ml_console_ports": {"9000": "Label Studio"}, "ml_console_services": {}}
	count(_violations(_route("HTTPRoute", [{"name": "labels", "port": 9000}]), params)) == 1
	count(_violations(_route("HTTPRoute", [{"name": "x-head-svc", "port": 8265}]), params)) == 0
}

test_wrong_types_never_error if {
	count(_violations(_route("HTTPRoute", "x"), {})) == 0
	count(_violations(_route("HTTPRoute", [null, {"name": 3, "port": 8265}, {"name": "a", "port": "8265"}]), {})) == 0
	count(_violations(_route("HTTPRoute", [{"name": "a", "port": 8265}]), {"ml_console_ports": "x", "ml_console_services": []})) == 0
}
