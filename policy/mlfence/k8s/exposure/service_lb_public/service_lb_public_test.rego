package mlfence.k8s.exposure.service_lb_public_test

import data.mlfence.k8s.exposure.service_lb_public

_service(annotations, spec) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "model", "namespace": "ml-serving", "annotations": annotations, "labels": {"app": "gw"}},
	"spec": spec,
}

_lb := {"type": "LoadBalancer", "ports": [{"port": 443}]}

_violations(obj, params) := v if {
	v := service_lb_public.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_public_lb_without_source_ranges if {
	v := _violations(_service({}, _lb), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-030"
	f.details.resource == "ml-serving/Service/model"
	contains(f.msg, "sets no loadBalancerSourceRanges")
}

test_deny_open_source_ranges if {
	v := _violations(_service({}, object.union(_lb, {"loadBalancerSourceRanges": ["10.0.0.0/8", "::/0"]})), {})
	count(v) == 1
	some f in v
	contains(f.msg, "::/0")
}

test_deny_open_source_range_annotation if {
	annotations := {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8, 0.0.0.0/0"}
	count(_violations(_service(annotations, _lb), {})) == 1
}

test_allow_restricted_source_range_annotation if {
	annotations := {"service.beta.kubernetes.io/load-balancer-source-ranges": "203.0.113.0/24"}
	count(_violations(_service(annotations, _lb), {})) == 0
}

# The field wins over the annotation, as in the cloud providers.
test_allow_field_over_open_annotation if {
	annotations := {"service.beta.kubernetes.io/load-balancer-source-ranges": "0.0.0.0/0"}
	spec := object.union(_lb, {"loadBalancerSourceRanges": ["198.51.100.0/24"]})
	count(_violations(_service(annotations, spec), {})) == 0
}

test_allow_internal_annotations_of_every_cloud if {
	every annotations in [
		{"service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
		{"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"},
		{"networking.gke.io/load-balancer-type": "Internal"},
		{"cloud.google.com/load-balancer-type": "Internal"},
		{"service.beta.kubernetes.io/azure-load-balancer-internal": "true"},
	] {
		count(_violations(_service(annotations, _lb), {})) == 0
	}
}

test_deny_internal_annotation_set_to_false if {
	count(_violations(_service({"service.beta.kubernetes.io/azure-load-balancer-internal": "false"}, _lb), {})) == 1
}

test_deny_internet_facing_scheme_wins if {
	annotations := {
		"service.beta.kubernetes.io/aws-load-balancer-internal": "true",
		"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
	}
	count(_violations(_service(annotations, _lb), {})) == 1
}

# Attribute omitted: no type means ClusterIP.
test_allow_type_omitted if {
	count(_violations(_service({}, {"ports": [{"port": 80}]}), {})) == 0
}

test_allow_node_port_type_not_this_rule if {
	count(_violations(_service({}, {"type": "NodePort"}), {})) == 0
}

test_allow_edge_gateway_parameter if {
	params := {"edge_gateways": [{"namespace": "ml-serving", "labels": {"app": "gw"}}]}
	count(_violations(_service({}, _lb), params)) == 0
}

test_deny_edge_gateway_label_mismatch if {
	params := {"edge_gateways": [{"namespace": "ml-serving", "labels": {"app": "other"}}]}
	count(_violations(_service({}, _lb), params)) == 1
}

# An entry without labels approves nothing: a whole namespace must be written as labels: {}.
test_deny_edge_gateway_without_labels if {
	count(_violations(_service({}, _lb), {"edge_gateways": [{"namespace": "ml-serving"}]})) == 1
	count(_violations(_service({}, _lb), {"edge_gateways": [{"namespace": "ml-serving", "labels": {}}]})) == 0
}

test_allow_extra_internal_annotation_parameter if {
	params := {"extra_internal_lb_annotations": [{"key": "service.beta.kubernetes.io/oci-load-balancer-internal", "value": "true"}]}
	annotations := {"service.beta.kubernetes.io/oci-load-balancer-internal": "TRUE"}
	count(_violations(_service(annotations, _lb), params)) == 0
	count(_violations(_service(annotations, _lb), {})) == 1
}

# Exposure is judged in system namespaces too: an edge gateway there is approved by edge_gateways.
test_deny_in_system_namespace if {
	obj := json.patch(_service({}, _lb), [{"op": "replace", "path": "/metadata/namespace", "value": "kube-system"}])
	count(_violations(obj, {})) == 1
}

test_wrong_types_never_error if {
	count(_violations(_service("x", object.union(_lb, {"loadBalancerSourceRanges": "0.0.0.0/0"})), {})) == 1
	count(_violations(_service({"service.beta.kubernetes.io/aws-load-balancer-internal": true}, _lb), {})) == 1
	count(_violations(_service(null, {"type": "LoadBalancer", "loadBalancerSourceRanges": [null, 3]}), {})) == 1
	count(_violations(_service({}, _lb), {"edge_gateways": "x", "extra_internal_lb_annotations": {"a": 1}})) == 1
	count(_violations(_service({}, _lb), {"edge_gateways": [null, 1], "extra_internal_lb_annotations": [null, {"key": 1}]})) == 1
	count(_violations({"kind": "Service", "spec": "x"}, {})) == 0
	count(_violations("not an object", {})) == 0
}

# Kind names repeat across API groups: a Knative Service is not a core Service.
test_allow_other_api_group if {
	obj := json.patch(_service({}, _lb), [{"op": "replace", "path": "/apiVersion", "value": "serving.knative.dev/v1"}])
	count(_violations(obj, {})) == 0
}

# Union evasions: ranges each narrower than everything that together admit every address.
test_deny_source_range_halves if {
	halves := object.union(_lb, {"loadBalancerSourceRanges": ["0.0.0.0/1", "128.0.0.0/1"]})
	v := _violations(_service({}, halves), {})
	count(v) == 1
	v6 := object.union(_lb, {"loadBalancerSourceRanges": ["8000::/1", "::/1", "10.0.0.0/8"]})
	count(_violations(_service({}, v6), {})) == 1
	some f in v
	contains(f.msg, "allows source ranges 0.0.0.0/1 and 128.0.0.0/1, which together cover all of the public IPv4 address space")
}

# The older annotation is read the same way when the field is empty.
test_deny_source_range_annotation_halves if {
	annotations := {"service.beta.kubernetes.io/load-balancer-source-ranges": "0.0.0.0/1, 128.0.0.0/1"}
	count(_violations(_service(annotations, _lb), {})) == 1
}

test_allow_narrow_public_source_ranges if {
	narrow := object.union(_lb, {"loadBalancerSourceRanges": ["203.0.113.0/24", "198.51.100.7/32", "52.0.0.0/8"]})
	count(_violations(_service({}, narrow), {})) == 0
}

test_source_range_threshold_overridden if {
	wide := object.union(_lb, {"loadBalancerSourceRanges": ["52.0.0.0/8"]})
	count(_violations(_service({}, wide), {"open_share_threshold": 0.001})) == 1
	halves := object.union(_lb, {"loadBalancerSourceRanges": ["0.0.0.0/1", "128.0.0.0/1"]})
	count(_violations(_service({}, halves), {"open_share_threshold": null})) == 1
}
