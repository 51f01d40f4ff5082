# METADATA
# title: SageMaker model runs outside your VPC
# description: >-
#   Without vpc_config, model containers run in a SageMaker-managed network with internet
#   access: none of your security groups, endpoints or flow logs apply to inference traffic.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_model
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html
# custom:
#   id: MLF-TF-014
#   long_id: tf-aws-sagemaker-model-vpc
#   severity: high
#   target: terraform
#   kinds: [aws_sagemaker_model]
#   recommended_action: >-
#     Add vpc_config { subnets = [private subnet IDs], security_group_ids = [...] } so the model
#     runs in your VPC behind its endpoints and security groups.
package mlfence.terraform.aws.sagemaker_model_vpc

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_sagemaker_model")
	not tfplan.pending(r, "vpc_config")
	some attribute in ["subnets", "security_group_ids"]
	not _set(r, attribute)
	msg := sprintf("%s has no vpc_config.%s; run the model in private subnets of your VPC", [r.address, attribute])
}

violation contains f if {
	some f in tfplan.pending_findings(rego.metadata.chain(), tfplan.of_type("aws_sagemaker_model"), ["vpc_config"])
}

# A list of IDs known only after apply (subnets created in the same plan) is set.
_set(r, attribute) if count(tfplan.string_list(tfplan.value(r, ["vpc_config", 0, attribute], []))) > 0

_set(r, attribute) if tfplan.pending(r, ["vpc_config", 0, attribute])
