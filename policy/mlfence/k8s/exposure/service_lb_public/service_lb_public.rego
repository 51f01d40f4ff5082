# METADATA
# title: LoadBalancer Service is reachable from the whole internet
# description: >-
#   A Service of type LoadBalancer without its cloud's internal annotation gets a public address,
#   and without loadBalancerSourceRanges (or with ranges that together cover the internet, such
#   as 0.0.0.0/1 + 128.0.0.0/1) every address on the internet may connect. Model
#   servers, notebooks and dashboards behind it are found by scanners within minutes.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer
#   - ref: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
#   - ref: https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing
#   - ref: https://learn.microsoft.com/en-us/azure/aks/internal-lb
# custom:
#   id: MLF-K8S-030
#   long_id: k8s-service-lb-public
#   severity: high
#   target: kubernetes
#   kinds: [Service]
#   recommended_action: >-
#     Make the load balancer internal with your cloud's annotation
#     (service.beta.kubernetes.io/aws-load-balancer-scheme: internal,
#     networking.gke.io/load-balancer-type: "Internal",
#     service.beta.kubernetes.io/azure-load-balancer-internal: "true"), or restrict
#     spec.loadBalancerSourceRanges to the client CIDRs, or publish through the approved edge
#     gateway (edge_gateways parameter) instead.
package mlfence.k8s.exposure.service_lb_public

import data.lib.mlfence.config
import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "Service"
	obj := k8s.review_object
	k8s.api_group(obj) == ""
	obj.spec.type == "LoadBalancer"
	not exposure.internal_load_balancer(obj)
	not exposure.edge_gateway(obj, k8s.namespace)
	some why in _open_sources(obj)
	msg := sprintf("Service %s is an internet-facing LoadBalancer and %s; %s", [k8s.resource, why, _fix])
}

_fix := concat(" ", [
	"add your cloud's internal load balancer annotation",
	"or restrict spec.loadBalancerSourceRanges to the client CIDRs",
])

# _source_ranges(obj) is what the cloud provider applies: spec.loadBalancerSourceRanges, or the
# older annotation when the field is empty.
_source_ranges(obj) := exposure.string_items(obj.spec.loadBalancerSourceRanges) if {
	count(exposure.string_items(obj.spec.loadBalancerSourceRanges)) > 0
} else := exposure.csv(exposure.annotation(obj, "service.beta.kubernetes.io/load-balancer-source-ranges"))

_open_sources(obj) := {"sets no loadBalancerSourceRanges, so every address may connect"} if {
	count(_source_ranges(obj)) == 0
} else := {sprintf("allows source range %s, i.e. every address", [cidr]) |
	some cidr in _source_ranges(obj)
	net.is_everywhere(cidr)
} | _together(_source_ranges(obj))

# The cloud admits the union of the ranges: 0.0.0.0/1 + 128.0.0.0/1 is every address although
# neither range is (judged against open_share_threshold of the public IPv4 or IPv6 space).
_together(ranges) := {sprintf("allows %s", [net.union_text("source range", ranges)])} if {
	every cidr in ranges {
		not net.is_everywhere(cidr)
	}
	net.opens_share(ranges, config.value("open_share_threshold"))
} else := set()
