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
package mlfence.terraform.aws.sg_egress_open

import data.lib.mlfence.result
import data.lib.mlfence.tfaws

# One finding per group. Egress to everything matters most where data and GPUs are (an ML
# instance); a group used only by interface endpoints and databases is low risk.
violation contains result.with_severity(rego.metadata.chain(), o.owner.address, msg, _severity(o.owner)) if {
	some o in tfaws.sg_open("egress")
	msg := sprintf("%s allows egress to every address (%s) on %s (%s)%s; %s", [
		o.owner.address, concat(", ", o.families), _list([i.label | some i in o.items]),
		_list(o.attributes), _note(o.owner), "limit egress to endpoints, prefix lists and the egress proxy",
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some hit in tfaws.sg_unknown("egress")
	r := hit.resource
	msg := sprintf("%s: %s is known only after apply; mlfence cannot prove egress is not open to every address", [
		r.address, hit.attribute,
	])
}

_severity(sg) := "low" if tfaws.sg_endpoints_or_databases_only(sg)

else := "high"

_note(sg) := "; it is used only by interface endpoints and databases" if {
	tfaws.sg_endpoints_or_databases_only(sg)
} else := sprintf("; GPU instances use it: %s", [_list(gpus)]) if {
	gpus := sort([a.resource | some a in tfaws.sg_attachments(sg); a.gpu])
	count(gpus) > 0
} else := ""

_list(items) := concat(", ", items) if count(items) <= 5

else := sprintf("%s, ... (%d in all)", [concat(", ", array.slice(items, 0, 5)), count(items)])
