# METADATA
# title: SageMaker notebook instance is not placed in your VPC
# description: >-
#   A notebook instance without subnet_id has no network interface in your VPC: its traffic
#   never meets your security groups, endpoints or flow logs, and it cannot have direct internet
#   access disabled.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_notebook_instance
# custom:
#   id: MLF-TF-017
#   long_id: tf-aws-sagemaker-notebook-subnet
#   severity: high
#   target: terraform
#   kinds: [aws_sagemaker_notebook_instance]
#   recommended_action: >-
#     Set subnet_id to a private subnet and security_groups to groups that allow only the traffic
#     the notebook needs.
package mlfence.terraform.aws.sagemaker_notebook_subnet

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# A subnet ID known only after apply (subnet created in the same plan) is set.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_sagemaker_notebook_instance")
	tfplan.attribute(r, "subnet_id").state != "unknown"
	tfplan.value(r, "subnet_id", "") == ""
	msg := sprintf("%s has no subnet_id; place it in a private subnet of your VPC", [r.address])
}
