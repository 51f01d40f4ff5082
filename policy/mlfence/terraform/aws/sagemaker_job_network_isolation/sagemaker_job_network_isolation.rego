# METADATA
# title: SageMaker training or monitoring job containers are not network-isolated
# description: >-
#   Job containers without network isolation can call out while they read training data,
#   endpoint captures and ground truth: a poisoned image or dependency exfiltrates the data
#   it processes.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_training_job
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html
# custom:
#   id: MLF-TF-020
#   long_id: tf-aws-sagemaker-job-network-isolation
#   severity: medium
#   target: terraform
#   kinds: [aws_sagemaker_training_job, aws_sagemaker_data_quality_job_definition,
#     aws_sagemaker_model_quality_job_definition, aws_sagemaker_model_bias_job_definition,
#     aws_sagemaker_model_explainability_job_definition]
#   recommended_action: >-
#     Set enable_network_isolation = true (network_config.enable_network_isolation for
#     monitoring job definitions); SageMaker still stages S3 input and output for the job.
package mlfence.terraform.aws.sagemaker_job_network_isolation

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
	path := array.concat(prefix, ["enable_network_isolation"])
	tfplan.effective(r, path) != true
	msg := sprintf("%s does not set %s = true", [r.address, tfplan.path_label(path)])
}

violation contains f if {
	some type, prefix in _jobs
	path := array.concat(prefix, ["enable_network_isolation"])
	some f in tfplan.pending_findings(rego.metadata.chain(), tfplan.of_type(type), [path])
}
