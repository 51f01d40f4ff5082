package terraform.aws.subnet_public_ip_test

import data.lib.mlfence.tfplan_fixture_test as fixture
import data.terraform.aws.subnet_public_ip

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
	v := subnet_public_ip.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

test_deny_map_public_ip if {
	f := _only(_eval(
		[_change(
			"module.vpc.aws_subnet.public[0]", "aws_subnet", {"map_public_ip_on_launch": true},
			{},
		)],
		[], {},
	))
	f.details.rule_id == "MLF-TF-006"
	f.details.resource == "module.vpc.aws_subnet.public[0]"
}

test_allow_false_or_omitted if {
	count(_eval([_change("aws_subnet.a", "aws_subnet", {"map_public_ip_on_launch": false}, {})], [], {})) == 0
	count(_eval([_change("aws_subnet.b", "aws_subnet", {"cidr_block": "10.0.0.0/24"}, {})], [], {})) == 0
}

test_unknown_value if {
	f := _only(_eval([_change("aws_subnet.a", "aws_subnet", {}, {"map_public_ip_on_launch": true})], fixture.written("aws_subnet.a", "aws_subnet", {"map_public_ip_on_launch": {"references": ["var.public"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_change("aws_subnet.a", "aws_subnet", {"map_public_ip_on_launch": true}, {})], [],
		{"ml_ports": []},
	)) == 1
}
