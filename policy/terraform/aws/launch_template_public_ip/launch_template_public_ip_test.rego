package terraform.aws.launch_template_public_ip_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.launch_template_public_ip

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
	v := launch_template_public_ip.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

_lt(address, nis, unknown) := _change(address, "aws_launch_template", {"network_interfaces": nis}, unknown)

test_deny_string_true if {
	f := _only(_eval([_lt("aws_launch_template.gpu", [{"associate_public_ip_address": "true"}], {})], [], {}))
	f.details.rule_id == "MLF-TF-005"
	contains(f.msg, "network_interfaces[0]")
}

test_deny_bool_true_in_module if {
	f := _only(_eval(
		[_lt(
			"module.eks.aws_launch_template.nodes[\"gpu\"]", [{"associate_public_ip_address": true}],
			{},
		)],
		[], {},
	))
	f.details.resource == "module.eks.aws_launch_template.nodes[\"gpu\"]"
}

test_allow_false_or_omitted if {
	count(_eval([_lt("aws_launch_template.a", [{"associate_public_ip_address": "false"}], {})], [], {})) == 0
	count(_eval([_lt("aws_launch_template.b", [{"device_index": 0}], {})], [], {})) == 0
	count(_eval([_change("aws_launch_template.c", "aws_launch_template", {}, {})], [], {})) == 0
}

test_unknown_value if {
	template := _lt("aws_launch_template.a", [{}], {"network_interfaces": [{"associate_public_ip_address": true}]})
	f := _only(_eval([template], fixture.written("aws_launch_template.a", "aws_launch_template", {"network_interfaces": [{"associate_public_ip_address": {"references": ["var.public"]}}]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_lt("aws_launch_template.a", [{"associate_public_ip_address": "true"}], {})], [],
		{"ml_ports": []},
	)) == 1
}
