# METADATA
# title: Istio Gateway accepts every host
# description: >-
#   A Gateway server with host `*` answers for any Host header and lets a VirtualService in any
#   namespace it exports to publish routes through it, so one team's test route or a notebook
#   service becomes reachable at the edge. Kubeflow's default gateway is set up this way.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/gateway/
#   - ref: https://istio.io/latest/docs/ops/best-practices/security/#avoid-overly-broad-hosts-configurations
# custom:
#   id: MLF-K8S-049
#   long_id: k8s-istio-gateway-wildcard-host
#   severity: high
#   target: kubernetes
#   kinds: [Gateway]
#   recommended_action: >-
#     List the published names in servers[].hosts, qualified by the namespace of the
#     VirtualServices allowed to bind them (e.g. "ml-serving/inference.example.com").
package k8s.istio.gateway_wildcard_host

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.violation(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "Gateway")
	some pair in istio.object_items(k8s.field(obj, ["spec", "servers"], []))
	some host in istio.string_items(pair[1].hosts)
	_any_host(host)
	msg := sprintf(
		"Gateway %s servers[%d] accepts host %s, so any Host and any bound VirtualService is published; %s",
		[k8s.resource, pair[0], host, "list the published names, qualified by namespace"],
	)
}

# "*" or "namespace/*": every name.
_any_host(host) if {
	parts := split(trim_space(host), "/")
	parts[count(parts) - 1] == "*"
}
