package mlfence.k8s.ingress.source_range_test

import data.mlfence.k8s.ingress.source_range

_ingress(annotations, spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "ml-inference-ingress", "namespace": "ml-workloads", "annotations": annotations},
	"spec": object.union({"rules": [{"host": "inference.example.com"}]}, spec),
}

_violations(obj, params) := v if {
	v := source_range.violation with input as {"review": {"object": obj}, "parameters": params}
}

# The seed's Ingress: an internal /24 only.
test_allow_seed_whitelist if {
	count(_violations(_ingress({"nginx.ingress.kubernetes.io/whitelist-source-range": "192.168.1.0/24"}, {}), {})) == 0
}

test_allow_allowlist_and_alb_inbound_cidrs if {
	count(_violations(_ingress({"nginx.ingress.kubernetes.io/allowlist-source-range": "10.0.0.0/8, 203.0.113.7/32"}, {}), {})) == 0
	count(_violations(_ingress({"alb.ingress.kubernetes.io/inbound-cidrs": "10.0.0.0/8"}, {}), {})) == 0
}

# Attribute omitted.
test_deny_without_allowlist if {
	v := _violations(_ingress({}, {"ingressClassName": "nginx"}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-036"
	contains(f.msg, "(class nginx) sets no source-range allowlist")
}

test_deny_open_allowlist if {
	v := _violations(_ingress({"nginx.ingress.kubernetes.io/whitelist-source-range": "192.168.1.0/24,0.0.0.0/0"}, {}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "allows 0.0.0.0/0")
	contains(f.msg, "(class default)")
}

test_deny_empty_annotation if {
	count(_violations(_ingress({"nginx.ingress.kubernetes.io/allowlist-source-range": " , "}, {}), {})) == 1
}

test_allow_internal_class_parameter if {
	obj := _ingress({}, {"ingressClassName": "nginx-internal"})
	count(_violations(obj, {})) == 1
	count(_violations(obj, {"internal_ingress_classes": ["nginx-internal"]})) == 0
}

test_allow_internal_class_annotation if {
	obj := _ingress({"kubernetes.io/ingress.class": "nginx-internal"}, {})
	count(_violations(obj, {"internal_ingress_classes": ["nginx-internal"]})) == 0
}

test_allow_builtin_internal_markers if {
	count(_violations(_ingress({"kubernetes.io/ingress.class": "gce-internal"}, {}), {})) == 0
	count(_violations(_ingress({"alb.ingress.kubernetes.io/scheme": "internal"}, {"ingressClassName": "alb"}), {})) == 0
	count(_violations(_ingress({"alb.ingress.kubernetes.io/scheme": "internet-facing"}, {"ingressClassName": "alb"}), {})) == 1
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	obj := _ingress({}, {})
	count(_violations(obj, {"system_namespaces": ["ml-workloads"]})) == count(_violations(obj, {}))
}

test_wrong_types_never_error if {
	count(_violations(_ingress({"nginx.ingress.kubernetes.io/whitelist-source-range": ["10.0.0.0/8"]}, {}), {})) == 1
	count(_violations(_ingress("x", {"ingressClassName": 3}), {})) == 1
	count(_violations(_ingress({}, {}), {"internal_ingress_classes": "nginx"})) == 1
	count(_violations({"kind": "Ingress", "metadata": null, "spec": "x"}, {})) == 1
	count(_violations({"kind": "Service"}, {})) == 0
}

# Union evasions: one annotation's entries admit their union.
test_deny_allowlist_halves if {
	v := _violations(_ingress({"nginx.ingress.kubernetes.io/allowlist-source-range": "0.0.0.0/1, 128.0.0.0/1"}, {}), {})
	count(v) == 1
	count(_violations(_ingress({"alb.ingress.kubernetes.io/inbound-cidrs": "::/1,8000::/1"}, {}), {})) == 1
	some f in v
	contains(f.msg, "allows ranges 0.0.0.0/1 and 128.0.0.0/1, which together cover all of the public IPv4 address space in nginx.ingress.kubernetes.io/allowlist-source-range")
}

test_allow_narrow_public_allowlist if {
	count(_violations(_ingress({"nginx.ingress.kubernetes.io/allowlist-source-range": "203.0.113.0/24,52.0.0.0/8"}, {}), {})) == 0
}

test_allowlist_threshold_overridden if {
	annotations := {"nginx.ingress.kubernetes.io/allowlist-source-range": "52.0.0.0/8"}
	count(_violations(_ingress(annotations, {}), {"open_share_threshold": 0.001})) == 1
}
