# METADATA
# title: SageMaker Studio domain sends traffic over the public internet
# description: >-
#   With app_network_access_type = "PublicInternetOnly" (the default) Studio apps reach the
#   internet through a SageMaker-managed path outside your VPC, so no security group, endpoint
#   policy or egress proxy controls what notebooks and jobs started from Studio send out.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_domain
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html
# custom:
#   id: MLF-TF-018
#   long_id: tf-aws-sagemaker-domain-vpc-only
#   severity: high
#   target: terraform
#   kinds: [aws_sagemaker_domain]
#   recommended_action: >-
#     Set app_network_access_type = "VpcOnly" and give the VPC endpoints for SageMaker API,
#     runtime, Studio and S3.
package mlfence.terraform.aws.sagemaker_domain_vpc_only

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# Absent means the documented default "PublicInternetOnly".
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_sagemaker_domain")
	value := tfplan.effective(r, "app_network_access_type")
	value != "VpcOnly"
	msg := sprintf("%s has app_network_access_type = %q; set it to \"VpcOnly\"", [r.address, value])
}

violation contains f if {
	rs := tfplan.of_type("aws_sagemaker_domain")
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, ["app_network_access_type"])
}
