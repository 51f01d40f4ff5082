# METADATA
# title: S3 bucket without a complete public access block
# description: >-
#   Training data, feature stores and model artifacts live in S3. Without all four public access
#   block settings, one ACL or bucket policy edit makes a dataset or model public; this is the
#   most common way ML data leaks.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_public_access_block
#   - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# custom:
#   id: MLF-TF-011
#   long_id: tf-aws-s3-public-access-block
#   severity: high
#   target: terraform
#   kinds: [aws_s3_bucket, aws_s3_bucket_public_access_block, aws_s3_account_public_access_block]
#   recommended_action: >-
#     Add aws_s3_bucket_public_access_block with bucket = aws_s3_bucket.<name>.id and
#     block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets = true.
package mlfence.terraform.aws.s3_public_access_block

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# A block whose flags are not all true. Omitted flags are false (provider default).
violation contains result.failure(rego.metadata.chain(), pab.address, msg) if {
	some pab in _blocks
	off := _off(pab)
	count(off) > 0
	msg := sprintf("%s does not set %s to true", [pab.address, concat(", ", off)])
}

violation contains f if {
	some f in tfplan.pending_because(rego.metadata.chain(), _blocks, _flags, "; set it to the literal true")
}

# No block at all. AWS turns the block on for buckets created since April 2023, but only an
# explicit block keeps it on against later edits and for older buckets: medium, not high.
violation contains result.with_severity(rego.metadata.chain(), b.address, msg, "medium") if {
	count(_undecided) == 0
	not _account_block
	some b in tfplan.of_type("aws_s3_bucket")
	count(_blocks_of(b)) == 0
	msg := sprintf("%s has no aws_s3_bucket_public_access_block; add one with all four settings true", [b.address])
}

violation contains result.unknown(rego.metadata.chain(), b.address, msg) if {
	count(_undecided) > 0
	not _account_block
	some b in tfplan.of_type("aws_s3_bucket")
	count(_blocks_of(b)) == 0
	msg := sprintf("%s: no public access block resolves to this bucket; the bucket of %s is known only after apply", [
		b.address, concat(", ", sort([p.address | some p in _undecided])),
	])
}

_blocks contains pab if {
	some pab in tfplan.of_type("aws_s3_bucket_public_access_block")
}

_off(pab) := [flag |
	some flag in _flags
	not tfplan.pending(pab, flag)
	tfplan.value(pab, flag, false) != true
]

_blocks_of(b) := {pab |
	some pab in tfplan.existing_of_type("aws_s3_bucket_public_access_block")
	b in tfplan.linked(pab, "bucket", "aws_s3_bucket")
}

_undecided contains pab if {
	some pab in tfplan.existing_of_type("aws_s3_bucket_public_access_block")
	not tfplan.decided(pab, "bucket")
}

# An account-wide block with every setting on covers every bucket.
_account_block if {
	some a in tfplan.existing_of_type("aws_s3_account_public_access_block")
	every flag in _flags {
		tfplan.value(a, flag, false) == true
	}
}
