# AWS security groups judged as a reviewer reads them (part of lib.mlfence.tfaws; its METADATA
# block lives in tfaws.rego): the rules of a group and direction are taken together, a source
# list is open when its entries together cover the internet (0.0.0.0/1 + 128.0.0.0/1 is
# 0.0.0.0/0), managed prefix lists count with their entries, and what a group is attached to
# says how far an opening reaches.
package lib.mlfence.tfaws

import data.lib.mlfence.net
import data.lib.mlfence.tfplan
import data.lib.mlfence.tfports

# sg_open(direction) is one entry per security group (or per rule resource whose group is
# not in the plan) whose rules of that direction are open to the internet:
#   {"owner": resource, "items": [{"protocol", "ports", "label"}], "families": [..],
#    "attributes": [..], "invalid": [..]}
# Contract: sg_open("ingress" | "egress") -> set of entries as above.
sg_open(direction) := {{
	"owner": owner,
	"items": [item | some item in sort({i | some i in _open_items(direction, owner.address)})],
	"families": sort({f | some i in _open_items(direction, owner.address); some f in i.families}),
	"attributes": sort({a | some i in _open_items(direction, owner.address); some a in i.attributes}),
} |
	some owner in {u.owner | some u in _sg_units(direction)}
	count(_open_items(direction, owner.address)) > 0
}

# _open_items(direction, owner) are the (protocol, ports) pairs of an owner whose sources, all
# rules with those ports taken together, cover the internet.
_open_items(direction, owner) := {{
	"protocol": key[0],
	"ports": key[1],
	"label": _ports_text(key[0], key[1]),
	"families": _families(cidrs),
	"attributes": sort({a | some u in rule_units; count(u.cidrs) > 0; some a in u.sources}),
} |
	some key in {[u.protocol, u.ports] | some u in _judged_units(direction); u.owner.address == owner}
	rule_units := [u | some u in _judged_units(direction); u.owner.address == owner; [u.protocol, u.ports] == key]
	cidrs := [c | some u in rule_units; some c in u.cidrs]
	net.opens_internet(cidrs)
}

# Rules with an inverted port range are invalid input, reported on their own (sg_invalid_ports).
_judged_units(direction) := {u | some u in _sg_units(direction); not u.inverted}

_families(cidrs) := sort({f |
	some c in cidrs
	f := _family_name(c)
})

_family_name(c) := "IPv6" if contains(c, ":")

else := "IPv4"

_ports_text("all", _) := "all protocols and ports"

_ports_text(protocol, ports) := sprintf("all %s ports", [protocol]) if {
	protocol != "all"
	ports == [0, 65535]
}

_ports_text(protocol, ports) := sprintf("%s %s", [protocol, tfports.label(ports)]) if {
	protocol != "all"
	count(ports) == 2
	ports != [0, 65535]
}

_ports_text(protocol, []) := sprintf("protocol %s (no ports)", [protocol]) if protocol != "all"

# sg_invalid_ports(direction) is the set of {"resource", "attribute", "from", "to"} of rules
# whose from_port is above to_port: AWS rejects them, so they are reported as invalid input
# instead of being read as some range.
sg_invalid_ports(direction) := {{"resource": u.resource, "attribute": u.attribute, "from": u.from, "to": u.to} |
	some u in _sg_units(direction)
	u.inverted
}

# ---------------------------------------------------------------------------------------------
# Rule units: one per inline rule block or rule resource, with its sources (CIDRs and the
# entries of managed prefix lists it names) and normalised ports.

_sg_units(direction) := ({_unit(r, sprintf("%s[%d]", [direction, i]), b, _block_prefix_lists(b)) |
	some r in tfplan.resources
	r.type in _inline_sg_types
	some i, b in tfplan.blocks(r, direction)
	is_object(b)
} | {_unit(r, "", r.values, _rule_prefix_lists(r, "prefix_list_ids")) |
	some r in tfplan.of_type("aws_security_group_rule")
	r.values.type == direction
}) | {_unit(r, "", r.values, _rule_prefix_lists(r, "prefix_list_id")) |
	some r in tfplan.of_type(_rule_types[direction])
}

_unit(r, attribute, rule, prefix_cidrs) := {
	"resource": r,
	"owner": _owner(r),
	"attribute": _attribute_label(r, attribute),
	"sources": [_attribute_label(r, _join(attribute, key)) |
		some key in ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6", "prefix_list_ids", "prefix_list_id"]
		_nonempty(object.get(rule, key, null))
	],
	"cidrs": array.concat(_rule_cidrs(rule), prefix_cidrs),
	"protocol": _protocol_name(protocol),
	"ports": _normalised_ports(from, to, protocol),
	"inverted": _inverted(from, to, protocol),
	"from": from,
	"to": to,
} if {
	from := object.get(rule, "from_port", null)
	to := object.get(rule, "to_port", null)
	protocol := object.get(rule, "protocol", object.get(rule, "ip_protocol", null))
}

# Inline rules are named by their attribute path in the group ("ingress[0].cidr_blocks"), rule
# resources by their address and attribute.
_attribute_label(r, attribute) := attribute if r.type in _inline_sg_types

else := r.address if attribute == ""

else := sprintf("%s.%s", [r.address, attribute])

_join("", key) := key

_join(prefix, key) := sprintf("%s.%s", [prefix, key]) if prefix != ""

_nonempty(x) if is_string(x)

_nonempty(x) if count(tfplan.string_list(x)) > 0

_rule_cidrs(rule) := array.flatten([
	tfplan.string_list(object.get(rule, "cidr_blocks", null)),
	tfplan.string_list(object.get(rule, "ipv6_cidr_blocks", null)),
	[rule[key] | some key in ["cidr_ipv4", "cidr_ipv6"]; is_string(rule[key])],
])

# The group a rule belongs to when the plan names exactly one; otherwise the rule resource.
_owner(r) := r if r.type in _inline_sg_types

else := g if {
	groups := tfplan.linked(r, "security_group_id", "aws_security_group")
	count(groups) == 1
	some g in groups
} else := r

# Ports as AWS applies them: all of them for protocol all/-1; none for ICMP (its fields are types
# and codes) and for inverted ranges (invalid input, reported on their own); a missing bound
# means the other one; no bounds at all means every port.
_normalised_ports(from, to, protocol) := [0, 65535] if {
	_protocol_name(protocol) == "all"
} else := [] if {
	_protocol_name(protocol) in {"icmp", "icmpv6", "1", "58"}
} else := [] if {
	_inverted(from, to, protocol)
} else := [from, to] if {
	is_number(from)
	is_number(to)
} else := [from, from] if {
	is_number(from)
} else := [to, to] if {
	is_number(to)
} else := [0, 65535]

default _inverted(_, _, _) := false

_inverted(from, to, protocol) if {
	not _protocol_name(protocol) in {"all", "icmp", "icmpv6", "1", "58"}
	is_number(from)
	is_number(to)
	from > to
}

# Managed prefix lists in the plan whose entries (inline `entry` blocks and separate
# aws_ec2_managed_prefix_list_entry resources) are CIDRs: a rule naming one admits them all.
_block_prefix_lists(b) := [c |
	some id in tfplan.string_list(object.get(b, "prefix_list_ids", null))
	some pl in tfplan.existing_of_type("aws_ec2_managed_prefix_list")
	pl.values.id == id
	some c in _prefix_list_cidrs(pl)
]

_rule_prefix_lists(r, attribute) := [c |
	some pl in tfplan.linked(r, attribute, "aws_ec2_managed_prefix_list")
	some c in _prefix_list_cidrs(pl)
]

_prefix_list_cidrs(pl) := array.concat(
	[e.cidr | some e in tfplan.blocks(pl, "entry"); is_string(e.cidr)],
	[e.values.cidr |
		some e in tfplan.existing_of_type("aws_ec2_managed_prefix_list_entry")
		pl in tfplan.linked(e, "prefix_list_id", "aws_ec2_managed_prefix_list")
		is_string(e.values.cidr)
	],
)

# ---------------------------------------------------------------------------------------------
# What a group is attached to. sg_attachments(sg) is the set of
#   {"resource": address, "kind": "instance" | "load_balancer" | "endpoint" | "database", "public": bool, "gpu": bool}
# for resources in the plan that use the group.
sg_attachments(sg) := {a |
	some spec in _sg_users
	some u in tfplan.existing_of_type(spec.type)
	some attribute in spec.attributes
	sg in tfplan.linked(u, attribute, "aws_security_group")
	a := {"resource": u.address, "kind": spec.kind, "public": _public_attachment(u, spec.kind), "gpu": _gpu(u)}
}

_sg_users := [
	{"type": "aws_instance", "kind": "instance", "attributes": ["vpc_security_group_ids", "security_groups"]},
	{"type": "aws_lb", "kind": "load_balancer", "attributes": ["security_groups"]},
	{"type": "aws_alb", "kind": "load_balancer", "attributes": ["security_groups"]},
	{"type": "aws_elb", "kind": "load_balancer", "attributes": ["security_groups"]},
	{"type": "aws_vpc_endpoint", "kind": "endpoint", "attributes": ["security_group_ids"]},
	{"type": "aws_db_instance", "kind": "database", "attributes": ["vpc_security_group_ids"]},
	{"type": "aws_rds_cluster", "kind": "database", "attributes": ["vpc_security_group_ids"]},
]

_public_attachment(u, "instance") := instance_public(u)

_public_attachment(u, "load_balancer") := false if {
	tfplan.effective(u, "internal") == true
} else := true

_public_attachment(_, "endpoint") := false

_public_attachment(u, "database") if {
	tfplan.effective(u, "publicly_accessible") == true
} else := false

# instance_public(i) is true when the instance gets a public IP: set explicitly, or left to
# a subnet that assigns one (or to the default subnet, which does).
instance_public(i) if {
	tfplan.effective(i, "associate_public_ip_address") == true
} else if {
	tfplan.attribute(i, "associate_public_ip_address").state == "default"
	some s in tfplan.linked(i, "subnet_id", "aws_subnet")
	tfplan.effective(s, "map_public_ip_on_launch") == true
} else if {
	tfplan.attribute(i, "associate_public_ip_address").state == "default"
	tfplan.attribute(i, "subnet_id").state == "default"
	count(tfplan.blocks(i, "network_interface")) == 0
} else := false

# GPU and accelerator instance families (P, G, Trainium, Inferentia, DL).
default _gpu(_) := false

_gpu(u) if regex.match(`^(p[0-9]|g[0-9]|trn[0-9]|inf[0-9]|dl[0-9])`, object.get(u.values, "instance_type", ""))

# sg_private_only(sg) holds when the plan shows what uses the group and none of it is
# reachable from the internet (interface endpoints, private databases, instances without a
# public IP, internal load balancers).
sg_private_only(sg) if {
	attachments := sg_attachments(sg)
	count(attachments) > 0
	every a in attachments {
		a.public == false
	}
}

# sg_endpoints_or_databases_only(sg) holds when only interface endpoints and databases use it.
sg_endpoints_or_databases_only(sg) if {
	attachments := sg_attachments(sg)
	count(attachments) > 0
	every a in attachments {
		a.kind in {"endpoint", "database"}
	}
}
