# METADATA
# title: Bedrock runtime is not reached through a private, restricted VPC endpoint
# description: >-
#   Prompts, retrieved documents and model output travel to bedrock-runtime. Without an
#   interface endpoint with private DNS the SDKs resolve the public endpoint and the traffic
#   leaves through NAT; an endpoint with the default full-access policy lets any principal use
#   any model and account through it, which makes it an exfiltration path of its own.
# related_resources:
#   - ref: https://docs.aws.amazon.com/bedrock/latest/userguide/vpc-interface-endpoints.html
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_endpoint
# custom:
#   id: MLF-TF-023
#   long_id: tf-aws-bedrock-runtime-endpoint
#   severity: medium
#   target: terraform
#   kinds: [aws_vpc_endpoint, aws_bedrock*]
#   recommended_action: >-
#     Add aws_vpc_endpoint for com.amazonaws.<region>.bedrock-runtime with vpc_endpoint_type =
#     "Interface", private_dns_enabled = true and a policy that allows only the platform's roles
#     (aws:PrincipalArn / aws:PrincipalOrgID) and models (Resource ARNs).
package mlfence.terraform.aws.bedrock_runtime_endpoint

import data.lib.mlfence.result
import data.lib.mlfence.tfiam
import data.lib.mlfence.tfplan

# Bedrock in the plan but no runtime endpoint anywhere in it: one finding, on the first
# Bedrock resource, naming all of them.
violation contains result.failure(rego.metadata.chain(), first, msg) if {
	count(_bedrock) > 0
	count(_runtime_endpoints) == 0
	count(_unknown_services) == 0
	first := sort(_bedrock)[0]
	msg := sprintf("%s: the plan uses Bedrock (%s) but has no aws_vpc_endpoint for bedrock-runtime; add one", [
		first, concat(", ", sort(_bedrock)),
	])
}

violation contains result.unknown(rego.metadata.chain(), first, msg) if {
	count(_bedrock) > 0
	count(_runtime_endpoints) == 0
	count(_unknown_services) > 0
	first := sort(_bedrock)[0]
	msg := sprintf("%s: no bedrock-runtime endpoint found and the service_name of %s is known only after apply", [
		first, concat(", ", sort(_unknown_services)),
	])
}

# private_dns_enabled defaults to false for interface endpoints (provider docs).
violation contains result.failure(rego.metadata.chain(), e.address, msg) if {
	some e in _changed_runtime_endpoints
	tfplan.effective(e, "private_dns_enabled") != true
	msg := sprintf("%s does not set private_dns_enabled = true, so SDKs still resolve the public Bedrock endpoint", [
		e.address,
	])
}

violation contains f if {
	some f in tfplan.pending_because(
		rego.metadata.chain(), _changed_runtime_endpoints, ["private_dns_enabled"],
		"; set it to the literal true",
	)
}

# `policy` is computed: omitted in the configuration means AWS's default full-access policy.
violation contains result.failure(rego.metadata.chain(), e.address, msg) if {
	some e in _changed_runtime_endpoints
	not tfplan.configured(e, "policy")
	not is_string(object.get(e.values, "policy", null))
	msg := sprintf("%s has no policy, so AWS applies full access for every principal; add a restrictive policy", [
		e.address,
	])
}

violation contains result.failure(rego.metadata.chain(), e.address, msg) if {
	some e in _changed_runtime_endpoints
	doc := e.values.policy
	is_string(doc)
	_allow_all(doc)
	msg := sprintf(
		"%s has a policy that allows every principal every action on every resource; restrict it",
		[e.address],
	)
}

violation contains f if {
	some f in tfplan.pending_because(
		rego.metadata.chain(), _changed_runtime_endpoints, ["policy"],
		"; mlfence cannot prove it is not allow-all",
	)
}

_bedrock contains r.address if {
	some r in tfplan.resources
	startswith(r.type, "aws_bedrock")
}

_is_runtime(e) if endswith(tfplan.text(e, "service_name"), ".bedrock-runtime")

_runtime_endpoints contains e if {
	some e in tfplan.existing_of_type("aws_vpc_endpoint")
	_is_runtime(e)
}

_changed_runtime_endpoints contains e if {
	some e in tfplan.of_type("aws_vpc_endpoint")
	_is_runtime(e)
}

_unknown_services contains e.address if {
	some e in tfplan.existing_of_type("aws_vpc_endpoint")
	tfplan.pending(e, "service_name")
}

# Allow-all: an unconditioned Allow for principal "*" (or {"AWS": "*"}), action "*" (or
# "bedrock:*") and resource "*". Unparseable JSON cannot be proven restrictive either.
_allow_all(doc) if not json.is_valid(doc)

_allow_all(doc) if {
	some s in tfiam.statements(tfiam.document(doc))
	s.Effect == "Allow"
	not s.Condition
	tfiam.any_of(tfiam.aws_principal(s.Principal), {"*"})
	tfiam.any_of(s.Action, {"*", "bedrock:*"})
	tfiam.any_of(s.Resource, {"*"})
}
