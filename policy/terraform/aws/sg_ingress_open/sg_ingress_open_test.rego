package terraform.aws.sg_ingress_open_test

import data.terraform.aws.sg_ingress_open

# _plan(changes) wraps resource changes in the `terraform show -json` envelope.
_plan(changes) := {"format_version": "1.2", "resource_changes": changes}

_change(address, type, after, unknown) := {
	"address": address,
	"mode": "managed",
	"type": type,
	"name": split(address, ".")[count(split(address, ".")) - 1],
	"change": {"actions": ["create"], "after": after, "after_unknown": unknown},
}

_sg(ingress) := _change("aws_security_group.notebook", "aws_security_group", {"ingress": ingress}, {})

_violations(changes) := v if {
	v := sg_ingress_open.violation with input as {"plan": _plan(changes), "parameters": {}}
}

test_deny_inline_ipv4_anywhere if {
	v := _violations([_sg([{"from_port": 8888, "to_port": 8888, "cidr_blocks": ["0.0.0.0/0"]}])])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-001"
	f.details.resource == "aws_security_group.notebook"
	f.details.status == "fail"
	contains(f.msg, "ingress[0].cidr_blocks")
}

test_deny_inline_ipv6_anywhere if {
	count(_violations([_sg([{"ipv6_cidr_blocks": ["::/0"], "cidr_blocks": []}])])) == 1
}

test_deny_separate_rule_and_vpc_rule if {
	rule := _change("aws_security_group_rule.ssh", "aws_security_group_rule", {"type": "ingress", "cidr_blocks": ["0.0.0.0/0"]}, {})
	vpc_rule := _change("module.net.aws_vpc_security_group_ingress_rule.ray", "aws_vpc_security_group_ingress_rule", {"cidr_ipv4": "0.0.0.0/0"}, {})
	v := _violations([rule, vpc_rule])
	{f.details.resource | some f in v} == {"aws_security_group_rule.ssh", "module.net.aws_vpc_security_group_ingress_rule.ray"}
}

test_allow_private_source if {
	count(_violations([_sg([{"cidr_blocks": ["10.0.0.0/16"], "ipv6_cidr_blocks": null}])])) == 0
}

test_allow_egress_rule_to_anywhere if {
	rule := _change("aws_security_group_rule.out", "aws_security_group_rule", {"type": "egress", "cidr_blocks": ["0.0.0.0/0"]}, {})
	count(_violations([rule])) == 0
}

# Attribute omitted: no ingress blocks, no source CIDRs.
test_allow_ingress_omitted if {
	count(_violations([_change("aws_security_group.empty", "aws_security_group", {}, {})])) == 0
	count(_violations([_sg([{"security_groups": ["sg-123"]}])])) == 0
}

test_unknown_ingress_is_reported_as_unknown if {
	sg := _change("aws_security_group.later", "aws_security_group", {}, {"ingress": true})
	v := _violations([sg])
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_allow_deleted_resource if {
	sg := json.patch(_sg([{"cidr_blocks": ["0.0.0.0/0"]}]), [{"op": "replace", "path": "/change/actions", "value": ["delete"]}])
	count(_violations([sg])) == 0
}

test_allow_malformed_plan if {
	count(_violations([{"mode": "managed"}, 3, null])) == 0
	v := sg_ingress_open.violation with input as {"plan": "nope"}
	count(v) == 0
}
