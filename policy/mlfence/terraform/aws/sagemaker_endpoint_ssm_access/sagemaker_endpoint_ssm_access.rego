# METADATA
# title: SageMaker endpoint variant allows SSM sessions into the model container
# description: >-
#   enable_ssm_access opens an interactive shell into production inference containers through
#   Systems Manager: a path around the endpoint's network isolation to the model weights and
#   the requests being scored.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_endpoint_configuration
# custom:
#   id: MLF-TF-019
#   long_id: tf-aws-sagemaker-endpoint-ssm-access
#   severity: medium
#   target: terraform
#   kinds: [aws_sagemaker_endpoint_configuration]
#   recommended_action: >-
#     Remove enable_ssm_access (it defaults to off) from production_variants and
#     shadow_production_variants; debug with a separate, non-production endpoint.
package mlfence.terraform.aws.sagemaker_endpoint_ssm_access

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_variants := ["production_variants", "shadow_production_variants"]

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_sagemaker_endpoint_configuration")
	some key in _variants
	some i, v in tfplan.blocks(r, key)
	v.enable_ssm_access == true
	msg := sprintf("%s sets %s[%d].enable_ssm_access = true; remove it", [r.address, key, i])
}

violation contains f if {
	some r in tfplan.of_type("aws_sagemaker_endpoint_configuration")
	some key in _variants
	some i, _ in tfplan.blocks(r, key)
	some f in tfplan.pending_findings(rego.metadata.chain(), [r], [[key, i, "enable_ssm_access"]])
}
