# METADATA
# title: SageMaker training or monitoring job runs outside your VPC
# description: >-
#   Without vpc_config a job runs in a SageMaker-managed network with internet access, beyond
#   your security groups, VPC endpoints and flow logs, while it holds training data and
#   credentials for your buckets.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_training_job
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html
# custom:
#   id: MLF-TF-022
#   long_id: tf-aws-sagemaker-job-vpc
#   severity: medium
#   target: terraform
#   kinds: [aws_sagemaker_training_job, aws_sagemaker_data_quality_job_definition,
#     aws_sagemaker_model_quality_job_definition, aws_sagemaker_model_bias_job_definition,
#     aws_sagemaker_model_explainability_job_definition]
#   recommended_action: >-
#     Add vpc_config { subnets, security_group_ids } (network_config.vpc_config for monitoring job
#     definitions) pointing at private subnets that have S3 and ECR endpoints.
package mlfence.terraform.aws.sagemaker_job_vpc

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_jobs := {
	"aws_sagemaker_training_job": [],
	"aws_sagemaker_data_quality_job_definition": ["network_config", 0],
	"aws_sagemaker_model_quality_job_definition": ["network_config", 0],
	"aws_sagemaker_model_bias_job_definition": ["network_config", 0],
	"aws_sagemaker_model_explainability_job_definition": ["network_config", 0],
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some type, prefix in _jobs
	some r in tfplan.of_type(type)
	vpc := array.concat(prefix, ["vpc_config"])
	not tfplan.pending(r, vpc)
	some attribute in ["subnets", "security_group_ids"]
	not _set(r, array.concat(vpc, [0, attribute]))
	msg := sprintf(
		"%s has no %s.%s; run the job in private subnets of your VPC",
		[r.address, tfplan.path_label(vpc), attribute],
	)
}

violation contains f if {
	some type, prefix in _jobs
	some f in tfplan.pending_findings(rego.metadata.chain(), tfplan.of_type(type), [array.concat(prefix, ["vpc_config"])])
}

# IDs known only after apply (subnets created in the same plan) count as set.
_set(r, path) if count(tfplan.string_list(tfplan.value(r, path, []))) > 0

_set(r, path) if tfplan.pending(r, path)
