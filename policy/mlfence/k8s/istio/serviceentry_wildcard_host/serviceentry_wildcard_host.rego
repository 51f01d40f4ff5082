# METADATA
# title: ServiceEntry opens egress to every host or to any address behind a wildcard
# description: >-
#   A ServiceEntry host `*` registers the whole internet with the mesh. A wildcard host with
#   resolution NONE (the default) forwards to whatever address the client connected to once
#   the Host header or SNI matches, and the client chooses both, so the wildcard allows any
#   destination IP: a ready exfiltration path for a compromised training or serving pod.
#   So do `addresses` that together cover the internet (0.0.0.0/0, or 0.0.0.0/1 + 128.0.0.0/1,
#   or open_share_threshold of the public space) with resolution NONE: traffic to any of those
#   addresses leaves for the address the client chose.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/service-entry/
#   - ref: https://istio.io/latest/docs/tasks/traffic-management/egress/wildcard-egress-hosts/
# custom:
#   id: MLF-K8S-044
#   long_id: k8s-istio-serviceentry-wildcard-host
#   severity: high
#   target: kubernetes
#   kinds: [ServiceEntry]
#   recommended_action: >-
#     List the exact hosts the workload needs with resolution DNS; where a wildcard is
#     unavoidable use resolution DYNAMIC_DNS (Istio 1.22+) or route it through an egress gateway
#     that resolves and checks the name.
package mlfence.k8s.istio.serviceentry_wildcard_host

import data.lib.mlfence.config
import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result

# Host `*`: every destination.
violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, "critical") if {
	"*" in {trim_space(host) | some host in _hosts}
	msg := sprintf("ServiceEntry %s lists host *, which admits every destination; %s", [k8s.resource, _fix])
}

# Wildcard domain with resolution NONE: any address that presents a matching name.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	istio.service_entry_location(_spec) == "MESH_EXTERNAL"
	_resolution == "NONE"
	some host in _hosts
	startswith(trim_space(host), "*.")
	msg := sprintf(
		"ServiceEntry %s lists wildcard host %s with resolution %s, so traffic goes to any address the client picks; %s",
		[k8s.resource, host, _resolution_label, _fix],
	)
}

# Addresses with resolution NONE: the union of the entries is the set of destinations. All of a
# family's public space is as bad as host `*`; a large share of it is still any destination.
violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, severity) if {
	_resolution == "NONE"
	addresses := istio.string_items(k8s.field(_spec, ["addresses"], []))
	net.opens_share(addresses, config.value("open_share_threshold"))
	severity := _addresses_severity(addresses)
	msg := sprintf(
		"ServiceEntry %s has resolution %s and lists %s, so traffic to them goes to whatever address the client picks; %s",
		[k8s.resource, _resolution_label, net.union_text("address", addresses), _fix],
	)
}

_addresses_severity(addresses) := "critical" if net.open_share(addresses) == 1

else := "high"

_fix := "list exact hosts with resolution DNS, or use DYNAMIC_DNS or an egress gateway for wildcards"

_spec := k8s.field(k8s.review_object, ["spec"], {}) if {
	k8s.in_scope
	istio.is_kind(k8s.review_object, "networking.istio.io", "ServiceEntry")
}

_hosts := istio.string_items(k8s.field(_spec, ["hosts"], []))

_resolution := istio.service_entry_resolution(_spec)

default _resolution_label := "NONE (the default)"

_resolution_label := _resolution if is_string(_spec.resolution)
