# METADATA
# title: Security group allows ingress from the whole internet
# description: >-
#   A security group rule that admits 0.0.0.0/0 or ::/0 makes whatever it is attached to
#   reachable by anyone: notebooks, Ray dashboards, MLflow and model servers are found and
#   abused within hours of exposure. Only an approved edge load balancer should face the internet.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group
# custom:
#   id: MLF-TF-001
#   long_id: tf-aws-sg-ingress-open
#   severity: high
#   target: terraform
#   kinds: [aws_security_group, aws_security_group_rule, aws_vpc_security_group_ingress_rule]
#   recommended_action: >-
#     Restrict the source to the networks that must connect (cidr_blocks of your VPC or VPN,
#     a prefix list, or source_security_group_id of the load balancer in front of the service).
package terraform.aws.sg_ingress_open

import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.violation(rego.metadata.chain(), r.address, msg) if {
	some hit in _open_ingress
	r := hit.resource
	msg := sprintf("%s allows ingress from %s (%s); restrict the source", [r.address, hit.cidr, hit.attribute])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some hit in _unknown_ingress
	r := hit.resource
	attribute := hit.attribute
	msg := sprintf("%s: %s is known only after apply; mlfence cannot prove it is not open", [r.address, attribute])
}

# _open_ingress contains {resource, attribute, cidr} for every source that is the whole internet.
_open_ingress contains {"resource": r, "attribute": attribute, "cidr": cidr} if {
	some r in tfplan.of_type("aws_security_group")
	some i, block in tfplan.blocks(r, "ingress")
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in tfplan.strings(block[key])
	net.is_everywhere(cidr)
	attribute := sprintf("ingress[%d].%s", [i, key])
}

_open_ingress contains {"resource": r, "attribute": key, "cidr": cidr} if {
	some r in tfplan.of_type("aws_security_group_rule")
	r.values.type == "ingress"
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in tfplan.strings(r.values[key])
	net.is_everywhere(cidr)
}

_open_ingress contains {"resource": r, "attribute": key, "cidr": cidr} if {
	some r in tfplan.of_type("aws_vpc_security_group_ingress_rule")
	some key in ["cidr_ipv4", "cidr_ipv6"]
	cidr := r.values[key]
	net.is_everywhere(cidr)
}

_unknown_ingress contains {"resource": r, "attribute": "ingress"} if {
	some r in tfplan.of_type("aws_security_group")
	tfplan.is_unknown(r, ["ingress"])
}

_unknown_ingress contains {"resource": r, "attribute": key} if {
	some r in tfplan.of_type("aws_security_group_rule")
	r.values.type == "ingress"
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	tfplan.is_unknown(r, [key])
}
