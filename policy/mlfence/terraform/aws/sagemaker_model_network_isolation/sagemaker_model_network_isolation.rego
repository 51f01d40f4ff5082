# METADATA
# title: SageMaker model container is not network-isolated
# description: >-
#   A model container without network isolation can call out to the internet (or anything the
#   VPC reaches) while serving: a malicious or compromised model artifact can exfiltrate the
#   requests it scores and download further payloads.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_model
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html
# custom:
#   id: MLF-TF-013
#   long_id: tf-aws-sagemaker-model-network-isolation
#   severity: high
#   target: terraform
#   kinds: [aws_sagemaker_model]
#   recommended_action: >-
#     Set enable_network_isolation = true; models that need data at inference time should get it
#     from the request or from S3 through SageMaker, not from the network.
package mlfence.terraform.aws.sagemaker_model_network_isolation

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# Omitted means false (provider and API default).
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_sagemaker_model")
	tfplan.effective(r, "enable_network_isolation") != true
	msg := sprintf("%s does not set enable_network_isolation = true", [r.address])
}

violation contains f if {
	rs := tfplan.of_type("aws_sagemaker_model")
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, ["enable_network_isolation"])
}
