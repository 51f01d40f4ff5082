package terraform.aws.sagemaker_notebook_direct_internet_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.sagemaker_notebook_direct_internet

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
	v := sagemaker_notebook_direct_internet.violation with input as {
		"plan": _plan(changes, config),
		"parameters": params,
	}
}

_nb(address, after, unknown) := _change(address, "aws_sagemaker_notebook_instance", after, unknown)

test_deny_enabled if {
	f := _only(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"direct_internet_access": "Enabled"}, {})], [], {}))
	f.details.rule_id == "MLF-TF-015"
	contains(f.msg, "direct_internet_access = \"Enabled\"")
}

# Omitted: the AWS default is "Enabled".
test_deny_omitted_in_module if {
	f := _only(_eval([_nb("module.lab.aws_sagemaker_notebook_instance.nb[\"alice\"]", {}, {})], [], {}))
	f.details.resource == "module.lab.aws_sagemaker_notebook_instance.nb[\"alice\"]"
	contains(f.msg, "\"Enabled\"")
}

test_allow_disabled if {
	count(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"direct_internet_access": "Disabled"}, {})], [], {})) == 0
}

test_unknown if {
	f := _only(_eval([_nb("aws_sagemaker_notebook_instance.nb", {}, {"direct_internet_access": true})], fixture.written("aws_sagemaker_notebook_instance.nb", "aws_sagemaker_notebook_instance", {"direct_internet_access": {"references": ["var.internet"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_nb("aws_sagemaker_notebook_instance.nb", {"direct_internet_access": "Enabled"}, {})], [],
		{"ml_ports": []},
	)) == 1
}
