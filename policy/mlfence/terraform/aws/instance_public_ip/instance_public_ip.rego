# METADATA
# title: EC2 instance gets a public IP address
# description: >-
#   An instance with a public IPv4 address is reachable from the internet whenever a security
#   group rule lets traffic in, and it can reach the internet without the egress proxy. GPU
#   training hosts and inference servers belong in private subnets behind endpoints and a NAT.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/instance
# custom:
#   id: MLF-TF-004
#   long_id: tf-aws-instance-public-ip
#   severity: high
#   target: terraform
#   kinds: [aws_instance]
#   recommended_action: >-
#     Set associate_public_ip_address = false and place the instance in a private subnet
#     (subnet_id of a subnet with map_public_ip_on_launch = false); reach it through SSM or a bastion.
package mlfence.terraform.aws.instance_public_ip

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_instance")
	tfplan.attribute(r, "associate_public_ip_address").value == true
	msg := sprintf("%s sets associate_public_ip_address = true; set it to false and use a private subnet", [r.address])
}

# Omitted, the address follows the subnet's map_public_ip_on_launch (provider-computed, so the
# plan shows it as unknown): resolve the subnet through its ID or the configuration.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _inherited
	some subnet in tfplan.linked(r, "subnet_id", "aws_subnet")
	subnet.values.map_public_ip_on_launch == true
	msg := sprintf(
		"%s omits associate_public_ip_address and its subnet %s has map_public_ip_on_launch = true; set it to false",
		[r.address, subnet.address],
	)
}

# With no subnet and no network interface the instance lands in the default VPC, whose default
# subnets assign public IPs.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _inherited
	not _has_placement(r)
	msg := sprintf(
		"%s has no subnet_id, so it launches in a default subnet that assigns public IPs; use a private subnet",
		[r.address],
	)
}

violation contains f if {
	rs := tfplan.of_type("aws_instance")
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, ["associate_public_ip_address"])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in _inherited
	_has_placement(r)
	not _has_interface(r)
	count(tfplan.linked(r, "subnet_id", "aws_subnet")) == 0
	msg := sprintf(
		"%s omits associate_public_ip_address and its subnet is not in the plan; set it to false",
		[r.address],
	)
}

# Left out (a provider default, listed in after_unknown on create): the subnet decides.
_inherited contains r if {
	some r in tfplan.of_type("aws_instance")
	tfplan.attribute(r, "associate_public_ip_address").state == "default"
	not _has_interface(r)
}

_has_interface(r) if count(tfplan.blocks(r, "network_interface")) > 0

_has_interface(r) if count(tfplan.blocks(r, "primary_network_interface")) > 0

_has_placement(r) if _has_interface(r)

# subnet_id is Optional+Computed: left out, it is in after_unknown but EC2 picks a default subnet.
_has_placement(r) if tfplan.attribute(r, "subnet_id").state != "default"
