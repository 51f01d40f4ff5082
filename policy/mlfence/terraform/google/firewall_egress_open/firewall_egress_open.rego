# METADATA
# title: Firewall rule allows egress to the whole internet
# description: >-
#   An EGRESS allow rule to 0.0.0.0/0 or ::/0 lets training jobs, notebooks and model servers
#   send data anywhere. Every VPC already carries an implied allow-all egress at priority 65535;
#   platforms that isolate ML workloads add a deny-all egress rule, and an explicit allow-all
#   at a higher priority silently undoes it. Omitting destination_ranges means 0.0.0.0/0.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_firewall
#   - ref: https://cloud.google.com/firewall/docs/firewalls#default_firewall_rules
# custom:
#   id: MLF-TF-041
#   long_id: tf-google-firewall-egress-open
#   severity: high
#   target: terraform
#   kinds: [google_compute_firewall]
#   recommended_action: >-
#     List the destinations the workload needs in destination_ranges (Private Google Access
#     ranges such as 199.36.153.8/30, your data stores, approved published ranges) and send the
#     rest through an egress proxy (Secure Web Proxy, Cloud NGFW FQDN rules). Proxy instances may
#     be exempted by tagging them with a tag listed in gcp_egress_proxy_tags.
package mlfence.terraform.google.firewall_egress_open

import data.lib.mlfence.config
import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfgoogle
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfgoogle.firewall_egress_allow
	not _proxy_only(r)
	destinations := tfgoogle.firewall_destinations(r)
	net.opens_internet(destinations)
	cidr := _describe(destinations)
	attribute := _attribute(r)
	msg := sprintf("%s allows EGRESS to %s (%s); list the needed destinations instead", [r.address, cidr, attribute])
}

violation contains f if {
	rs := [r | some r in tfgoogle.firewall_egress_allow; not _proxy_only(r)]
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, ["destination_ranges"])
}

# The ranges are judged together: 0.0.0.0/1 and 128.0.0.0/1 are 0.0.0.0/0.
_describe(ranges) := concat(", ", everywhere) if {
	everywhere := [c | some c in ranges; net.is_everywhere(c)]
	count(everywhere) > 0
} else := sprintf("%s (together every address)", [concat(", ", ranges)])

_attribute(r) := "destination_ranges" if {
	count(tfplan.string_list(tfplan.setting(r, ["destination_ranges"]))) > 0
} else := "destination_ranges omitted, the API default"

# A rule that targets only egress-proxy instances is how the proxy reaches the internet.
_proxy_only(r) if {
	tags := tfplan.string_list(tfplan.setting(r, ["target_tags"]))
	count(tags) > 0
	proxy_tags := {t | some t in tfplan.string_list(config.value("gcp_egress_proxy_tags"))}
	every t in tags {
		t in proxy_tags
	}
}
