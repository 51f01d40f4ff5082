package mlfence.terraform.aws.s3_public_access_block_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.s3_public_access_block

_eval(changes, config, params) := v if {
	v := s3_public_access_block.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_bucket(address) := fixture.change(address, "aws_s3_bucket", {"bucket": "ml-data"}, {"id": true})

_pab(address, flags, unknown) := fixture.change(
	address, "aws_s3_bucket_public_access_block", flags,
	object.union({"bucket": true}, unknown),
)

_all_on := {
	"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true,
	"restrict_public_buckets": true,
}

_ref(pab, bucket) := fixture.config(pab, "aws_s3_bucket_public_access_block", {"bucket": {"references": [
	sprintf(
		"%s.id",
		[bucket],
	),
	bucket,
]}})

test_deny_bucket_without_block if {
	f := fixture.only(_eval([_bucket("aws_s3_bucket.data")], [], {}))
	f.details.rule_id == "MLF-TF-011"
	f.details.severity == "medium"
}

test_deny_block_flag_off if {
	flags := object.union(_all_on, {"restrict_public_buckets": false})
	f := fixture.only(_eval(
		[_bucket("aws_s3_bucket.data"), _pab("aws_s3_bucket_public_access_block.data", flags, {})],
		[_ref("aws_s3_bucket_public_access_block.data", "aws_s3_bucket.data")], {},
	))
	f.details.resource == "aws_s3_bucket_public_access_block.data"
	f.details.severity == "high"
	contains(f.msg, "restrict_public_buckets")
}

test_deny_block_flags_omitted if {
	f := fixture.only(_eval([_pab("aws_s3_bucket_public_access_block.data", {"block_public_acls": true}, {})], [], {}))
	contains(f.msg, "block_public_policy, ignore_public_acls, restrict_public_buckets")
}

test_allow_complete_block_in_module if {
	b := _bucket("module.store.aws_s3_bucket.this[0]")
	p := _pab("module.store.aws_s3_bucket_public_access_block.this[0]", _all_on, {})
	config := {"module_calls": {"store": {"module": {"resources": [fixture.config(
		"aws_s3_bucket_public_access_block.this", "aws_s3_bucket_public_access_block",
		{"bucket": {"references": ["aws_s3_bucket.this[0].id", "aws_s3_bucket.this[0]"]}},
	)]}}}}
	plan := {"format_version": "1.2", "resource_changes": [b, p], "configuration": {"root_module": config}}
	count(s3_public_access_block.violation) == 0 with input as {"plan": plan, "parameters": {}}
}

test_allow_known_bucket_name if {
	p := fixture.change(
		"aws_s3_bucket_public_access_block.data", "aws_s3_bucket_public_access_block", object.union(
			_all_on,
			{"bucket": "ml-data"},
		),
		{},
	)
	count(_eval([_bucket("aws_s3_bucket.data"), p], [], {})) == 0
}

test_allow_account_block if {
	a := fixture.change("aws_s3_account_public_access_block.this", "aws_s3_account_public_access_block", _all_on, {})
	count(_eval([_bucket("aws_s3_bucket.data"), a], [], {})) == 0
}

test_unknown_block_target if {
	f := fixture.only(_eval([_bucket("aws_s3_bucket.data"), _pab("aws_s3_bucket_public_access_block.x", _all_on, {})], [], {}))
	f.details.status == "unknown"
	f.details.resource == "aws_s3_bucket.data"
}

test_unknown_flag if {
	f := fixture.only(_eval(
		[_pab(
			"aws_s3_bucket_public_access_block.x", object.remove(_all_on, ["block_public_acls"]),
			{"block_public_acls": true},
		)],
		fixture.written("aws_s3_bucket_public_access_block.x", "aws_s3_bucket_public_access_block", fixture.pending(["block_public_acls"])), {},
	))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_bucket("aws_s3_bucket.data")], [], {"aws_ml_bucket_tag": {"key": "x", "values": []}})) == 1
}
