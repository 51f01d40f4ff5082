# METADATA
# description: |
#   Helpers of the exposure and Ingress rules: annotation values and comma-separated lists read
#   without errors, Ingress classes, and the approved edge gateways that may face the internet.
package lib.mlfence.exposure

import data.lib.mlfence.config
import data.lib.mlfence.k8s

# annotation(obj, key) is the annotation's value, trimmed, or "" when absent or not a string.
default annotation(_, _) := ""

annotation(obj, key) := trim_space(k8s.annotations(obj)[key]) if is_string(k8s.annotations(obj)[key])

# csv(text) is the list of non-empty, trimmed entries of a comma-separated annotation value.
default csv(_) := []

csv(text) := [entry |
	some part in split(text, ",")
	entry := trim_space(part)
	entry != ""
] if {
	is_string(text)
}

# string_items(x) is the list of strings of a list value, ignoring other entries; [] otherwise.
default string_items(_) := []

string_items(x) := [s |
	some s in x
	is_string(s)
] if {
	is_array(x)
}

# edge_gateway(obj, namespace) holds when an entry of the edge_gateways parameter names the
# object's namespace and every label of the entry is on the object. An entry without labels
# would approve a whole namespace, which is a decision to write down, so it needs `labels: {}`.
edge_gateway(obj, namespace) if {
	some gateway in config.value("edge_gateways")
	is_object(gateway)
	gateway.namespace == namespace
	is_object(gateway.labels)
	every key, value in gateway.labels {
		k8s.labels(obj)[key] == value
	}
}

# is_ingress(obj) holds for an Ingress of networking.k8s.io or the removed extensions group
# (old manifests still in CI trees); objects without apiVersion are hand-written test input.
is_ingress(obj) if {
	obj.kind == "Ingress"
	k8s.api_group(obj) in {"networking.k8s.io", "extensions", ""}
}

# ingress_class(obj) is the Ingress's class: spec.ingressClassName, else the older
# kubernetes.io/ingress.class annotation, else "" (the cluster's default class).
default ingress_class(_) := ""

ingress_class(obj) := obj.spec.ingressClassName if {
	is_string(obj.spec.ingressClassName)
	obj.spec.ingressClassName != ""
} else := annotation(obj, "kubernetes.io/ingress.class") if {
	annotation(obj, "kubernetes.io/ingress.class") != ""
}

# internal_ingress(obj) holds for an Ingress served only on private networks: its class is in
# internal_ingress_classes, it is GKE's internal class, or the AWS Load Balancer Controller is
# told to build an internal ALB.
internal_ingress(obj) if {
	ingress_class(obj) in {c | some c in config.value("internal_ingress_classes")}
}

internal_ingress(obj) if ingress_class(obj) == "gce-internal"

internal_ingress(obj) if lower(annotation(obj, "alb.ingress.kubernetes.io/scheme")) == "internal"

# ingress_rules(obj) is the list of [index, rule] of spec.rules that are objects.
default ingress_rules(_) := []

ingress_rules(obj) := [[i, rule] |
	some i, rule in obj.spec.rules
	is_object(rule)
] if {
	is_array(obj.spec.rules)
}

# The annotations that make a LoadBalancer internal, per cloud, as documented by the AWS Load
# Balancer Controller / in-tree AWS provider, GKE and AKS. Values compare case-insensitively.
_builtin_internal := [
	{"key": "service.beta.kubernetes.io/aws-load-balancer-internal", "value": "true"},
	{"key": "service.beta.kubernetes.io/aws-load-balancer-scheme", "value": "internal"},
	{"key": "networking.gke.io/load-balancer-type", "value": "internal"},
	{"key": "cloud.google.com/load-balancer-type", "value": "internal"},
	{"key": "service.beta.kubernetes.io/azure-load-balancer-internal", "value": "true"},
]

# internal_load_balancer(obj) holds when the object's annotations make the cloud load balancer
# created for it internal (a LoadBalancer Service, or a Gateway's spec.infrastructure copied onto
# its Service).
internal_load_balancer(obj) if {
	# The AWS scheme annotation wins over the deprecated internal one.
	annotation(obj, "service.beta.kubernetes.io/aws-load-balancer-scheme") != "internet-facing"
	some marker in array.concat(_builtin_internal, _extra_markers)
	lower(annotation(obj, marker.key)) == lower(marker.value)
}

default _extra_markers := []

_extra_markers := [m |
	some m in config.value("extra_internal_lb_annotations")
	is_string(m.key)
	is_string(m.value)
] if {
	is_array(config.value("extra_internal_lb_annotations"))
}
