# METADATA
# title: Sidecar lets workloads reach any external host
# description: >-
#   outboundTrafficPolicy mode ALLOW_ANY passes traffic to hosts the mesh does not know straight
#   through the proxy, so the ServiceEntry allowlist of approved registries stops nothing: the
#   selected training or serving pods reach any address on the internet.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
#   - ref: https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
# custom:
#   id: MLF-K8S-047
#   long_id: k8s-istio-sidecar-outbound-allow-any
#   severity: high
#   target: kubernetes
#   kinds: [Sidecar]
#   recommended_action: >-
#     Set spec.outboundTrafficPolicy.mode: REGISTRY_ONLY (or omit it where the mesh default is
#     REGISTRY_ONLY) and declare each external host the workload needs in a ServiceEntry.
package mlfence.k8s.istio.sidecar_outbound_allow_any

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "Sidecar")
	mode := k8s.field(obj, ["spec", "outboundTrafficPolicy", "mode"], "")
	is_string(mode)
	upper(mode) == "ALLOW_ANY"
	msg := sprintf(
		"Sidecar %s sets outboundTrafficPolicy.mode: ALLOW_ANY, so its workloads reach any external host; %s",
		[k8s.resource, "use REGISTRY_ONLY and declare external hosts in ServiceEntries"],
	)
}
