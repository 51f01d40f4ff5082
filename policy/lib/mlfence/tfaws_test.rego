package lib.mlfence.tfaws_test

import data.lib.mlfence.testing.tfplan as fixture
import data.lib.mlfence.tfaws
import data.lib.mlfence.tfports

_change(address, type, "", after, unknown, actions) := fixture.change_with(address, type, after, unknown, actions)

test_ports if {
	tfaws.port_range(0, 0, "-1") == [0, 65535]
	tfaws.port_range(null, null, "all") == [0, 65535]
	tfaws.port_range(8, 0, "icmp") == []
	tfaws.port_range(22, 23, "tcp") == [22, 23]
	tfaws.port_range(null, null, "tcp") == [0, 65535]
	tfaws.port_range(1, 2, 6) == [1, 2]
	tfports.label([0, 65535]) == "all ports"
	tfports.label([22, 22]) == "22"
	tfports.label([8000, 8002]) == "8000-8002"
	ml := {"ml_ports": [22, "8001-8002", "8080", "bad", "1-2-3", 9000]}
	tfports.ml_ports_in([[8000, 8080]]) == ["8001-8002", "8080"] with input.parameters as ml
	tfports.ml_ports_in([[]]) == [] with input.parameters as ml
}

test_sg_cidrs_and_unknown if {
	sg := _change(
		"aws_security_group.a", "aws_security_group", "", {"ingress": [
			{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"},
			"junk",
		]},
		{"ingress": [{"cidr_blocks": [false]}, {"ipv6_cidr_blocks": [true]}]}, ["update"],
	)
	rule := _change(
		"aws_security_group_rule.b", "aws_security_group_rule", "", {
			"type": "ingress", "cidr_blocks": ["10.0.0.0/8"],
			"security_group_id": "sg-1",
		},
		{}, ["create"],
	)
	group := _change("aws_security_group.c", "aws_security_group", "", {"id": "sg-1"}, {}, ["no-op"])
	plan := {"format_version": "1.2", "resource_changes": [sg, rule, group]}
	cidrs := tfaws.sg_cidrs("ingress") with input as {"plan": plan}
	{[e.resource.address, e.attribute, e.cidr, e.ports, e.protocol] | some e in cidrs} == {
		["aws_security_group.a", "ingress[0].cidr_blocks", "0.0.0.0/0", [22, 22], "tcp"],
		["aws_security_group_rule.b", "cidr_blocks", "10.0.0.0/8", [0, 65535], "all"],
	}
	unknown := tfaws.sg_unknown("ingress") with input as {"plan": plan}
	{u.attribute | some u in unknown} == {"ingress[1].ipv6_cidr_blocks"}
	some e in cidrs
	e.resource.type == "aws_security_group_rule"
	groups := tfaws.rule_groups(e) with input as {"plan": plan}
	{g.address | some g in groups} == {"aws_security_group.c"}
}

test_edge_gateway_by_name_and_tag if {
	names := {"parameters": {"aws_edge_gateway_names": ["edge"]}}
	tfaws.edge_gateway({"values": {"name": "edge"}}) with input as names
	tfaws.edge_gateway({"values": {"tags": {"mlfence.io/edge-gateway": "true"}}}) with input as {"parameters": {}}
	other := {"values": {"tags": {"mlfence.io/edge-gateway": "yes"}}}
	not tfaws.edge_gateway(other) with input as {"parameters": {}}
}
