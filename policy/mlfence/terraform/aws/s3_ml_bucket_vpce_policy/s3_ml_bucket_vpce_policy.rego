# METADATA
# title: ML data or model bucket is reachable from outside the VPC endpoints
# description: >-
#   A bucket holding training data, features or model artifacts should only be reachable
#   through the platform's S3 VPC endpoints. Without a policy that denies requests lacking
#   aws:SourceVpce, stolen credentials work from anywhere on the internet.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_policy
# custom:
#   id: MLF-TF-012
#   long_id: tf-aws-s3-ml-bucket-vpce-policy
#   severity: high
#   target: terraform
#   kinds: [aws_s3_bucket, aws_s3_bucket_policy]
#   recommended_action: >-
#     Attach an aws_s3_bucket_policy with a Deny statement for s3:* on the bucket and its objects
#     under Condition StringNotEquals {"aws:SourceVpce": [<endpoint IDs>]}.
package mlfence.terraform.aws.s3_ml_bucket_vpce_policy

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfiam
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), b.address, msg) if {
	some b in _ml_buckets
	not _protected(b)
	count(_unknown_policies(b)) == 0
	msg := sprintf(
		"%s is tagged %s = %s but no bucket policy denies requests without aws:SourceVpce; add one",
		[b.address, _tag.key, tfplan.tags(b)[_tag.key]],
	)
}

violation contains result.unknown(rego.metadata.chain(), b.address, msg) if {
	some b in _ml_buckets
	not _protected(b)
	count(_unknown_policies(b)) > 0
	msg := sprintf("%s: the policy of %s is known only after apply; mlfence cannot see an aws:SourceVpce deny", [
		b.address, concat(", ", sort(_unknown_policies(b))),
	])
}

_tag := config.value("aws_ml_bucket_tag")

_ml_buckets contains b if {
	some b in tfplan.of_type("aws_s3_bucket")
	tfplan.tags(b)[_tag.key] in _tag.values
}

# Policies that apply to the bucket: aws_s3_bucket_policy resources joined on `bucket`, and the
# deprecated inline `policy` argument of aws_s3_bucket.
_policies(b) := {{"address": p.address, "resource": p} |
	some p in tfplan.existing_of_type("aws_s3_bucket_policy")
	b in tfplan.linked(p, "bucket", "aws_s3_bucket")
} | {{"address": b.address, "resource": b} |
	_inline_policy(b)
}

_inline_policy(b) if is_string(b.values.policy)

_inline_policy(b) if {
	tfplan.pending(b, "policy")
}

_protected(b) if {
	some p in _policies(b)
	_denies_without_vpce(tfiam.document(p.resource.values.policy))
}

_unknown_policies(b) := {p.address |
	some p in _policies(b)
	tfplan.pending(p.resource, "policy")
} | {p.address |
	some p in tfplan.existing_of_type("aws_s3_bucket_policy")
	not tfplan.decided(p, "bucket")
}

_condition_operators := {"stringnotequals", "stringnotequalsifexists", "forallvalues:stringnotequals"}

_vpce_keys := {"aws:sourcevpce", "aws:sourcevpc"}

_denies_without_vpce(doc) if {
	some s in tfiam.statements(doc)
	s.Effect == "Deny"
	is_object(s.Condition)
	some op, conditions in s.Condition
	lower(op) in _condition_operators
	is_object(conditions)
	some key, _ in conditions
	lower(key) in _vpce_keys
}
