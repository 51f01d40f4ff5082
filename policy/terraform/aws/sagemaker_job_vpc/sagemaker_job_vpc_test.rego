package terraform.aws.sagemaker_job_vpc_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.sagemaker_job_vpc

# _plan(changes, config) wraps resource changes (and root module configuration resources) in
# the `terraform show -json` envelope.
_plan(changes, config) := {
	"format_version": "1.2",
	"resource_changes": changes,
	"configuration": {"root_module": {"resources": config}},
}

_change(address, type, after, unknown) := {
	"address": address,
	"module_address": _module_of(address, type),
	"mode": "managed",
	"type": type,
	"name": regex.replace(split(address, ".")[count(split(address, ".")) - 1], `\[.*$`, ""),
	"change": {"actions": ["create"], "after": after, "after_unknown": unknown},
}

_module_of(address, type) := split(address, sprintf(".%s.", [type]))[0] if startswith(address, "module.")

else := ""

_only(v) := f if {
	count(v) == 1
	some f in v
}

_eval(changes, config, params) := v if {
	v := sagemaker_job_vpc.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

test_deny_training_job_without_vpc if {
	v := _eval([_change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {})], [], {})
	count(v) == 2
	some f in v
	f.details.rule_id == "MLF-TF-022"
}

test_deny_monitoring_job_in_module if {
	j := _change(
		"module.mon.aws_sagemaker_data_quality_job_definition.d", "aws_sagemaker_data_quality_job_definition", {
			"network_config": [{"vpc_config": [{"subnets": ["subnet-1"]}]}],
		},
		{},
	)
	f := _only(_eval([j], [], {}))
	contains(f.msg, "network_config.vpc_config.security_group_ids")
}

test_allow_set_or_known_after_apply if {
	t := _change(
		"aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {"vpc_config": [{
			"subnets": ["subnet-1"],
			"security_group_ids": ["sg-1"],
		}]},
		{},
	)
	d := _change(
		"aws_sagemaker_data_quality_job_definition.d", "aws_sagemaker_data_quality_job_definition", {
			"network_config": [{"vpc_config": [{}]}],
		},
		{"network_config": [{"vpc_config": [{"subnets": true, "security_group_ids": true}]}]},
	)
	config := fixture.written(d.address, d.type, {"network_config": [{"vpc_config": [fixture.pending(["subnets", "security_group_ids"])]}]})
	count(_eval([t, d], config, {})) == 0
}

test_unknown_block if {
	t := _change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {"vpc_config": true})
	f := _only(_eval([t], fixture.written(t.address, t.type, {"vpc_config": [fixture.pending(["subnets"])]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {})], [],
		{"ml_ports": []},
	)) == 2
}
