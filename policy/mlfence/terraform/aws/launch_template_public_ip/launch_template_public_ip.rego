# METADATA
# title: Launch template gives instances a public IP address
# description: >-
#   A launch template network interface with associate_public_ip_address makes every instance
#   of the node group or Auto Scaling group (GPU workers, Ray and Dask nodes) internet-addressable.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/launch_template
# custom:
#   id: MLF-TF-005
#   long_id: tf-aws-launch-template-public-ip
#   severity: high
#   target: terraform
#   kinds: [aws_launch_template]
#   recommended_action: >-
#     Set network_interfaces.associate_public_ip_address = false (or remove it and launch into
#     private subnets).
package mlfence.terraform.aws.launch_template_public_ip

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# The provider types this attribute as a string ("true"/"false"), so truthy() reads both.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_launch_template")
	some i, ni in tfplan.blocks(r, "network_interfaces")
	tfplan.truthy(object.get(ni, "associate_public_ip_address", null))
	msg := sprintf("%s sets network_interfaces[%d].associate_public_ip_address = true; set it to false", [r.address, i])
}

violation contains f if {
	some r in tfplan.of_type("aws_launch_template")
	some i, _ in tfplan.blocks(r, "network_interfaces")
	path := ["network_interfaces", i, "associate_public_ip_address"]
	some f in tfplan.pending_findings(rego.metadata.chain(), [r], [path])
}
