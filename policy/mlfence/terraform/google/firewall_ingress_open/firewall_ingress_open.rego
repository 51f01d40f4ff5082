# METADATA
# title: Firewall rule allows ingress from the whole internet
# description: >-
#   A google_compute_firewall INGRESS allow rule with source 0.0.0.0/0 or ::/0 makes every
#   targeted VM reachable by anyone: notebooks, Ray dashboards, MLflow and model servers on
#   those VMs are found by scanners within hours. An INGRESS rule without any source is the same
#   thing: Google Cloud fills in 0.0.0.0/0 when no source range, tag or service account is given.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_firewall
#   - ref: https://cloud.google.com/firewall/docs/firewalls#sources_for_rules
# custom:
#   id: MLF-TF-040
#   long_id: tf-google-firewall-ingress-open
#   severity: high
#   target: terraform
#   kinds: [google_compute_firewall]
#   recommended_action: >-
#     Set source_ranges to the networks that must connect (your VPC, VPN or IAP range
#     35.235.240.0/20 for SSH/TCP forwarding) or use source_tags / source_service_accounts, and
#     put public services behind a load balancer instead of opening the VMs.
package mlfence.terraform.google.firewall_ingress_open

import data.lib.mlfence.net
import data.lib.mlfence.tfplan
import data.lib.mlfence.tfports

violation contains tfports.exposure(rego.metadata.chain(), r, msg, specs) if {
	some r in _ingress_allow
	some source in _open_sources(r)
	specs := _port_specs(r)
	msg := sprintf("%s allows INGRESS from %s on %s; restrict source_ranges", [
		r.address, source, tfports.describe_ports(specs),
	])
}

# source_ranges is Optional+Computed: left out it is listed in after_unknown, and the API fills
# in 0.0.0.0/0 when no tag or service account is given either (_sourceless).
violation contains f if {
	rs := [r | some r in _ingress_allow; not _has_known_source(r)]
	sources := ["source_ranges", "source_tags", "source_service_accounts"]
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, sources)
}

# Enabled INGRESS rules that allow something. direction is Optional+Computed with the API
# default INGRESS, so an omitted or not-yet-known direction is judged as INGRESS.
_ingress_allow contains r if {
	some r in tfplan.of_type("google_compute_firewall")
	not tfplan.is_true(tfplan.setting(r, ["disabled"]))
	_is_ingress(r)
	count(tfplan.blocks(r, "allow")) > 0
}

_is_ingress(r) if upper(sprintf("%v", [tfplan.setting(r, ["direction"])])) == "INGRESS"

_is_ingress(r) if not is_string(tfplan.setting(r, ["direction"]))

# The ranges are judged together: 0.0.0.0/1 and 128.0.0.0/1 are 0.0.0.0/0.
_open_sources(r) := {_describe(ranges)} if {
	ranges := tfplan.string_list(tfplan.setting(r, ["source_ranges"]))
	count(ranges) > 0
	net.opens_internet(ranges)
} else := set() if {
	count(tfplan.string_list(tfplan.setting(r, ["source_ranges"]))) > 0
} else := {"0.0.0.0/0 (no source given, the API default)"} if {
	_sourceless(r)
} else := set()

_describe(ranges) := concat(", ", everywhere) if {
	everywhere := [c | some c in ranges; net.is_everywhere(c)]
	count(everywhere) > 0
} else := sprintf("%s (together the internet)", [concat(", ", ranges)])

# No source of any kind, and none of them pending: the API applies 0.0.0.0/0.
_sourceless(r) if {
	every attribute in ["source_ranges", "source_tags", "source_service_accounts"] {
		count(tfplan.string_list(tfplan.setting(r, [attribute]))) == 0
		not tfplan.pending(r, [attribute])
	}
}

_has_known_source(r) if count(tfplan.string_list(tfplan.setting(r, ["source_ranges"]))) > 0

# Ports the allow blocks open: [] (all ports) when a port-carrying protocol comes without ports
# or the protocol is "all", the listed ports otherwise, null when only ICMP-like protocols.
_port_specs(r) := [] if {
	some b in tfplan.blocks(r, "allow")
	_carries_ports(b)
	count(tfplan.string_list(object.get(b, "ports", null))) == 0
} else := [p |
	some b in tfplan.blocks(r, "allow")
	_carries_ports(b)
	some p in tfplan.string_list(object.get(b, "ports", null))
] if {
	some b in tfplan.blocks(r, "allow")
	_carries_ports(b)
} else := null

_carries_ports(b) if lower(sprintf("%v", [b.protocol])) in {"tcp", "udp", "sctp", "all", "6", "17", "132"}
