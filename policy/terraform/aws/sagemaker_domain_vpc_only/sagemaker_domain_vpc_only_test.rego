package terraform.aws.sagemaker_domain_vpc_only_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.sagemaker_domain_vpc_only

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
	v := sagemaker_domain_vpc_only.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

_d(address, after, unknown) := _change(address, "aws_sagemaker_domain", after, unknown)

test_deny_public_internet if {
	f := _only(_eval(
		[_d("aws_sagemaker_domain.studio", {"app_network_access_type": "PublicInternetOnly"}, {})], [],
		{},
	))
	f.details.rule_id == "MLF-TF-018"
}

test_deny_omitted_in_module if {
	f := _only(_eval([_d("module.studio.aws_sagemaker_domain.this", {"domain_name": "s"}, {})], [], {}))
	contains(f.msg, "PublicInternetOnly")
}

test_allow_vpc_only if {
	count(_eval([_d("aws_sagemaker_domain.studio", {"app_network_access_type": "VpcOnly"}, {})], [], {})) == 0
}

test_unknown if {
	f := _only(_eval([_d("aws_sagemaker_domain.studio", {}, {"app_network_access_type": true})], fixture.written("aws_sagemaker_domain.studio", "aws_sagemaker_domain", {"app_network_access_type": {"references": ["var.mode"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_d("aws_sagemaker_domain.studio", {}, {})], [], {"ml_ports": []})) == 1
}
