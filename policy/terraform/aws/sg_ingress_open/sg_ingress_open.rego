# METADATA
# title: Security group allows ingress from the whole internet
# description: >-
#   A security group rule that admits 0.0.0.0/0 or ::/0 makes whatever it is attached to
#   reachable by anyone: notebooks, Ray dashboards, MLflow and model servers are found and
#   abused within hours of exposure. Only an approved edge load balancer should face the internet.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_security_group_ingress_rule
# custom:
#   id: MLF-TF-001
#   long_id: tf-aws-sg-ingress-open
#   severity: high
#   target: terraform
#   kinds: [aws_security_group, aws_default_security_group, aws_security_group_rule,
#     aws_vpc_security_group_ingress_rule]
#   recommended_action: >-
#     Restrict the source to the networks that must connect (cidr_blocks of your VPC or VPN,
#     a prefix list, or source_security_group_id of the load balancer in front of the service).
package terraform.aws.sg_ingress_open

import data.lib.mlfence.config
import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# Open ML service ports are the worst case: severity critical.
violation contains result.with_severity(rego.metadata.chain(), r.address, msg, "critical") if {
	some e in _open
	r := e.resource
	hits := tfplan.ports_hit(e.ports, config.value("ml_ports"))
	count(hits) > 0
	msg := sprintf("%s allows ingress from %s on %s (%s), including ML service ports %s; restrict the source", [
		r.address, e.cidr, _ports(e), e.attribute, _list(hits),
	])
}

violation contains result.violation(rego.metadata.chain(), r.address, msg) if {
	some e in _open
	count(tfplan.ports_hit(e.ports, config.value("ml_ports"))) == 0
	r := e.resource
	msg := sprintf("%s allows ingress from %s on %s (%s); restrict the source", [
		r.address, e.cidr, _ports(e), e.attribute,
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some hit in tfplan.aws_sg_unknown("ingress")
	r := hit.resource
	msg := sprintf("%s: %s is known only after apply; mlfence cannot prove it is not open to the internet", [
		r.address, hit.attribute,
	])
}

_ports(e) := "all protocols and ports" if e.protocol == "all"

else := sprintf("all %s ports", [e.protocol]) if e.ports == [0, 65535]

else := sprintf("%s %s", [e.protocol, tfplan.ports_label(e.ports)]) if count(e.ports) == 2

else := sprintf("protocol %s", [e.protocol])

# Long lists stay readable: the first five and how many there are.
_list(hits) := concat(", ", hits) if count(hits) <= 5

else := sprintf("%s, ... (%d in all)", [concat(", ", array.slice(hits, 0, 5)), count(hits)])

# _open is every internet-wide source, except web ports of a group that only fronts an approved
# edge-gateway load balancer: that is the one place meant to face the internet.
_open contains e if {
	some e in tfplan.aws_sg_cidrs("ingress")
	net.is_everywhere(e.cidr)
	not _edge_web(e)
}

_edge_web(e) if {
	e.ports in {[80, 80], [443, 443]}
	groups := tfplan.aws_rule_groups(e)
	count(groups) > 0
	every sg in groups {
		tfplan.aws_edge_group(sg)
	}
}
