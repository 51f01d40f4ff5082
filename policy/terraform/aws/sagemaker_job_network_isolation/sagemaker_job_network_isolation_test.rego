package terraform.aws.sagemaker_job_network_isolation_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.sagemaker_job_network_isolation

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
	v := sagemaker_job_network_isolation.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

test_deny_training_job_omitted if {
	f := _only(_eval([_change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {})], [], {}))
	f.details.rule_id == "MLF-TF-020"
	contains(f.msg, "does not set enable_network_isolation = true")
}

test_deny_monitoring_job_in_module if {
	j := _change(
		"module.mon.aws_sagemaker_model_bias_job_definition.b", "aws_sagemaker_model_bias_job_definition", {
			"network_config": [{"enable_network_isolation": false}],
		},
		{},
	)
	f := _only(_eval([j], [], {}))
	contains(f.msg, "network_config.enable_network_isolation")
}

test_allow_true if {
	t := _change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {"enable_network_isolation": true}, {})
	d := _change(
		"aws_sagemaker_data_quality_job_definition.d", "aws_sagemaker_data_quality_job_definition", {
			"network_config": [{"enable_network_isolation": true}],
		},
		{},
	)
	count(_eval([t, d], [], {})) == 0
}

test_unknown if {
	d := _change("aws_sagemaker_model_quality_job_definition.q", "aws_sagemaker_model_quality_job_definition", {}, {
		"network_config": [{"enable_network_isolation": true}],
	})
	f := _only(_eval([d], fixture.written("aws_sagemaker_model_quality_job_definition.q", "aws_sagemaker_model_quality_job_definition", {"network_config": [{"enable_network_isolation": {"references": ["var.isolate"]}}]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	j := _change(
		"aws_sagemaker_model_explainability_job_definition.e",
		"aws_sagemaker_model_explainability_job_definition", {}, {},
	)
	count(_eval([j], [], {"ml_ports": []})) == 1
}
