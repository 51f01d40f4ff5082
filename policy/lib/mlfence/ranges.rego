# METADATA
# description: |
#   Classifies an egress destination CIDR against the approved internal CIDRs, the approved
#   published cloud-service ranges and the ownership of published ranges (clouds and CDNs).
#   All inputs arrive as parameters (config.value), so Gatekeeper, conftest and the bundle
#   decide with the same code. Parameter shapes:
#     approved_ranges: {provider: {service: {region: {"ipv4": [cidr], "ipv6": [cidr]}}}}
#     owner_ranges:    {owner: {"kind": "cdn" | "cloud", "ipv4": [cidr], "ipv6": [cidr]}}
package lib.mlfence.ranges

import data.lib.mlfence.config

# family(cidr) is "ipv6" for an address with a colon, else "ipv4".
family(cidr) := "ipv6" if contains(cidr, ":")

else := "ipv4"

# egress_class(cidr) describes where a destination CIDR points:
#   {"class": "internal" | "approved" | "partial" | "cdn" | "cloud" | "public" | "invalid",
#    "owner": name or "", "service": "provider/service/region" or ""}
# "partial" means the block overlaps an approved range but is not inside one.
egress_class(cidr) := {"class": "invalid", "owner": "", "service": ""} if {
	not net.cidr_is_valid(cidr)
} else := {"class": "internal", "owner": "", "service": ""} if {
	some internal in config.value("internal_cidrs")
	family(internal) == family(cidr)
	net.cidr_contains(internal, cidr)
} else := object.union({"class": "approved"}, sort(approved_containing(cidr))[0]) if {
	count(approved_containing(cidr)) > 0
} else := object.union({"class": "partial"}, sort(approved_overlapping(cidr))[0]) if {
	count(approved_overlapping(cidr)) > 0
} else := sort(owners_of(cidr))[0] if {
	count(owners_of(cidr)) > 0
} else := {"class": "public", "owner": "", "service": ""}

# approved_containing(cidr) is the set of {"owner", "service"} of approved ranges that contain
# the whole block; "service" reads "provider/service/region".
approved_containing(cidr) := {{"owner": provider, "service": sprintf("%s/%s/%s", [provider, service, region])} |
	some provider, services in config.value("approved_ranges")
	some service, regions in services
	some region, families in regions
	some approved in object.get(families, family(cidr), [])
	net.cidr_contains(approved, cidr)
}

approved_overlapping(cidr) := {{"owner": provider, "service": sprintf("%s/%s/%s", [provider, service, region])} |
	some provider, services in config.value("approved_ranges")
	some service, regions in services
	some region, families in regions
	some approved in object.get(families, family(cidr), [])
	net.cidr_intersects(approved, cidr)
}

# owners_of(cidr) is the set of {"class", "owner", "service"} of published owners whose ranges
# overlap the block. A CDN wins over a cloud when both claim the space (CloudFront is AWS and
# a CDN), because the advice differs: a CDN address says nothing about who is behind it.
owners_of(cidr) := _owners_of_kind(cidr, "cdn") if {
	count(_owners_of_kind(cidr, "cdn")) > 0
} else := _owners_of_kind(cidr, "cloud")

_owners_of_kind(cidr, kind) := {{"class": kind, "owner": owner, "service": ""} |
	some owner, entry in config.value("owner_ranges")
	entry.kind == kind
	some published in object.get(entry, family(cidr), [])
	net.cidr_intersects(published, cidr)
}
