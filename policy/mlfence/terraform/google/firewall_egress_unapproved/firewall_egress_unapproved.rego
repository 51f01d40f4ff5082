# METADATA
# title: Firewall rule allows egress to public addresses outside approved ranges
# description: >-
#   An EGRESS allow rule to a public CIDR that is not an approved published service range opens
#   an exfiltration path from ML workloads: a cloud range reaches any customer of that cloud,
#   a CDN range reaches any site behind that CDN, and an unowned range is simply the internet.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_firewall
#   - ref: https://cloud.google.com/firewall/docs/about-fqdn-objects
# custom:
#   id: MLF-TF-042
#   long_id: tf-google-firewall-egress-unapproved
#   severity: medium
#   target: terraform
#   kinds: [google_compute_firewall]
#   recommended_action: >-
#     Approve the published range of the service in bundle.yaml (mlfence sync keeps it current)
#     or narrow destination_ranges to it; for CDN-fronted services use a domain-based control
#     (Cloud NGFW FQDN objects or Secure Web Proxy) because a CDN address names no tenant.
package mlfence.terraform.google.firewall_egress_unapproved

import data.lib.mlfence.net
import data.lib.mlfence.ranges
import data.lib.mlfence.result
import data.lib.mlfence.tfgoogle

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some hit in _hits
	hit.class.class in {"cloud", "public", "partial"}
	r := hit.resource
	msg := sprintf("%s allows EGRESS to %s, %s; approve the published range or narrow destination_ranges", [
		r.address, hit.cidr, _describe(hit.class),
	])
}

violation contains result.warning(rego.metadata.chain(), r.address, msg) if {
	some hit in _hits
	hit.class.class == "cdn"
	r := hit.resource
	msg := sprintf(
		"%s allows EGRESS to %s, a %s CDN range shared by any site behind it; %s",
		[r.address, hit.cidr, hit.class.owner, "use Cloud NGFW FQDN objects or Secure Web Proxy"],
	)
}

# Whole-internet destinations are MLF-TF-041's finding; this rule judges bounded public CIDRs.
_hits contains {"resource": r, "cidr": cidr, "class": ranges.egress_class(cidr)} if {
	some r in tfgoogle.firewall_egress_allow
	some cidr in tfgoogle.firewall_destinations(r)
	not net.is_everywhere(cidr)
}

_describe(class) := sprintf("part of %s but wider than the approved range", [class.service]) if {
	class.class == "partial"
} else := sprintf("a %s cloud range not approved for any service", [class.owner]) if {
	class.class == "cloud"
} else := "a public range of no known service"
