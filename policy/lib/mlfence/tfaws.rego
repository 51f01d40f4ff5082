# METADATA
# description: |
#   AWS in Terraform plans: security group rules of every resource shape in one form, what a
#   group is attached to and how far an opening reaches (tfaws_sg.rego), protocol-aware port
#   ranges, and the reviewed edge load balancers. Reads the plan only through lib.mlfence.tfplan;
#   ML port matching and the critical raise are lib.mlfence.tfports'.
package lib.mlfence.tfaws

import data.lib.mlfence.config
import data.lib.mlfence.tfplan

# ---------------------------------------------------------------------------------------------
# AWS security group rules in one shape. Inline rules of aws_security_group and
# aws_default_security_group, aws_security_group_rule and the per-rule resources
# aws_vpc_security_group_{ingress,egress}_rule all become entries
#   {"resource", "attribute", "cidr", "from_port", "to_port", "protocol"}
# one per CIDR; "attribute" names what to change ("ingress[0].cidr_blocks", "cidr_ipv4").
# Prefix lists and security-group sources are not CIDRs and never appear here.

_inline_sg_types := {"aws_security_group", "aws_default_security_group"}

_rule_types := {"ingress": "aws_vpc_security_group_ingress_rule", "egress": "aws_vpc_security_group_egress_rule"}

# sg_cidrs(direction) is the set of CIDR entries of every rule of a direction.
# Contract: sg_cidrs("ingress" | "egress") -> set of entries as above.
sg_cidrs(direction) := ({e |
	some r in tfplan.resources
	r.type in _inline_sg_types
	some i, b in tfplan.blocks(r, direction)
	is_object(b)
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in tfplan.string_list(b[key])
	e := _sg_entry(r, sprintf("%s[%d].%s", [direction, i, key]), cidr, b)
} | {e |
	some r in tfplan.of_type("aws_security_group_rule")
	r.values.type == direction
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in tfplan.string_list(r.values[key])
	e := _sg_entry(r, key, cidr, r.values)
}) | {e |
	some r in tfplan.of_type(_rule_types[direction])
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

# sg_unknown(direction) is the set of {"resource", "attribute"} whose source/destination
# CIDRs are known only after apply. An inline rule list that is unknown as a whole counts only
# when the configuration writes it: otherwise it is the computed list that separate rule
# resources fill in (and those are judged on their own).
# Contract: sg_unknown("ingress" | "egress") -> set of {"resource", "attribute"}.
sg_unknown(direction) := ((({{"resource": r, "attribute": direction} |
	some r in tfplan.resources
	r.type in _inline_sg_types
	r.unknown[direction] == true
	tfplan.configured(r, direction)
} | {{"resource": r, "attribute": direction, "why": "old_terraform"} |
	direction == "ingress"
	some r in tfplan.resources
	r.type in _inline_sg_types
	r.unknown[direction] == true
	not tfplan.configured(r, direction)
	not _renders_attribute_blocks
	not _has_rule_resources(r, direction)
}) | {{"resource": r, "attribute": sprintf("%s[%d].%s", [direction, i, key])} |
	some r in tfplan.resources
	r.type in _inline_sg_types
	some i, b in object.get(r.unknown, direction, [])
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	_any_true(object.get(_object_or_empty(b), key, false))
}) | {{"resource": r, "attribute": key} |
	some r in tfplan.of_type("aws_security_group_rule")
	r.values.type == direction
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	_any_true(object.get(r.unknown, key, false))
}) | {{"resource": r, "attribute": key} |
	some r in tfplan.of_type(_rule_types[direction])
	some key in ["cidr_ipv4", "cidr_ipv6"]
	tfplan.is_unknown(r, key)
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
	parts := split(object.get(tfplan.plan, "terraform_version", ""), ".")
	count(parts) >= 2
	major := to_number(parts[0])
	minor := to_number(regex.replace(parts[1], `[^0-9].*$`, ""))
	(major * 1000) + minor >= 1001
}

_has_rule_resources(sg, direction) if {
	some r in tfplan.existing_of_type("aws_security_group_rule")
	r.values.type == direction
	sg in tfplan.linked(r, "security_group_id", "aws_security_group")
}

_has_rule_resources(sg, direction) if {
	some r in tfplan.existing_of_type(_rule_types[direction])
	sg in tfplan.linked(r, "security_group_id", "aws_security_group")
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

# lb_types are the load balancer resource types (aws_alb is the old alias of aws_lb).
lb_types := {"aws_lb", "aws_alb", "aws_elb"}

# edge_gateway(lb) holds for a load balancer reviewed as the platform's internet edge: it
# carries the aws_edge_gateway_tag parameter's tag or its name is in aws_edge_gateway_names.
# Contract: edge_gateway(resource) -> bool (undefined when not).
edge_gateway(lb) if {
	t := config.value("aws_edge_gateway_tag")
	is_object(t)
	tfplan.tags(lb)[t.key] == t.value
}

edge_gateway(lb) if {
	is_string(lb.values.name)
	lb.values.name in config.value("aws_edge_gateway_names")
}

# rule_groups(entry) is the set of security groups a CIDR entry belongs to: the group itself
# for inline rules, the group named by security_group_id for rule resources.
# Contract: rule_groups(entry of sg_cidrs) -> set of resources.
rule_groups(entry) := {entry.resource} if {
	entry.resource.type in _inline_sg_types
} else := tfplan.linked(entry.resource, "security_group_id", "aws_security_group")

# edge_group(sg) holds when an approved edge-gateway load balancer uses the security group.
edge_group(sg) if {
	some lb in tfplan.existing
	lb.type in lb_types
	edge_gateway(lb)
	sg in tfplan.linked(lb, "security_groups", "aws_security_group")
}

default _object_or_empty(_) := {}

_object_or_empty(x) := x if is_object(x)
