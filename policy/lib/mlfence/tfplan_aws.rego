# AWS helpers of lib.mlfence.tfplan (security group rules, ports, edge load balancers). The
# package spans tfplan.rego and this file; its METADATA block lives in tfplan.rego.
package lib.mlfence.tfplan

import data.lib.mlfence.config

# ---------------------------------------------------------------------------------------------
# AWS security group rules in one shape. Inline rules of aws_security_group and
# aws_default_security_group, aws_security_group_rule and the per-rule resources
# aws_vpc_security_group_{ingress,egress}_rule all become entries
#   {"resource", "attribute", "cidr", "from_port", "to_port", "protocol"}
# one per CIDR; "attribute" names what to change ("ingress[0].cidr_blocks", "cidr_ipv4").
# Prefix lists and security-group sources are not CIDRs and never appear here.

_aws_inline_sg_types := {"aws_security_group", "aws_default_security_group"}

_aws_rule_types := {"ingress": "aws_vpc_security_group_ingress_rule", "egress": "aws_vpc_security_group_egress_rule"}

# aws_sg_cidrs(direction) is the set of CIDR entries of every rule of a direction.
# Contract: aws_sg_cidrs("ingress" | "egress") -> set of entries as above.
aws_sg_cidrs(direction) := ({e |
	some r in resources
	r.type in _aws_inline_sg_types
	some i, b in blocks(r, direction)
	is_object(b)
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in string_list(b[key])
	e := _sg_entry(r, sprintf("%s[%d].%s", [direction, i, key]), cidr, b)
} | {e |
	some r in of_type("aws_security_group_rule")
	r.values.type == direction
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in string_list(r.values[key])
	e := _sg_entry(r, key, cidr, r.values)
}) | {e |
	some r in of_type(_aws_rule_types[direction])
	some key in ["cidr_ipv4", "cidr_ipv6"]
	cidr := r.values[key]
	is_string(cidr)
	e := _sg_entry(r, key, cidr, r.values)
}

_sg_entry(r, attribute, cidr, rule) := {
	"resource": r,
	"attribute": attribute,
	"cidr": cidr,
	"ports": port_range(from, to, protocol),
	"protocol": _protocol_name(protocol),
} if {
	from := object.get(rule, "from_port", null)
	to := object.get(rule, "to_port", null)
	protocol := object.get(rule, "protocol", object.get(rule, "ip_protocol", null))
}

# aws_sg_unknown(direction) is the set of {"resource", "attribute"} whose source/destination
# CIDRs are known only after apply. An inline rule list that is unknown as a whole counts only
# when the configuration writes it: otherwise it is the computed list that separate rule
# resources fill in (and those are judged on their own).
# Contract: aws_sg_unknown("ingress" | "egress") -> set of {"resource", "attribute"}.
aws_sg_unknown(direction) := ((({{"resource": r, "attribute": direction} |
	some r in resources
	r.type in _aws_inline_sg_types
	r.unknown[direction] == true
	configured(r, direction)
} | {{"resource": r, "attribute": direction, "why": "old_terraform"} |
	direction == "ingress"
	some r in resources
	r.type in _aws_inline_sg_types
	r.unknown[direction] == true
	not configured(r, direction)
	not _renders_attribute_blocks
	not _has_rule_resources(r, direction)
}) | {{"resource": r, "attribute": sprintf("%s[%d].%s", [direction, i, key])} |
	some r in resources
	r.type in _aws_inline_sg_types
	some i, b in object.get(r.unknown, direction, [])
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	_any_true(object.get(_object_or_empty(b), key, false))
}) | {{"resource": r, "attribute": key} |
	some r in of_type("aws_security_group_rule")
	r.values.type == direction
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	_any_true(object.get(r.unknown, key, false))
}) | {{"resource": r, "attribute": key} |
	some r in of_type(_aws_rule_types[direction])
	some key in ["cidr_ipv4", "cidr_ipv6"]
	is_unknown(r, key)
}

# A rule list wholly unknown at plan time that the configuration does not show: either left out
# (the provider then keeps no inline rules) or written as a `dynamic` block over values known
# only after apply. Terraform before 1.1 never renders these attribute-mode blocks in
# `configuration` (hashicorp/terraform#29022; in the real-plan corpus, 1.0 plans leave written
# blocks out and 1.9 plans render them), so there the two cannot be told apart and the list is
# reported as unknown unless separate rule resources in the plan are the group's rules. Newer
# plans render written blocks, so an unrendered list is left out. Only ingress: a left-out egress
# list means no egress at all (the provider removes AWS's default rule), and reporting every
# such group of an old plan as unknown would bury the findings that matter.
_renders_attribute_blocks if {
	parts := split(object.get(plan, "terraform_version", ""), ".")
	count(parts) >= 2
	major := to_number(parts[0])
	minor := to_number(regex.replace(parts[1], `[^0-9].*$`, ""))
	(major * 1000) + minor >= 1001
}

_has_rule_resources(sg, direction) if {
	some r in existing_of_type("aws_security_group_rule")
	r.values.type == direction
	sg in linked(r, "security_group_id", "aws_security_group")
}

_has_rule_resources(sg, direction) if {
	some r in existing_of_type(_aws_rule_types[direction])
	sg in linked(r, "security_group_id", "aws_security_group")
}

_any_true(true)

_any_true(x) if {
	is_array(x)
	true in x
}

# port_range(from, to, protocol) is [low, high] of the TCP/UDP ports a rule opens: all ports for
# protocol "-1"/"all" (AWS ignores the port fields then), the given range otherwise, and []
# for ICMP, whose port fields are ICMP types and codes.
# Contract: port_range(any, any, any) -> [number, number] or [].
port_range(from, to, protocol) := [0, 65535] if {
	_protocol_name(protocol) == "all"
} else := [] if {
	_protocol_name(protocol) in {"icmp", "icmpv6", "1", "58"}
} else := [from, to] if {
	is_number(from)
	is_number(to)
} else := [0, 65535]

_protocol_name(p) := "all" if {
	p in {"-1", -1, "all", null}
} else := lower(p) if {
	is_string(p)
} else := sprintf("%v", [p])

# ports_label([low, high]) is "22", "0-65535" or "all ports" for messages.
ports_label(range) := "all ports" if range == [0, 65535]

else := sprintf("%d", [range[0]]) if range[0] == range[1]

else := sprintf("%d-%d", [range[0], range[1]])

# ports_hit(range, ports) is the numerically sorted list of entries of `ports` (numbers or "low-high"
# strings, e.g. the ml_ports parameter) that overlap [low, high].
# Contract: ports_hit([number, number], [number | string]) -> [string].
ports_hit(range, ports) := [ports_label(bounds) |
	some bounds in sort({bounds |
		count(range) == 2
		some p in ports
		bounds := _bounds(p)
		bounds[0] <= range[1]
		range[0] <= bounds[1]
	})
]

_bounds(p) := [p, p] if is_number(p)

_bounds(p) := [to_number(parts[0]), to_number(parts[count(parts) - 1])] if {
	is_string(p)
	parts := split(trim_space(p), "-")
	count(parts) <= 2
	every part in parts {
		regex.match(`^[0-9]+$`, part)
	}
}

# aws_lb_types are the load balancer resource types (aws_alb is the old alias of aws_lb).
aws_lb_types := {"aws_lb", "aws_alb", "aws_elb"}

# aws_edge_gateway(lb) holds for a load balancer reviewed as the platform's internet edge: it
# carries the aws_edge_gateway_tag parameter's tag or its name is in aws_edge_gateway_names.
# Contract: aws_edge_gateway(resource) -> bool (undefined when not).
aws_edge_gateway(lb) if {
	t := config.value("aws_edge_gateway_tag")
	is_object(t)
	tags(lb)[t.key] == t.value
}

aws_edge_gateway(lb) if {
	is_string(lb.values.name)
	lb.values.name in config.value("aws_edge_gateway_names")
}

# aws_rule_groups(entry) is the set of security groups a CIDR entry belongs to: the group itself
# for inline rules, the group named by security_group_id for rule resources.
# Contract: aws_rule_groups(entry of aws_sg_cidrs) -> set of resources.
aws_rule_groups(entry) := {entry.resource} if {
	entry.resource.type in _aws_inline_sg_types
} else := linked(entry.resource, "security_group_id", "aws_security_group")

# aws_edge_group(sg) holds when an approved edge-gateway load balancer uses the security group.
aws_edge_group(sg) if {
	some lb in existing
	lb.type in aws_lb_types
	aws_edge_gateway(lb)
	sg in linked(lb, "security_groups", "aws_security_group")
}
