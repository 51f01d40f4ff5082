package terraform.aws.sg_ingress_open_test

import data.terraform.aws.sg_ingress_open

# _plan(changes, config) wraps resource changes (and the root module configuration resources)
# in the `terraform show -json` envelope.
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

_sg(ingress) := _change("aws_security_group.notebook", "aws_security_group", {"ingress": ingress}, {})

_violations(changes) := _eval(changes, [], {})

_eval(changes, config, params) := v if {
	v := sg_ingress_open.violation with input as {"plan": _plan(changes, config), "parameters": params}
}

_only(v) := f if {
	count(v) == 1
	some f in v
}

test_deny_inline_ml_port_is_critical if {
	f := _only(_violations([_sg([{
		"from_port": 8888, "to_port": 8888, "protocol": "tcp",
		"cidr_blocks": ["0.0.0.0/0"],
	}])]))
	f.details.rule_id == "MLF-TF-001"
	f.details.resource == "aws_security_group.notebook"
	f.details.status == "fail"
	f.details.severity == "critical"
	contains(f.msg, "ingress[0].cidr_blocks")
	contains(f.msg, "8888")
}

test_deny_range_covering_ml_ports_is_critical if {
	f := _only(_violations([_sg([{
		"from_port": 0, "to_port": 65535, "protocol": "tcp",
		"cidr_blocks": ["0.0.0.0/0"],
	}])]))
	f.details.severity == "critical"
	contains(f.msg, "all tcp ports")
	contains(f.msg, "ML service ports 22, 4040, 5000, 6006, 8000, ... (16 in all)")
}

test_deny_all_protocols_is_critical if {
	f := _only(_violations([_sg([{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}])]))
	f.details.severity == "critical"
}

test_deny_web_port_is_high if {
	f := _only(_violations([_sg([{
		"from_port": 443, "to_port": 443, "protocol": "tcp",
		"cidr_blocks": ["0.0.0.0/0"],
	}])]))
	f.details.severity == "high"
	contains(f.msg, "on tcp 443")
}

test_deny_icmp_is_high if {
	f := _only(_violations([_sg([{"from_port": 8, "to_port": 0, "protocol": "icmp", "cidr_blocks": ["0.0.0.0/0"]}])]))
	f.details.severity == "high"
	contains(f.msg, "protocol icmp")
}

test_deny_inline_ipv6_anywhere if {
	count(_violations([_sg([{
		"ipv6_cidr_blocks": ["::/0"], "cidr_blocks": [], "from_port": 443,
		"to_port": 443,
	}])])) == 1
}

test_deny_separate_rule_and_vpc_rule_in_module if {
	rule := _change(
		"aws_security_group_rule.ssh", "aws_security_group_rule", {
			"type": "ingress", "cidr_blocks": ["0.0.0.0/0"],
			"from_port": 22, "to_port": 22, "protocol": "tcp",
		},
		{},
	)
	vpc_rule := _change(
		"module.net.aws_vpc_security_group_ingress_rule.ray", "aws_vpc_security_group_ingress_rule", {
			"cidr_ipv6": "::/0", "from_port": 8265,
			"to_port": 8265, "ip_protocol": "tcp",
		},
		{},
	)
	v := _violations([rule, vpc_rule])
	{f.details.resource | some f in v} == {
		"aws_security_group_rule.ssh",
		"module.net.aws_vpc_security_group_ingress_rule.ray",
	}
	every f in v {
		f.details.severity == "critical"
	}
}

test_allow_private_source if {
	count(_violations([_sg([{
		"cidr_blocks": ["10.0.0.0/16"], "ipv6_cidr_blocks": null, "from_port": 22,
		"to_port": 22,
	}])])) == 0
}

test_allow_egress_rule_to_anywhere if {
	rule := _change(
		"aws_security_group_rule.out", "aws_security_group_rule", {
			"type": "egress",
			"cidr_blocks": ["0.0.0.0/0"],
		},
		{},
	)
	count(_violations([rule])) == 0
}

# Attribute omitted: no ingress blocks, no source CIDRs, or a prefix list / security group source.
test_allow_ingress_omitted if {
	count(_violations([_change("aws_security_group.empty", "aws_security_group", {}, {})])) == 0
	count(_violations([_sg([{"security_groups": ["sg-123"], "prefix_list_ids": ["pl-1"]}])])) == 0
}

test_unknown_cidr_element_is_reported_as_unknown if {
	sg := _change("aws_security_group.later", "aws_security_group", {"ingress": [{"from_port": 22, "to_port": 22}]}, {
		"ingress": [{"cidr_blocks": [true]}],
	})
	f := _only(_violations([sg]))
	f.details.status == "unknown"
	contains(f.msg, "ingress[0].cidr_blocks")
}

test_unknown_configured_ingress_is_reported_as_unknown if {
	sg := _change("aws_security_group.later", "aws_security_group", {}, {"ingress": true})
	config := [{
		"address": "aws_security_group.later", "mode": "managed",
		"type": "aws_security_group", "name": "later",
		"expressions": {"ingress": {"references": ["var.rules"]}},
	}]
	f := _only(_eval([sg], config, {}))
	f.details.status == "unknown"
}

# An unknown ingress list that the configuration does not write is the computed list filled by
# separate rule resources: nothing to judge on the group itself.
test_allow_computed_ingress_not_configured if {
	sg := _change("aws_security_group.later", "aws_security_group", {}, {"ingress": true})
	count(_violations([sg])) == 0
}

test_unknown_rule_resource_cidr if {
	rule := _change(
		"aws_vpc_security_group_ingress_rule.r", "aws_vpc_security_group_ingress_rule", {},
		{"cidr_ipv4": true},
	)
	f := _only(_violations([rule]))
	f.details.status == "unknown"
}

test_parameter_ml_ports_overridden if {
	sg := _sg([{"from_port": 8888, "to_port": 8888, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}])
	f := _only(_eval([sg], [], {"ml_ports": ["9000-9100"]}))
	f.details.severity == "high"
	g := _only(_eval([sg], [], {"ml_ports": ["8000-9000"]}))
	g.details.severity == "critical"
}

_edge_lb(tags) := _change(
	"aws_lb.edge", "aws_lb", {"name": "edge", "internal": false, "tags": tags},
	{"security_groups": true},
)

_edge_config := [{
	"address": "aws_lb.edge", "mode": "managed", "type": "aws_lb", "name": "edge",
	"expressions": {"security_groups": {"references": [
		"aws_security_group.notebook.id",
		"aws_security_group.notebook",
	]}},
}]

test_allow_web_port_on_approved_edge_gateway if {
	sg := _sg([{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}])
	count(_eval([sg, _edge_lb({"mlfence.io/edge-gateway": "true"})], _edge_config, {})) == 0

	# Same group on an untagged load balancer: still a finding.
	count(_eval([sg, _edge_lb({})], _edge_config, {})) == 1

	# Allow-listed by name instead of tag.
	count(_eval([sg, _edge_lb({})], _edge_config, {"aws_edge_gateway_names": ["edge"]})) == 0
}

test_deny_ml_port_even_on_edge_gateway if {
	sg := _sg([{"from_port": 8888, "to_port": 8888, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}])
	count(_eval([sg, _edge_lb({"mlfence.io/edge-gateway": "true"})], _edge_config, {})) == 1
}

test_allow_deleted_resource if {
	sg := json.patch(_sg([{"cidr_blocks": ["0.0.0.0/0"]}]), [{
		"op": "replace", "path": "/change/actions",
		"value": ["delete"],
	}])
	count(_violations([sg])) == 0
}

test_allow_malformed_plan if {
	count(_violations([{"mode": "managed"}, 3, null])) == 0
	count(_violations([_sg("nope"), _sg([3, null, {"cidr_blocks": "0.0.0.0/0"}])])) == 0
	v := sg_ingress_open.violation with input as {"plan": "nope"}
	count(v) == 0
}
