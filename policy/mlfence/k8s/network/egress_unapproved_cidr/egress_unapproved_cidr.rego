# METADATA
# title: NetworkPolicy egress to a public CIDR outside the approved ranges
# description: >-
#   An egress ipBlock to public address space that is neither internal nor inside an approved
#   cloud-service range lets pods send data to whoever holds those addresses. CDN and shared
#   cloud ranges are worse than they look: any of thousands of tenants can sit behind them.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
# custom:
#   id: MLF-K8S-004
#   long_id: k8s-netpol-egress-unapproved-cidr
#   severity: high
#   target: kubernetes
#   kinds: [NetworkPolicy]
#   recommended_action: >-
#     Reach internet services by name, not by address: an egress gateway with an Istio
#     ServiceEntry for the approved hosts, an FQDN-aware policy (Cilium, Calico) or an
#     allow-listing proxy. For a cloud service, approve its published range in bundle.yaml
#     (approved_ranges, kept current by `mlfence sync`) or use a private endpoint, and write
#     exactly that range.
package mlfence.k8s.network.egress_unapproved_cidr

import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.ranges
import data.lib.mlfence.result

violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, severity) if {
	k8s.in_scope
	k8s.is_network_policy
	some i, rule in k8s.egress_rules(k8s.review_object)
	is_object(rule)
	some block in k8s.ip_blocks(rule, "to")

	# Every address at all is MLF-K8S-001's finding.
	not net.is_everywhere(block.cidr)
	class := ranges.egress_class(block.cidr)
	some severity, why in _problem(class)
	msg := sprintf("NetworkPolicy %s egress rule %d allows ipBlock %s, %s%s", [
		k8s.resource, i, block.cidr, why, _except_note(block),
	])
}

# _problem(class) is {severity: explanation} for classes that are findings.
_problem(class) := {"high": sprintf("which is CDN space (%s): %s; %s", [class.owner, _cdn_why, _by_name])} if {
	class.class == "cdn"
} else := {"high": sprintf("a published range of %s that no approved range covers: %s", [class.owner, _cloud_why])} if {
	class.class == "cloud"
} else := {"medium": sprintf(
	"which overlaps the approved range of %s but reaches beyond it; narrow it to the approved range",
	[class.service],
)} if {
	class.class == "partial"
} else := {"high": sprintf("public address space that no approved range covers; %s", [_by_name])} if {
	class.class == "public"
} else := {}

_cdn_why := "unrelated sites share these addresses, so an IP rule cannot tell the intended service from any other"

_cloud_why := concat("", [
	"any tenant of that cloud can sit behind it; approve the service's range (approved_ranges) ",
	"or use a private endpoint",
])

_by_name := "use a domain-based control (egress gateway + ServiceEntry, FQDN policy or an allow-listing proxy)"

_except_note(block) := " (its `except` entries do not change this: the rule still reaches the rest of the block)" if {
	count(block.except) > 0
} else := ""
