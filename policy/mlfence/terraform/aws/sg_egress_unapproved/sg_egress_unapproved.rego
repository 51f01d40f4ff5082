# METADATA
# title: Security group allows egress to a public range that is not approved
# description: >-
#   Egress to a public CIDR outside the approved published service ranges is a path for data
#   and model exfiltration. CDN ranges are worse than they look: anyone can publish content
#   behind them, so an IP rule to a CDN allows far more than the one service it was meant for.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html
#   - ref: https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html
# custom:
#   id: MLF-TF-003
#   long_id: tf-aws-sg-egress-unapproved
#   severity: medium
#   target: terraform
#   kinds: [aws_security_group, aws_default_security_group, aws_security_group_rule,
#     aws_vpc_security_group_egress_rule]
#   recommended_action: >-
#     Reach AWS services through VPC endpoints (prefix lists), approve the published range of the
#     service in bundle.yaml if it must be reached directly, and send other internet egress through
#     a domain-based control (egress proxy, AWS Network Firewall domain list, Route 53 DNS Firewall).
package mlfence.terraform.aws.sg_egress_unapproved

import data.lib.mlfence.net
import data.lib.mlfence.ranges
import data.lib.mlfence.result
import data.lib.mlfence.tfaws

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some e in _classified
	r := e.resource
	msg := _message(e)
}

# Whole-family CIDRs are MLF-TF-002's finding; internal and approved ranges pass.
_classified contains object.union(e, {"class": c}) if {
	some e in tfaws.sg_cidrs("egress")
	not net.is_everywhere(e.cidr)
	c := ranges.egress_class(e.cidr)
	c.class in {"cdn", "cloud", "public", "partial"}
}

_message(e) := sprintf(
	"%s allows egress to %s (%s), a CDN range of %s: IP rules cannot tell one customer of a CDN from another; %s",
	[e.resource.address, e.cidr, e.attribute, e.class.owner, _domain_advice],
) if {
	e.class.class == "cdn"
}

else := sprintf(
	"%s allows egress to %s (%s), which only partly overlaps the approved range %s; narrow it to the approved range",
	[e.resource.address, e.cidr, e.attribute, e.class.service],
) if {
	e.class.class == "partial"
}

else := sprintf(
	"%s allows egress to %s (%s), a published range of %s that is not approved; use a VPC endpoint or approve it",
	[e.resource.address, e.cidr, e.attribute, e.class.owner],
) if {
	e.class.class == "cloud"
}

else := sprintf(
	"%s allows egress to %s (%s), a public range that is not approved; send this traffic through the egress proxy",
	[e.resource.address, e.cidr, e.attribute],
)

_domain_advice := "use a domain-based control (egress proxy, AWS Network Firewall domain list or Route 53 DNS Firewall)"
