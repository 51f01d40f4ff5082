package mlfence.terraform.aws.sg_ingress_open_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sg_ingress_open

_sg(ingress) := fixture.change("aws_security_group.notebook", "aws_security_group", {"ingress": ingress}, {})

_violations(changes) := _eval(changes, [], {})

_eval(changes, config, params) := v if {
	v := sg_ingress_open.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

test_deny_inline_ml_port_is_critical if {
	f := fixture.only(_violations([_sg([{
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
	f := fixture.only(_violations([_sg([{
		"from_port": 0, "to_port": 65535, "protocol": "tcp",
		"cidr_blocks": ["0.0.0.0/0"],
	}])]))
	f.details.severity == "critical"
	contains(f.msg, "all tcp ports")
	contains(f.msg, "ML service ports 22, 4040, 5000, 6006, 8000, ... (16 in all)")
}

test_deny_all_protocols_is_critical if {
	f := fixture.only(_violations([_sg([{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}])]))
	f.details.severity == "critical"
}

test_deny_web_port_is_high if {
	f := fixture.only(_violations([_sg([{
		"from_port": 443, "to_port": 443, "protocol": "tcp",
		"cidr_blocks": ["0.0.0.0/0"],
	}])]))
	f.details.severity == "high"
	contains(f.msg, "on tcp 443")
}

test_deny_icmp_is_high if {
	f := fixture.only(_violations([_sg([{"from_port": 8, "to_port": 0, "protocol": "icmp", "cidr_blocks": ["0.0.0.0/0"]}])]))
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
	rule := fixture.change(
		"aws_security_group_rule.ssh", "aws_security_group_rule", {
			"type": "ingress", "cidr_blocks": ["0.0.0.0/0"],
			"from_port": 22, "to_port": 22, "protocol": "tcp",
		},
		{},
	)
	vpc_rule := fixture.change(
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
	rule := fixture.change(
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
	count(_violations([fixture.change("aws_security_group.empty", "aws_security_group", {}, {})])) == 0
	count(_violations([_sg([{"security_groups": ["sg-123"], "prefix_list_ids": ["pl-1"]}])])) == 0
}

test_unknown_cidr_element_is_reported_as_unknown if {
	sg := fixture.change("aws_security_group.later", "aws_security_group", {"ingress": [{"from_port": 22, "to_port": 22}]}, {
		"ingress": [{"cidr_blocks": [true]}],
	})
	f := fixture.only(_violations([sg]))
	f.details.status == "unknown"
	contains(f.msg, "ingress[0].cidr_blocks")
}

test_unknown_configured_ingress_is_reported_as_unknown if {
	sg := fixture.change("aws_security_group.later", "aws_security_group", {}, {"ingress": true})
	config := [{
		"address": "aws_security_group.later", "mode": "managed",
		"type": "aws_security_group", "name": "later",
		"expressions": {"ingress": {"references": ["var.rules"]}},
	}]
	f := fixture.only(_eval([sg], config, {}))
	f.details.status == "unknown"
}

# An unknown ingress list that the configuration does not write is the computed list filled by
# separate rule resources: nothing to judge on the group itself.
# Terraform 1.1 and later render written ingress blocks in the configuration, so a wholly unknown
# list it does not show is left out (no inline rules).
test_allow_computed_ingress_not_configured if {
	sg := fixture.change("aws_security_group.later", "aws_security_group", {}, {"ingress": true})
	plan := object.union(fixture.plan([sg], []), {"terraform_version": "1.9.8"})
	count(sg_ingress_open.violation) == 0 with input as {"plan": plan, "parameters": {}}
}

# Before 1.1 a `dynamic "ingress"` over apply-time values looks exactly like a left-out list:
# unknown, never silently nothing, unless separate rule resources are the group's rules.
test_unknown_wholly_unknown_ingress_on_old_terraform if {
	sg := fixture.change("aws_security_group.dyn", "aws_security_group", {}, {"ingress": true})
	plan := object.union(fixture.plan([sg], []), {"terraform_version": "0.15.5"})
	f := fixture.only(sg_ingress_open.violation) with input as {"plan": plan, "parameters": {}}
	f.details.status == "unknown"
	rule := fixture.change(
		"aws_vpc_security_group_ingress_rule.r", "aws_vpc_security_group_ingress_rule", {
			"security_group_id": "sg-1", "cidr_ipv4": "10.0.0.0/8", "from_port": 22, "to_port": 22, "ip_protocol": "tcp",
		},
		{},
	)
	sg2 := fixture.change("aws_security_group.dyn", "aws_security_group", {"id": "sg-1"}, {"ingress": true})
	with_rules := object.union(fixture.plan([sg2, rule], []), {"terraform_version": "0.15.5"})
	count(sg_ingress_open.violation) == 0 with input as {"plan": with_rules, "parameters": {}}
}

# Issue 16: entries that together cover the internet are the internet.
test_deny_union_of_halves if {
	f := fixture.only(_violations([_sg([{
		"from_port": 22, "to_port": 22, "protocol": "tcp",
		"cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"],
	}])]))
	f.details.severity == "critical"
	contains(f.msg, "(IPv4)")
	v6 := fixture.only(_violations([_sg([{
		"from_port": 443, "to_port": 443, "protocol": "tcp",
		"ipv6_cidr_blocks": ["::/1", "8000::/1"],
	}])]))
	contains(v6.msg, "(IPv6)")

	# Halves in two blocks of the same port, and in two rule resources of one group.
	two := _sg([
		{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/1"]},
		{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["128.0.0.0/1"]},
	])
	f2 := fixture.only(_violations([two]))
	contains(f2.msg, "ingress[0].cidr_blocks, ingress[1].cidr_blocks")
	g := fixture.change("aws_security_group.g", "aws_security_group", {"id": "sg-7"}, {})
	r1 := fixture.change(
		"aws_vpc_security_group_ingress_rule.a", "aws_vpc_security_group_ingress_rule", {
			"security_group_id": "sg-7", "cidr_ipv4": "0.0.0.0/1", "from_port": 8888, "to_port": 8888, "ip_protocol": "tcp",
		},
		{},
	)
	r2 := fixture.change(
		"aws_vpc_security_group_ingress_rule.b", "aws_vpc_security_group_ingress_rule", {
			"security_group_id": "sg-7", "cidr_ipv4": "128.0.0.0/1", "from_port": 8888, "to_port": 8888, "ip_protocol": "tcp",
		},
		{},
	)
	f3 := fixture.only(_violations([g, r1, r2]))
	f3.details.resource == "aws_security_group.g"

	# A large share is enough; a small one is not.
	count(_violations([_sg([{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/2"]}])])) == 1
	count(_violations([_sg([{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["8.0.0.0/8"]}])])) == 0
}

# One finding per group and direction, listing ports and families.
test_deny_one_finding_per_group if {
	f := fixture.only(_violations([_sg([
		{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"]},
		{"from_port": 8888, "to_port": 8888, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
		{"from_port": 8, "to_port": 0, "protocol": "icmp", "cidr_blocks": ["0.0.0.0/0"]},
	])]))
	contains(f.msg, "(IPv4, IPv6)")
	contains(f.msg, "tcp 22, tcp 8888")
	contains(f.msg, "protocol icmp (no ports)")
	contains(f.msg, "ML service ports 22, 8888")
}

# Managed prefix lists whose entries cover the internet, inline and through per-rule resources.
test_deny_open_managed_prefix_list if {
	pl := fixture.change(
		"aws_ec2_managed_prefix_list.anywhere", "aws_ec2_managed_prefix_list", {
			"id": "pl-1", "entry": [{"cidr": "0.0.0.0/0"}],
		},
		{},
	)
	sg := _sg([{"from_port": 5000, "to_port": 5000, "protocol": "tcp", "prefix_list_ids": ["pl-1"]}])
	f := fixture.only(_violations([pl, sg]))
	contains(f.msg, "ingress[0].prefix_list_ids")
	rule := fixture.change(
		"aws_vpc_security_group_ingress_rule.mlflow", "aws_vpc_security_group_ingress_rule", {
			"from_port": 5000, "to_port": 5000, "ip_protocol": "tcp",
		},
		{"prefix_list_id": true},
	)
	config := [{
		"address": "aws_vpc_security_group_ingress_rule.mlflow", "mode": "managed",
		"type": "aws_vpc_security_group_ingress_rule", "name": "mlflow",
		"expressions": {"prefix_list_id": {"references": [
			"aws_ec2_managed_prefix_list.anywhere.id",
			"aws_ec2_managed_prefix_list.anywhere",
		]}},
	}]
	g := fixture.only(_eval([pl, rule], config, {}))
	g.details.severity == "critical"

	# Entries as separate resources; a private list passes.
	private := fixture.change("aws_ec2_managed_prefix_list.vpn", "aws_ec2_managed_prefix_list", {"id": "pl-2"}, {})
	entry := fixture.change(
		"aws_ec2_managed_prefix_list_entry.vpn", "aws_ec2_managed_prefix_list_entry", {
			"prefix_list_id": "pl-2", "cidr": "10.8.0.0/16",
		},
		{},
	)
	sg2 := _sg([{"from_port": 5000, "to_port": 5000, "protocol": "tcp", "prefix_list_ids": ["pl-2"]}])
	count(_violations([private, entry, sg2])) == 0
}

# Ports as AWS reads them: a missing bound is the other one; an inverted range is invalid input.
test_port_normalisation if {
	f := fixture.only(_violations([_sg([{"to_port": 8888, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}])]))
	contains(f.msg, "tcp 8888")
	v := _violations([_sg([{"from_port": 8888, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}])])
	some w in v
	w.details.status == "warn"
	contains(w.msg, "from_port 8888 is above to_port 22")
}

# What the group is attached to: only an interface endpoint or a private database is medium.
test_attachment_decides_severity if {
	sg := fixture.change(
		"aws_security_group.ep", "aws_security_group", {"id": "sg-3", "ingress": [{
			"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
		}]},
		{},
	)
	ep := fixture.change(
		"aws_vpc_endpoint.s3", "aws_vpc_endpoint", {
			"vpc_endpoint_type": "Interface", "security_group_ids": ["sg-3"],
		},
		{},
	)
	f := fixture.only(_eval([sg, ep], [], {}))
	f.details.severity == "medium"
	contains(f.msg, "used only by aws_vpc_endpoint.s3")
	public_vm := fixture.change(
		"aws_instance.mlflow", "aws_instance", {
			"vpc_security_group_ids": ["sg-3"], "associate_public_ip_address": true, "subnet_id": "s-1",
		},
		{},
	)
	g := fixture.only(_eval([sg, ep, public_vm], [], {}))
	g.details.severity == "high"
}

test_unknown_rule_resource_cidr if {
	rule := fixture.change(
		"aws_vpc_security_group_ingress_rule.r", "aws_vpc_security_group_ingress_rule", {},
		{"cidr_ipv4": true},
	)
	f := fixture.only(_violations([rule]))
	f.details.status == "unknown"
}

test_parameter_ml_ports_overridden if {
	sg := _sg([{"from_port": 8888, "to_port": 8888, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}])
	f := fixture.only(_eval([sg], [], {"ml_ports": ["9000-9100"]}))
	f.details.severity == "high"
	g := fixture.only(_eval([sg], [], {"ml_ports": ["8000-9000"]}))
	g.details.severity == "critical"
}

_edge_lb(tags) := fixture.change(
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
