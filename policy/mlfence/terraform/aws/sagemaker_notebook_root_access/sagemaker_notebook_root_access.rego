# METADATA
# title: SageMaker notebook instance gives users root
# description: >-
#   With root access (the AWS default) a notebook user can change the instance's network
#   configuration, disable host controls and install tunnelling tools, undoing the isolation
#   the platform put around the notebook.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_notebook_instance
#   - ref: https://docs.aws.amazon.com/sagemaker/latest/dg/nbi-root-access.html
# custom:
#   id: MLF-TF-016
#   long_id: tf-aws-sagemaker-notebook-root-access
#   severity: medium
#   target: terraform
#   kinds: [aws_sagemaker_notebook_instance]
#   recommended_action: >-
#     Set root_access = "Disabled"; install packages through lifecycle configurations.
package mlfence.terraform.aws.sagemaker_notebook_root_access

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# Absent means the provider/API default "Enabled".
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("aws_sagemaker_notebook_instance")
	value := tfplan.effective(r, "root_access")
	value != "Disabled"
	msg := sprintf("%s has root_access = %q; set it to \"Disabled\"", [r.address, value])
}

violation contains f if {
	rs := tfplan.of_type("aws_sagemaker_notebook_instance")
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, ["root_access"])
}
