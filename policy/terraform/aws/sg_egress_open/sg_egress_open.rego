# METADATA
# title: Security group allows egress to every address
# description: >-
#   Egress to 0.0.0.0/0 or ::/0 lets a compromised notebook, training job or model server send
#   data and model weights anywhere and pull tooling from anywhere. ML workloads need a short,
#   known list of destinations: VPC endpoints, the egress proxy, approved service ranges.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_security_group_egress_rule
# custom:
#   id: MLF-TF-002
#   long_id: tf-aws-sg-egress-open
#   severity: high
#   target: terraform
#   kinds: [aws_security_group, aws_default_security_group, aws_security_group_rule,
#     aws_vpc_security_group_egress_rule]
#   recommended_action: >-
#     Replace the 0.0.0.0/0 egress rule with rules to the VPC CIDR, VPC endpoint prefix lists
#     (prefix_list_ids / destination_prefix_list_id) and the egress proxy's security group.
package terraform.aws.sg_egress_open

import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.violation(rego.metadata.chain(), r.address, msg) if {
	some e in tfplan.aws_sg_cidrs("egress")
	net.is_everywhere(e.cidr)
	r := e.resource
	msg := sprintf("%s allows egress to %s on %s (%s); limit egress to endpoints, prefix lists and the egress proxy", [
		r.address, e.cidr, _ports(e), e.attribute,
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some hit in tfplan.aws_sg_unknown("egress")
	r := hit.resource
	msg := sprintf("%s: %s is known only after apply; mlfence cannot prove egress is not open to every address", [
		r.address, hit.attribute,
	])
}

_ports(e) := "all protocols and ports" if e.protocol == "all"

else := sprintf("all %s ports", [e.protocol]) if e.ports == [0, 65535]

else := sprintf("%s %s", [e.protocol, tfplan.ports_label(e.ports)]) if count(e.ports) == 2

else := sprintf("protocol %s", [e.protocol])
