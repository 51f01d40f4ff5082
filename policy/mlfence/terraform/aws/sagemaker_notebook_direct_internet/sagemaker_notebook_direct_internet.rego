# METADATA
# title: SageMaker notebook instance has direct internet access
# description: >-
#   With direct_internet_access = "Enabled" (the AWS default) the notebook gets a
#   SageMaker-managed internet path that bypasses your VPC, security groups and egress controls: anyone
#   with notebook access can move data and credentials straight out.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_notebook_instance
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html
# custom:
#   id: MLF-TF-015
#   long_id: tf-aws-sagemaker-notebook-direct-internet
#   severity: high
#   target: terraform
#   kinds: [aws_sagemaker_notebook_instance]
#   recommended_action: >-
#     Set direct_internet_access = "Disabled" with subnet_id and security_groups of a private
#     subnet; give it VPC endpoints (and the egress proxy) for what it needs.
package mlfence.terraform.aws.sagemaker_notebook_direct_internet

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# The provider records its default "Enabled" in the plan; an absent value means the same
# (AWS API default), which is the case scanners that read HCL miss.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_sagemaker_notebook_instance")
	value := tfplan.effective(r, "direct_internet_access")
	value != "Disabled"
	msg := sprintf("%s has direct_internet_access = %q; set it to \"Disabled\"", [r.address, value])
}

violation contains f if {
	rs := tfplan.of_type("aws_sagemaker_notebook_instance")
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, ["direct_internet_access"])
}
