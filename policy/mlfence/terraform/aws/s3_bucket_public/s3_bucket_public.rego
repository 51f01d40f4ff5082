# METADATA
# title: S3 bucket is public
# description: >-
#   A bucket whose ACL grants public-read or public-read-write, whose policy allows Principal "*"
#   without conditions, or that hosts a static website serves its objects to anyone, unless a
#   public access block overrides it. Training sets, feature exports and model artifacts leak
#   this way; a bucket tagged as holding ML data is critical.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_acl
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_policy
#   - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# custom:
#   id: MLF-TF-024
#   long_id: tf-aws-s3-bucket-public
#   severity: high
#   target: terraform
#   kinds: [aws_s3_bucket, aws_s3_bucket_acl, aws_s3_bucket_policy, aws_s3_bucket_website_configuration]
#   recommended_action: >-
#     Use a private ACL (or BucketOwnerEnforced ownership), give the policy specific principals or
#     conditions (aws:SourceVpce, aws:PrincipalOrgID), serve public content through CloudFront
#     with origin access control, and add aws_s3_bucket_public_access_block with all four
#     settings true.
package mlfence.terraform.aws.s3_bucket_public

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfiam
import data.lib.mlfence.tfplan

violation contains result.with_severity(rego.metadata.chain(), b.address, msg, _severity(b)) if {
	some b in tfplan.of_type("aws_s3_bucket")
	reasons := sort({r.text | some r in _public(b); not _blocked(b, r.kind)})
	count(reasons) > 0
	msg := sprintf("%s is public: %s%s", [b.address, concat("; ", reasons), _ml_note(b)])
}

# Reasons attached to a bucket by a changed ACL, policy or website resource are reported on the
# bucket too: the bucket is what is public.
_public(b) := {r |
	some r in _reasons
	r.bucket == b
}

_reasons contains {"bucket": b, "kind": "acl", "text": sprintf("ACL %s (%s)", [acl, where])} if {
	some [b, acl, where] in _acls
	acl in {"public-read", "public-read-write"}
}

_reasons contains {"bucket": b, "kind": "policy", "text": text} if {
	some [b, doc, where] in _policies
	_open_policy(doc)
	text := sprintf("%s allows Principal \"*\" without conditions", [where])
}

_reasons contains {"bucket": b, "kind": "website", "text": sprintf("static website hosting (%s)", [where])} if {
	some [b, where] in _websites
}

_acls contains [b, b.values.acl, "acl"] if {
	some b in tfplan.existing_of_type("aws_s3_bucket")
	is_string(b.values.acl)
}

_acls contains [b, a.values.acl, a.address] if {
	some a in tfplan.existing_of_type("aws_s3_bucket_acl")
	is_string(a.values.acl)
	some b in tfplan.linked(a, "bucket", "aws_s3_bucket")
}

_policies contains [b, b.values.policy, "policy"] if {
	some b in tfplan.existing_of_type("aws_s3_bucket")
	is_string(b.values.policy)
}

_policies contains [b, p.values.policy, p.address] if {
	some p in tfplan.existing_of_type("aws_s3_bucket_policy")
	is_string(p.values.policy)
	some b in tfplan.linked(p, "bucket", "aws_s3_bucket")
}

_websites contains [b, "website"] if {
	some b in tfplan.existing_of_type("aws_s3_bucket")
	count(tfplan.blocks(b, "website")) > 0
}

_websites contains [b, w.address] if {
	some w in tfplan.existing_of_type("aws_s3_bucket_website_configuration")
	some b in tfplan.linked(w, "bucket", "aws_s3_bucket")
}

# An Allow statement for everyone ("*" or {"AWS": "*"}) with no Condition block.
_open_policy(doc) if {
	some s in tfiam.statements(tfiam.document(doc))
	tfiam.open_statement(s)
}

# A public access block in the plan for this bucket (or the account) that neutralises a reason:
# public ACLs are refused (block_public_acls) or ignored (ignore_public_acls), public policies
# refused (block_public_policy) or confined to the account (restrict_public_buckets); a website
# needs both.
_blocked(b, "acl") if _flag(b, "ignore_public_acls")

_blocked(b, "acl") if _flag(b, "block_public_acls")

_blocked(b, "policy") if _flag(b, "restrict_public_buckets")

_blocked(b, "policy") if _flag(b, "block_public_policy")

_blocked(b, "website") if {
	_flag(b, "ignore_public_acls")
	_flag(b, "restrict_public_buckets")
}

_flag(b, flag) if {
	some pab in tfplan.existing_of_type("aws_s3_bucket_public_access_block")
	b in tfplan.linked(pab, "bucket", "aws_s3_bucket")
	tfplan.effective(pab, flag) == true
}

_flag(_, flag) if {
	some a in tfplan.existing_of_type("aws_s3_account_public_access_block")
	tfplan.effective(a, flag) == true
}

_severity(b) := "critical" if _ml_bucket(b)

else := "high"

_ml_note(b) := "; it holds ML data, so this is critical" if _ml_bucket(b)

else := ""

_ml_bucket(b) if {
	tag := config.value("aws_ml_bucket_tag")
	tfplan.tags(b)[tag.key] in tag.values
}
