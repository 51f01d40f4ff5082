package lib.mlfence.gateway_exposure_test

import data.lib.mlfence.gateway_exposure

_gateway(selector) := {"spec": {"selector": selector}}

_service(type, selector, ports) := {"spec": {"type": type, "selector": selector, "ports": ports}}

_inventory(ns, services) := {"namespace": {ns: {"v1": {"Service": services}}}}

# The gateway's pods may live in any namespace: a Service elsewhere that selects them counts.
test_service_of_another_namespace_publishes if {
	inventory := _inventory("gateways", {"edge": _service("LoadBalancer", {"istio": "edge"}, [{"port": 80}])})
	found := gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 80}}) with data.inventory as inventory
	found == {"state": "published", "by": ["Service gateways/edge (type LoadBalancer)"]}
}

# A Service whose selector and the gateway's share no pods (a label differs) fronts nothing.
test_unrelated_selector_does_not_front if {
	inventory := _inventory("gateways", {"other": _service("LoadBalancer", {"istio": "other"}, [{"port": 80}])})
	found := gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 80}}) with data.inventory as inventory
	found.state == "unknown"
	found.why == "no Service selecting its pods (istio: edge) is in the scan"
}

# A named targetPort is resolved on the pod, which the inventory lacks: it may be the server's port.
test_named_target_port_may_forward if {
	inventory := _inventory("gw", {"edge": _service("NodePort", {"istio": "edge"}, [{"port": 8443, "targetPort": "https"}])})
	found := gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 443}}) with data.inventory as inventory
	found.state == "published"
}

# A Gateway whose selector names no labels: which proxies serve it is unknown.
test_empty_selector_is_unknown if {
	inventory := _inventory("gw", {"edge": _service("LoadBalancer", {"istio": "edge"}, [{"port": 80}])})
	found := gateway_exposure.server_publication(_gateway({}), {"port": {"number": 80}}) with data.inventory as inventory
	found.state == "unknown"
	contains(found.why, "names no labels")
}

test_wrong_types_never_error if {
	bad := {"namespace": {"gw": {"v1": {"Service": {"a": null, "b": {"spec": "x"}, "c": {"spec": {"selector": {"istio": "edge"}, "ports": "80"}}}}, "networking.k8s.io/v1": {"Ingress": {"i": {"spec": {"rules": "x", "defaultBackend": 3}}}}}}}
	gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 80}}).state == "internal" with data.inventory as bad
	gateway_exposure.server_publication(_gateway("x"), null).state == "unknown" with data.inventory as "x"
}

# Overridden: the settings declare the gateway pods an edge gateway, so a ClusterIP Service in
# front of them (Kubeflow ships one; the operator publishes it outside the manifests) publishes.
test_declared_edge_gateway_is_published if {
	inventory := _inventory("istio-system", {"istio-ingressgateway": _service("ClusterIP", {"app": "istio-ingressgateway", "istio": "ingressgateway"}, [{"port": 80, "targetPort": 8080}])})
	gateway := _gateway({"istio": "ingressgateway"})
	gateway_exposure.server_publication(gateway, {"port": {"number": 80}}) == {"state": "internal"} with data.inventory as inventory
	edge := [{"namespace": "istio-system", "labels": {"app": "istio-ingressgateway"}}]
	found := gateway_exposure.server_publication(gateway, {"port": {"number": 80}}) with data.inventory as inventory with input.parameters as {"edge_gateways": edge}
	found == {"state": "published", "by": ["Service istio-system/istio-ingressgateway (declared in edge_gateways)"]}
	other := [{"namespace": "gateways", "labels": {"app": "istio-ingressgateway"}}]
	gateway_exposure.server_publication(gateway, {"port": {"number": 80}}) == {"state": "internal"} with data.inventory as inventory with input.parameters as {"edge_gateways": other}
}

# Istio's port translation: server port 80 equals the port of a Service in front of the pods
# (80 -> 8080), so the proxies listen on 8080, and any Service targeting 8080 reaches them.
test_translated_listener_reached_by_another_service if {
	inventory := _inventory("gw", {
		"internal": _service("ClusterIP", {"istio": "edge"}, [{"port": 80, "targetPort": 8080}]),
		"public": _service("LoadBalancer", {"istio": "edge"}, [{"port": 8000, "targetPort": 8080}]),
	})
	found := gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 80}}) with data.inventory as inventory
	found == {"state": "published", "by": ["Service gw/public (type LoadBalancer)"]}
}

# A server port translated by one Service (8080 -> 9090) is not reached by another Service that
# targets the untranslated number 8080.
test_untranslated_target_does_not_reach if {
	inventory := _inventory("gw", {
		"admin": _service("ClusterIP", {"istio": "edge"}, [{"port": 8080, "targetPort": 9090}]),
		"public": _service("LoadBalancer", {"istio": "edge"}, [{"port": 80, "targetPort": 8080}]),
	})
	found := gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 8080}}) with data.inventory as inventory
	found == {"state": "internal"}
}

# Services labelled experimental.istio.io/disable-gateway-port-translation take no part in the
# translation: server port 80 stays 80, which their 80 -> 8081 port does not reach.
test_disabled_translation_keeps_the_server_port if {
	labels := {"experimental.istio.io/disable-gateway-port-translation": "true"}
	local := json.patch(_service("LoadBalancer", {"istio": "edge"}, [{"port": 80, "targetPort": 8081}]), [{
		"op": "add", "path": "/metadata", "value": {"labels": labels},
	}])
	inventory := _inventory("gw", {"local": local})
	gateway := _gateway({"istio": "edge"})
	gateway_exposure.server_publication(gateway, {"port": {"number": 80}}) == {"state": "internal"} with data.inventory as inventory
	found := gateway_exposure.server_publication(gateway, {"port": {"number": 8081}}) with data.inventory as inventory
	found == {"state": "published", "by": ["Service gw/local (type LoadBalancer)"]}
}

# A Service port without targetPort targets its own number.
test_target_port_defaults_to_port if {
	inventory := _inventory("gw", {"edge": _service("NodePort", {"istio": "edge"}, [{"port": 8443}])})
	found := gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 8443}}) with data.inventory as inventory
	found.state == "published"
}

# Nested selectors front the gateway in either direction (a Service narrower or wider than the
# gateway's selector); a Service selector value that is not a string (an object, a list) equals
# no label, in either direction.
test_nested_selectors_front_either_way if {
	inventory := _inventory("gw", {
		"wider": _service("ClusterIP", {"istio": "edge", "app": "edge"}, [{"port": 80}]),
		"narrower": _service("ClusterIP", {"istio": "edge"}, [{"port": 80}]),
		"object": _service("LoadBalancer", {"istio": {"edge": "edge"}}, [{"port": 80}]),
		"list": _service("LoadBalancer", {"istio": ["edge"], "app": "edge"}, [{"port": 80}]),
	})
	found := gateway_exposure.server_publication(_gateway({"istio": "edge", "app": "edge"}), {"port": {"number": 80}}) with data.inventory as inventory
	found == {"state": "internal"}
	alone := _inventory("gw", {"object": _service("LoadBalancer", {"istio": {"edge": "edge"}}, [{"port": 80}])})
	none := gateway_exposure.server_publication(_gateway({"istio": "edge"}), {"port": {"number": 80}}) with data.inventory as alone
	none.state == "unknown"
}
