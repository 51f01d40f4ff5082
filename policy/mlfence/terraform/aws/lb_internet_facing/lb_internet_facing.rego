# METADATA
# title: Load balancer faces the internet without being the approved edge gateway
# description: >-
#   Every internet-facing load balancer is a way into the platform that bypasses the reviewed
#   edge (WAF, authentication, rate limits). Model endpoints and ML UIs exposed this way are
#   scraped, abused for free inference and used for model extraction.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elb
# custom:
#   id: MLF-TF-008
#   long_id: tf-aws-lb-internet-facing
#   severity: high
#   target: terraform
#   kinds: [aws_lb, aws_alb, aws_elb]
#   recommended_action: >-
#     Set internal = true and publish the service through the edge gateway; if this load balancer
#     is the edge gateway, tag it with the aws_edge_gateway_tag parameter (default
#     mlfence.io/edge-gateway = "true") or list its name in aws_edge_gateway_names.
package mlfence.terraform.aws.lb_internet_facing

import data.lib.mlfence.result
import data.lib.mlfence.tfaws
import data.lib.mlfence.tfplan

# internal is Optional+Computed with the default false (internet-facing): left out, real plans
# list it in after_unknown, and that is the default, not a value pending on something else.
violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.resources
	r.type in tfaws.lb_types
	tfplan.effective(r, "internal") == false
	not tfaws.edge_gateway(r)
	msg := sprintf(
		"%s is internet-facing (internal = false) and not tagged as the edge gateway; set internal = true",
		[r.address],
	)
}

violation contains f if {
	rs := [r | some r in tfplan.resources; r.type in tfaws.lb_types; not tfaws.edge_gateway(r)]
	some f in tfplan.pending_findings(rego.metadata.chain(), rs, ["internal"])
}
