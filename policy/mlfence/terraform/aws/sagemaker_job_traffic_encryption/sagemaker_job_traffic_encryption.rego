# METADATA
# title: SageMaker distributed job traffic between containers is not encrypted
# description: >-
#   Distributed training and processing exchange gradients, parameters and data between
#   instances; without inter-container traffic encryption anyone able to observe the VPC
#   traffic sees it in clear.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_training_job
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html
# custom:
#   id: MLF-TF-021
#   long_id: tf-aws-sagemaker-job-traffic-encryption
#   severity: low
#   target: terraform
#   kinds: [aws_sagemaker_training_job, aws_sagemaker_data_quality_job_definition,
#     aws_sagemaker_model_quality_job_definition, aws_sagemaker_model_bias_job_definition,
#     aws_sagemaker_model_explainability_job_definition]
#   recommended_action: >-
#     Set enable_inter_container_traffic_encryption = true (in network_config for monitoring job definitions).
package mlfence.terraform.aws.sagemaker_job_traffic_encryption

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# Training jobs carry the setting at the top level, monitoring job definitions in
# network_config; omitted means false (API default).
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
	path := array.concat(prefix, ["enable_inter_container_traffic_encryption"])
	tfplan.effective(r, path) != true
	msg := sprintf("%s does not set %s = true", [r.address, tfplan.path_label(path)])
}

violation contains f if {
	some type, prefix in _jobs
	path := array.concat(prefix, ["enable_inter_container_traffic_encryption"])
	some f in tfplan.pending_findings(rego.metadata.chain(), tfplan.of_type(type), [path])
}
