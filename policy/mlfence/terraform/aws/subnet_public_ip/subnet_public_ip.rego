# METADATA
# title: Subnet gives every instance a public IP address
# description: >-
#   map_public_ip_on_launch hands a public IPv4 address to every instance, node and ENI that
#   does not opt out, including SageMaker and EKS workers placed there later. ML workloads must
#   not share such subnets; only load balancers and NAT gateways belong in public subnets.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/subnet
# custom:
#   id: MLF-TF-006
#   long_id: tf-aws-subnet-public-ip-on-launch
#   severity: medium
#   target: terraform
#   kinds: [aws_subnet]
#   recommended_action: >-
#     Set map_public_ip_on_launch = false; public subnets for load balancers and NAT gateways do
#     not need it (they use Elastic IPs).
package mlfence.terraform.aws.subnet_public_ip

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_subnet")
	tfplan.effective(r, "map_public_ip_on_launch") == true
	msg := sprintf("%s sets map_public_ip_on_launch = true; set it to false", [r.address])
}

# Absent means the provider default false; unknown means it depends on another value.
violation contains f if {
	some f in tfplan.pending_findings(rego.metadata.chain(), tfplan.of_type("aws_subnet"), ["map_public_ip_on_launch"])
}
