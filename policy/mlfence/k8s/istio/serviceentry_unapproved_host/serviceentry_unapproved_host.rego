# METADATA
# title: ServiceEntry opens egress to a host outside the approved domains
# description: >-
#   A MESH_EXTERNAL ServiceEntry makes an internet host reachable from the mesh (and with
#   REGISTRY_ONLY egress, it is the allowlist). Hosts beyond the approved model registries and
#   artifact stores give training and serving pods a way to pull unvetted code or models and to
#   send data out.
# related_resources:
#   - ref: https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
# custom:
#   id: MLF-K8S-045
#   long_id: k8s-istio-serviceentry-unapproved-host
#   severity: high
#   target: kubernetes
#   kinds: [ServiceEntry]
#   recommended_action: >-
#     Reach the host through an approved mirror or registry, or have it reviewed and added to the
#     approved_egress_domains parameter ("*" matches one DNS label).
package mlfence.k8s.istio.serviceentry_unapproved_host

import data.lib.mlfence.config
import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "ServiceEntry")
	spec := k8s.field(obj, ["spec"], {})
	istio.service_entry_location(spec) == "MESH_EXTERNAL"

	# An entry that can only reach the proxy's own host (loopback endpoints, localhost) opens
	# no egress, whatever name it gives that host.
	not istio.service_entry_loopback_only(spec)
	unapproved := {host |
		some host in istio.string_items(k8s.field(spec, ["hosts"], []))

		# `*` alone is MLF-K8S-044's critical finding.
		trim_space(host) != "*"
		not _approved(host)
	}
	count(unapproved) > 0
	msg := sprintf(
		"ServiceEntry %s opens egress to %s, outside the approved egress domains; %s",
		[k8s.resource, concat(", ", sort(unapproved)), "use an approved registry or have the domain approved"],
	)
}

_approved(host) if {
	some pattern in istio.string_items(config.value("approved_egress_domains"))
	istio.domain_match(pattern, host)
}
