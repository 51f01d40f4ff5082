package terraform.aws.sagemaker_model_vpc_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.sagemaker_model_vpc

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
	v := sagemaker_model_vpc.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

_m(address, after, unknown) := _change(address, "aws_sagemaker_model", after, unknown)

test_deny_omitted if {
	v := _eval([_m("aws_sagemaker_model.m", {"vpc_config": []}, {})], [], {})
	count(v) == 2
	some f in v
	f.details.rule_id == "MLF-TF-014"
}

test_deny_no_security_groups_in_module if {
	f := _only(_eval(
		[_m(
			"module.s.aws_sagemaker_model.m", {"vpc_config": [{
				"subnets": ["subnet-1"],
				"security_group_ids": [],
			}]},
			{},
		)],
		[], {},
	))
	contains(f.msg, "vpc_config.security_group_ids")
	f.details.resource == "module.s.aws_sagemaker_model.m"
}

test_allow_set_or_known_after_apply if {
	count(_eval(
		[_m(
			"aws_sagemaker_model.m", {"vpc_config": [{
				"subnets": ["subnet-1"],
				"security_group_ids": ["sg-1"],
			}]},
			{},
		)],
		[], {},
	)) == 0
	m := _m("aws_sagemaker_model.n", {"vpc_config": [{}]}, {"vpc_config": [{
		"subnets": true,
		"security_group_ids": true,
	}]})
	count(_eval([m], fixture.written(m.address, m.type, {"vpc_config": [fixture.pending(["subnets", "security_group_ids"])]}), {})) == 0
}

test_unknown_block if {
	m := _m("aws_sagemaker_model.m", {}, {"vpc_config": true})
	f := _only(_eval([m], fixture.written(m.address, m.type, {"vpc_config": [fixture.pending(["subnets"])]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_m("aws_sagemaker_model.m", {}, {})], [], {"ml_ports": []})) == 2
}
