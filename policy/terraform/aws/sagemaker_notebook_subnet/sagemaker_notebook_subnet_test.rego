package terraform.aws.sagemaker_notebook_subnet_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.sagemaker_notebook_subnet

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
	v := sagemaker_notebook_subnet.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

_nb(address, after, unknown) := _change(address, "aws_sagemaker_notebook_instance", after, unknown)

test_deny_omitted if {
	f := _only(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"instance_type": "ml.t3.medium"}, {})], [], {}))
	f.details.rule_id == "MLF-TF-017"
}

test_deny_empty_in_module if {
	f := _only(_eval([_nb("module.lab.aws_sagemaker_notebook_instance.nb", {"subnet_id": ""}, {})], [], {}))
	f.details.resource == "module.lab.aws_sagemaker_notebook_instance.nb"
}

test_allow_subnet_known_or_after_apply if {
	count(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"subnet_id": "subnet-1"}, {})], [], {})) == 0
	nb := _nb("aws_sagemaker_notebook_instance.nb", {}, {"subnet_id": true})
	count(_eval([nb], fixture.written(nb.address, nb.type, fixture.pending(["subnet_id"])), {})) == 0
}

test_parameters_do_not_matter if {
	count(_eval([_nb("aws_sagemaker_notebook_instance.nb", {}, {})], [], {"ml_ports": []})) == 1
}
