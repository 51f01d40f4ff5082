# METADATA
# title: Ingress accepts clients from every address
# description: >-
#   An Ingress on an internet-facing controller without a source-range allowlist publishes the
#   model API, notebook or dashboard behind it to the whole internet; an allowlist of 0.0.0.0/0,
#   or of ranges that together cover the internet (0.0.0.0/1,128.0.0.0/1), does the same. The
#   seed's ml-inference-ingress shows the safe form: an internal CIDR only.
# related_resources:
#   - ref: https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
#   - ref: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
# custom:
#   id: MLF-K8S-036
#   long_id: k8s-ingress-source-range
#   severity: high
#   target: kubernetes
#   kinds: [Ingress]
#   recommended_action: >-
#     Add nginx.ingress.kubernetes.io/allowlist-source-range (whitelist-source-range on older
#     controllers) or alb.ingress.kubernetes.io/inbound-cidrs with the client CIDRs, or serve the
#     Ingress from an internal ingress class listed in internal_ingress_classes.
package mlfence.k8s.ingress.source_range

import data.lib.mlfence.config
import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	exposure.is_ingress(k8s.review_object)
	obj := k8s.review_object
	not exposure.internal_ingress(obj)
	some why in _open(obj)
	msg := sprintf("Ingress %s (class %s) %s; %s", [k8s.resource, _class_label(obj), why, _fix])
}

_fix := concat(" ", [
	"add nginx.ingress.kubernetes.io/allowlist-source-range with the client CIDRs",
	"or use an internal ingress class",
])

# Annotations through which the common controllers restrict client addresses; each holds a
# comma-separated CIDR list.
_range_annotations := [
	"nginx.ingress.kubernetes.io/allowlist-source-range",
	"nginx.ingress.kubernetes.io/whitelist-source-range",
	"alb.ingress.kubernetes.io/inbound-cidrs",
]

_ranges(obj) := {[key, cidr] |
	some key in _range_annotations
	some cidr in exposure.csv(exposure.annotation(obj, key))
}

_open(obj) := {"sets no source-range allowlist, so every client address may connect"} if {
	count(_ranges(obj)) == 0
} else := {sprintf("allows %s in %s, i.e. every client address", [pair[1], pair[0]]) |
	some pair in _ranges(obj)
	net.is_everywhere(pair[1])
} | {sprintf("allows %s in %s", [net.union_text("range", cidrs), key]) |
	# The controller admits the union of one annotation's entries: 0.0.0.0/1,128.0.0.0/1 is
	# every client although neither entry is.
	some key in _range_annotations
	cidrs := exposure.csv(exposure.annotation(obj, key))
	every cidr in cidrs {
		not net.is_everywhere(cidr)
	}
	net.opens_share(cidrs, config.value("open_share_threshold"))
}

_class_label(obj) := exposure.ingress_class(obj) if exposure.ingress_class(obj) != ""

else := "default"
