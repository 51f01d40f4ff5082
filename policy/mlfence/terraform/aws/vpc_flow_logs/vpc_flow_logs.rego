# METADATA
# title: VPC has no flow log
# description: >-
#   Without flow logs there is no record of which addresses a training job, notebook or model
#   server talked to: exfiltration of data or weights cannot be detected or investigated, and
#   egress allow-lists cannot be derived from real traffic.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/flow_log
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
# custom:
#   id: MLF-TF-009
#   long_id: tf-aws-vpc-flow-logs
#   severity: medium
#   target: terraform
#   kinds: [aws_vpc, aws_flow_log]
#   recommended_action: >-
#     Add an aws_flow_log with vpc_id = aws_vpc.<name>.id and traffic_type = "ALL" (to CloudWatch
#     Logs or S3), or enable the flow log option of the VPC module.
package mlfence.terraform.aws.vpc_flow_logs

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), vpc.address, msg) if {
	count(_undecided) == 0
	some vpc in _unlogged
	"create" in vpc.actions
	msg := sprintf("%s has no aws_flow_log in the plan; add one for this VPC with traffic_type = \"ALL\"", [
		vpc.address,
	])
}

# A VPC that already exists may have its flow log managed elsewhere: say so instead of failing.
violation contains result.unknown(rego.metadata.chain(), vpc.address, msg) if {
	count(_undecided) == 0
	some vpc in _unlogged
	not "create" in vpc.actions
	msg := sprintf(
		"%s: no aws_flow_log for this VPC in the plan; mlfence cannot see one managed elsewhere",
		[vpc.address],
	)
}

violation contains result.unknown(rego.metadata.chain(), vpc.address, msg) if {
	count(_undecided) > 0
	some vpc in _unlogged
	msg := sprintf("%s: no flow log resolves to this VPC, and the vpc_id of %s is known only after apply", [
		vpc.address, concat(", ", sort([f.address | some f in _undecided])),
	])
}

_unlogged contains vpc if {
	some vpc in tfplan.of_type("aws_vpc")
	not _logged(vpc)
}

_logged(vpc) if {
	some f in tfplan.existing_of_type("aws_flow_log")
	vpc in tfplan.linked(f, "vpc_id", "aws_vpc")
}

# Modules such as terraform-aws-modules/vpc route the ID through a local, which the plan's
# configuration does not record: a flow log next to the only VPC of its module logs that VPC.
_logged(vpc) if {
	count([v | some v in tfplan.existing_of_type("aws_vpc"); v.module_address == vpc.module_address]) == 1
	some f in tfplan.existing_of_type("aws_flow_log")
	not tfplan.decided(f, "vpc_id")
	f.module_address == vpc.module_address
}

# Flow logs whose target is not known and not resolvable; flow logs of a subnet or ENI are
# known to target something else.
_undecided contains f if {
	some f in tfplan.existing_of_type("aws_flow_log")
	not tfplan.decided(f, "vpc_id")
	count(tfplan.string_values(object.get(f.values, "subnet_id", null))) == 0
	count(tfplan.string_values(object.get(f.values, "eni_id", null))) == 0
	not _beside_only_vpc(f)
}

_beside_only_vpc(f) if {
	count([v | some v in tfplan.existing_of_type("aws_vpc"); v.module_address == f.module_address]) == 1
}
