package mlfence.terraform.aws.s3_ml_bucket_vpce_policy_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.s3_ml_bucket_vpce_policy

_eval(changes, config, params) := v if {
	v := s3_ml_bucket_vpce_policy.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_bucket(tags) := fixture.change("aws_s3_bucket.data", "aws_s3_bucket", {"bucket": "ml-data", "tags": tags}, {"id": true})

_ml := {"mlfence.io/data-class": "training-data"}

_policy(doc, unknown) := fixture.change(
	"aws_s3_bucket_policy.data", "aws_s3_bucket_policy", {"policy": doc},
	object.union({"bucket": true}, unknown),
)

_ref := [fixture.config("aws_s3_bucket_policy.data", "aws_s3_bucket_policy", {"bucket": {"references": [
	"aws_s3_bucket.data.id",
	"aws_s3_bucket.data",
]}})]

_deny_doc := json.marshal({"Version": "2012-10-17", "Statement": [{
	"Effect": "Deny", "Principal": "*", "Action": "s3:*",
	"Resource": ["arn:aws:s3:::ml-data", "arn:aws:s3:::ml-data/*"],
	"Condition": {"StringNotEquals": {"aws:SourceVpce": ["vpce-1"]}},
}]})

_allow_doc := json.marshal({"Statement": {
	"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
	"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
}})

test_deny_ml_bucket_without_policy if {
	f := fixture.only(_eval([_bucket(_ml)], [], {}))
	f.details.rule_id == "MLF-TF-012"
	contains(f.msg, "training-data")
}

test_deny_policy_without_deny if {
	f := fixture.only(_eval([_bucket(_ml), _policy(_allow_doc, {})], _ref, {}))
	f.details.status == "fail"
}

test_deny_invalid_policy_json if {
	count(_eval([_bucket(_ml), _policy("{not json", {})], _ref, {})) == 1
}

test_allow_deny_without_vpce if {
	count(_eval([_bucket(_ml), _policy(_deny_doc, {})], _ref, {})) == 0
}

test_allow_inline_policy_in_module if {
	b := fixture.change("module.data.aws_s3_bucket.this[0]", "aws_s3_bucket", {"tags_all": _ml, "policy": _deny_doc}, {})
	count(_eval([b], [], {})) == 0
}

test_allow_untagged_bucket if {
	count(_eval([_bucket({"team": "ml"})], [], {})) == 0
	count(_eval([_bucket({"mlfence.io/data-class": "logs"})], [], {})) == 0
}

test_unknown_policy if {
	config := [fixture.config("aws_s3_bucket_policy.data", "aws_s3_bucket_policy", {
		"bucket": {"references": ["aws_s3_bucket.data.id", "aws_s3_bucket.data"]},
		"policy": {"references": ["data.aws_iam_policy_document.data.json"]},
	})]
	f := fixture.only(_eval([_bucket(_ml), _policy(null, {"policy": true})], config, {}))
	f.details.status == "unknown"
}

test_unknown_policy_target if {
	f := fixture.only(_eval([_bucket(_ml), _policy(_allow_doc, {})], [], {}))
	f.details.status == "unknown"
}

test_parameter_overridden if {
	params := {"aws_ml_bucket_tag": {"key": "classification", "values": ["model"]}}
	count(_eval([_bucket({"classification": "model"})], [], params)) == 1
	count(_eval([_bucket(_ml)], [], params)) == 0
}
