package terraform.aws.sagemaker_model_network_isolation_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.sagemaker_model_network_isolation

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
	v := sagemaker_model_network_isolation.violation with input as {
		"plan": _plan(changes, config),
		"parameters": params,
	}
}

_m(address, after, unknown) := _change(address, "aws_sagemaker_model", after, unknown)

test_deny_false if {
	f := _only(_eval([_m("aws_sagemaker_model.m", {"enable_network_isolation": false}, {})], [], {}))
	f.details.rule_id == "MLF-TF-013"
}

test_deny_omitted_in_module if {
	f := _only(_eval([_m("module.serve.aws_sagemaker_model.m[0]", {}, {})], [], {}))
	f.details.resource == "module.serve.aws_sagemaker_model.m[0]"
}

test_allow_true if {
	count(_eval([_m("aws_sagemaker_model.m", {"enable_network_isolation": true}, {})], [], {})) == 0
}

test_unknown if {
	f := _only(_eval([_m("aws_sagemaker_model.m", {}, {"enable_network_isolation": true})], fixture.written("aws_sagemaker_model.m", "aws_sagemaker_model", {"enable_network_isolation": {"references": ["var.isolate"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_m("aws_sagemaker_model.m", {}, {})], [], {"ml_ports": []})) == 1
}
