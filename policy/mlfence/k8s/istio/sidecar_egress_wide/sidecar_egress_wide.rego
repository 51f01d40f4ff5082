# METADATA
# title: Sidecar egress reaches every namespace's hosts
# description: >-
#   A Sidecar egress host `*/*` (or `*/` with a wildcard name) imports every service and
#   ServiceEntry of every namespace into the workload's proxy, so a Sidecar meant to confine a
#   model loader to its registries confines nothing, and the proxy carries the whole mesh.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/sidecar/
# custom:
#   id: MLF-K8S-046
#   long_id: k8s-istio-sidecar-egress-wide
#   severity: medium
#   target: kubernetes
#   kinds: [Sidecar]
#   recommended_action: >-
#     List the namespaces and hosts the workload calls, e.g. "istio-system/*",
#     "./allowed-model-registries", "ml-data/feast.ml-data.svc.cluster.local"; use "./*" for the
#     own namespace.
package mlfence.k8s.istio.sidecar_egress_wide

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "Sidecar")
	some pair in istio.object_items(k8s.field(obj, ["spec", "egress"], []))
	some host in istio.string_items(pair[1].hosts)
	_wide(host)
	msg := sprintf(
		"Sidecar %s egress[%d] imports %s, i.e. matching hosts of every namespace; %s",
		[k8s.resource, pair[0], host, "list the namespaces and hosts the workload calls"],
	)
}

# "namespace/dnsName": any namespace ("*") with any name or a wildcard name.
_wide(host) if {
	parts := split(trim_space(host), "/")
	count(parts) == 2
	parts[0] == "*"
	startswith(parts[1], "*")
}
