# METADATA
# title: Service claims external IP addresses
# description: >-
#   spec.externalIPs makes every node accept traffic for the listed addresses and forward it to
#   the Service, outside any load balancer control. Anyone who may create Services can also use
#   it to intercept cluster traffic to those addresses (CVE-2020-8554).
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#external-ips
#   - ref: https://github.com/kubernetes/kubernetes/issues/97076
# custom:
#   id: MLF-K8S-032
#   long_id: k8s-service-external-ips
#   severity: high
#   target: kubernetes
#   kinds: [Service]
#   recommended_action: >-
#     Remove spec.externalIPs. Expose the workload through an internal LoadBalancer or the approved
#     ingress, and keep the DenyServiceExternalIPs admission plugin enabled.
package mlfence.k8s.exposure.service_external_ips

import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "Service"
	k8s.api_group(k8s.review_object) == ""
	ips := exposure.string_items(k8s.review_object.spec.externalIPs)
	count(ips) > 0
	msg := sprintf(
		"Service %s sets spec.externalIPs %s, so every node forwards those addresses to it; %s",
		[k8s.resource, concat(", ", ips), "remove externalIPs and use an internal LoadBalancer or the approved ingress"],
	)
}
