package mlfence.terraform.aws.s3_bucket_public_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.s3_bucket_public

_bucket(after) := fixture.change("aws_s3_bucket.data", "aws_s3_bucket", object.union({"bucket": "ml-data", "id": "ml-data"}, after), {})

_eval(changes, config, params) := v if {
	plan := fixture.plan(changes, config)
	v := s3_bucket_public.violation with input as {"plan": plan, "parameters": params}
}

_open_policy := json.marshal({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})

test_deny_public_read_acl if {
	f := fixture.only(_eval([_bucket({"acl": "public-read"})], [], {}))
	f.details.rule_id == "MLF-TF-024"
	f.details.severity == "high"
	contains(f.msg, "ACL public-read (acl)")
}

test_deny_policy_for_everyone_through_a_policy_resource if {
	p := fixture.change("aws_s3_bucket_policy.data", "aws_s3_bucket_policy", {"policy": _open_policy}, {"bucket": true})
	config := fixture.written(p.address, p.type, {"bucket": {"references": ["aws_s3_bucket.data.id", "aws_s3_bucket.data"]}})
	f := fixture.only(_eval([_bucket({}), p], config, {}))
	contains(f.msg, "aws_s3_bucket_policy.data allows Principal \"*\" without conditions")
}

test_deny_website_and_ml_data_is_critical if {
	w := fixture.change("aws_s3_bucket_website_configuration.site", "aws_s3_bucket_website_configuration", {"bucket": "ml-data"}, {})
	b := _bucket({"tags": {"mlfence.io/data-class": "model-artifacts"}})
	f := fixture.only(_eval([b, w], [], {}))
	f.details.severity == "critical"
	contains(f.msg, "static website hosting")
}

# A condition (a VPC endpoint, the organisation) or a named principal is not public.
test_allow_private_acl_and_conditional_policy if {
	conditional := json.marshal({"Statement": [{
		"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
		"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
	}]})
	count(_eval([_bucket({"acl": "private", "policy": conditional})], [], {})) == 0
	named := json.marshal({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*"}})
	count(_eval([_bucket({"policy": named})], [], {})) == 0
	count(_eval([_bucket({"policy": "not json"})], [], {})) == 0
}

# Nothing set: the bucket is private (MLF-TF-011 reports a missing public access block).
test_allow_attributes_omitted if {
	count(_eval([_bucket({})], [], {})) == 0
}

test_allow_public_access_block_overrides if {
	pab := fixture.change(
		"aws_s3_bucket_public_access_block.data", "aws_s3_bucket_public_access_block", {
			"bucket": "ml-data", "block_public_acls": true, "ignore_public_acls": true,
			"block_public_policy": true, "restrict_public_buckets": true,
		},
		{},
	)
	count(_eval([_bucket({"acl": "public-read-write", "policy": _open_policy}), pab], [], {})) == 0
}

test_parameter_ml_tag_overridden if {
	b := _bucket({"acl": "public-read", "tags": {"team": "vision"}})
	f := fixture.only(_eval([b], [], {"aws_ml_bucket_tag": {"key": "team", "values": ["vision"]}}))
	f.details.severity == "critical"
}
