package lib.mlfence.exposure_test

import data.lib.mlfence.exposure

test_annotation_and_csv if {
	obj := {"metadata": {"annotations": {"a": " x ", "n": 1}}}
	exposure.annotation(obj, "a") == "x"
	exposure.annotation(obj, "n") == ""
	exposure.annotation(obj, "missing") == ""
	exposure.annotation("x", "a") == ""
	exposure.csv("10.0.0.0/8, ,192.168.0.0/16,") == ["10.0.0.0/8", "192.168.0.0/16"]
	exposure.csv(null) == []
	exposure.string_items(["a", null, 1]) == ["a"]
	exposure.string_items("a") == []
}

test_edge_gateway if {
	obj := {"metadata": {"labels": {"app": "gw", "tier": "edge"}}}
	gateways := [{"namespace": "edge", "labels": {"app": "gw"}}]
	exposure.edge_gateway(obj, "edge") with input.parameters as {"edge_gateways": gateways}
	not exposure.edge_gateway(obj, "other") with input.parameters as {"edge_gateways": gateways}
	not exposure.edge_gateway(obj, "edge")
	not exposure.edge_gateway({}, "edge") with input.parameters as {"edge_gateways": gateways}
}

test_ingress_class_and_internal if {
	exposure.ingress_class({"spec": {"ingressClassName": "nginx"}, "metadata": {"annotations": {"kubernetes.io/ingress.class": "old"}}}) == "nginx"
	exposure.ingress_class({"spec": {"ingressClassName": ""}, "metadata": {"annotations": {"kubernetes.io/ingress.class": "old"}}}) == "old"
	exposure.ingress_class({}) == ""
	exposure.internal_ingress({"spec": {"ingressClassName": "private"}}) with input.parameters as {"internal_ingress_classes": ["private"]}
	not exposure.internal_ingress({"spec": {"ingressClassName": "private"}})
	exposure.is_ingress({"kind": "Ingress", "apiVersion": "networking.k8s.io/v1"})
	not exposure.is_ingress({"kind": "Ingress", "apiVersion": "gateway.example.com/v1"})
	exposure.ingress_rules({"spec": {"rules": [{"host": "a"}, null]}}) == [[0, {"host": "a"}]]
	exposure.ingress_rules({"spec": {"rules": "x"}}) == []
}
