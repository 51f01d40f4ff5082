# METADATA
# description: |
#   Google Cloud in Terraform plans: VPC firewall rules as the Compute API applies them (the
#   direction and destination ranges it fills in when the configuration leaves them out).
#   Reads the plan only through lib.mlfence.tfplan.
package lib.mlfence.tfgoogle

import data.lib.mlfence.tfplan

# firewall_egress_allow is every enabled google_compute_firewall EGRESS rule with allow blocks.
firewall_egress_allow contains r if {
	some r in tfplan.of_type("google_compute_firewall")
	not tfplan.is_true(tfplan.setting(r, ["disabled"]))
	upper(sprintf("%v", [tfplan.setting(r, ["direction"])])) == "EGRESS"
	count(tfplan.blocks(r, "allow")) > 0
}

# firewall_destinations(r) is the destination CIDRs of an EGRESS rule; an EGRESS rule without
# destination_ranges applies to every destination (the API default 0.0.0.0/0), unless the
# value is still unknown.
firewall_destinations(r) := ranges if {
	ranges := tfplan.string_list(tfplan.setting(r, ["destination_ranges"]))
	count(ranges) > 0
} else := [] if {
	tfplan.pending(r, ["destination_ranges"])
} else := ["0.0.0.0/0"]
