# METADATA
# description: |
#   Terraform plan JSON (`terraform show -json PLAN`) normaliser. Rules never walk the plan
#   themselves: they ask for resources of a type and get the after-state with its address.
#   The plan is read from input.plan, which the adapters fill in every engine.
#   Resource changes are the source of truth (they carry after_unknown); a plan without them
#   (some tools strip the diff) falls back to planned_values, walking child_modules at any depth.
#   Configuration references (`configuration.root_module`, `module_calls`) resolve values that are
#   known only after apply to the resources they come from, so joins (a flow log and its VPC, a
#   notebook and its subnet) still decide when the IDs do not exist yet.
package lib.mlfence.tfplan

import data.lib.mlfence.config

plan := input.plan if is_object(input.plan)

default plan := {}

# is_plan(doc) holds for a document shaped like `terraform show -json` output.
is_plan(doc) if {
	is_object(doc)
	is_string(doc.format_version)
	_has_plan_body(doc)
}

_has_plan_body(doc) if is_array(doc.resource_changes)

_has_plan_body(doc) if is_object(doc.planned_values)

# Actions that leave nothing to judge: the resource goes away or does not change.
_skipped_actions := {["delete"], ["no-op"], ["read"]}

# Actions after which the resource does not exist (joins ignore them).
_gone_actions := {["delete"], ["read"]}

# resources contains one entry per managed resource instance that the plan creates or updates,
# keyed by its full address (modules, count and for_each instances stay distinct).
resources[address] := r if {
	some address, r in _all
	not r.actions in _skipped_actions
}

# existing contains every managed resource instance that exists after apply, including the
# ones the plan leaves unchanged (no-op): join partners such as an unchanged flow log or VPC
# endpoint must count even though nothing about them is judged.
# Contract: existing[address] -> same shape as resources[address].
existing[address] := r if {
	some address, r in _all
	not r.actions in _gone_actions
}

_all[address] := {
	"address": address,
	"type": change.type,
	"name": change.name,
	"module_address": _module_address_of(change),
	"values": _after(change),
	"unknown": _after_unknown(change),
	"actions": change.change.actions,
} if {
	some i, change in plan.resource_changes
	_usable_change(change)
	address := change.address
	_first_change[address] == i
}

# A change document repeated under the same address (never in real plans) counts once, so odd
# input never makes the index conflict.
_first_change[address] := min({i |
	some i, change in plan.resource_changes
	_usable_change(change)
	change.address == address
}) if {
	some change in plan.resource_changes
	_usable_change(change)
	address := change.address
}

_usable_change(change) if {
	is_object(change)
	change.mode == "managed"
	not change.deposed
	is_string(change.address)
	is_string(change.type)
	is_array(change.change.actions)
}

# Without resource_changes, planned_values is all there is: values known after apply are simply
# absent there, so rules see them as omitted. Plans from `terraform show -json` always carry
# resource_changes; this path exists for stripped plans and is documented as weaker.
_all[address] := {
	"address": address,
	"type": res.type,
	"name": res.name,
	"module_address": _planned_module_address(path),
	"values": _object_or_empty(res.values),
	"unknown": {},
	"actions": ["planned"],
} if {
	not is_array(object.get(plan, "resource_changes", null))
	is_object(plan.planned_values.root_module)
	walk(plan.planned_values.root_module, [path, res])
	count(path) >= 2
	path[count(path) - 2] == "resources"
	is_object(res)
	res.mode == "managed"
	address := res.address
	is_string(address)
	is_string(res.type)
}

_planned_module_address(path) := address if {
	address := object.get(plan.planned_values.root_module, array.slice(path, 0, count(path) - 2), {}).address
	is_string(address)
} else := ""

_module_address_of(change) := change.module_address if is_string(change.module_address)

default _module_address_of(_) := ""

_object_or_empty(x) := x if is_object(x)

default _object_or_empty(_) := {}

_after(change) := change.change.after if is_object(change.change.after)

default _after(_) := {}

_after_unknown(change) := change.change.after_unknown if is_object(change.change.after_unknown)

default _after_unknown(_) := {}

# of_type(type) is the set of resources of one Terraform resource type.
of_type(type) := [r |
	some r in resources
	r.type == type
]

# existing_of_type(type) is every resource of a type that exists after apply (join partners).
existing_of_type(type) := [r |
	some r in existing
	r.type == type
]

# _path(p) turns "attr" or ["a", 0, "b"] into an array path.
_path(p) := p if is_array(p)

else := [p]

# is_unknown(resource, path) holds when the value at path (a key or an array path such as
# ["vpc_config", 0, "subnet_ids"]) is known only after apply, including when a whole enclosing
# block is unknown.
is_unknown(resource, path) if {
	p := _path(path)
	some n in numbers.range(1, count(p))
	object.get(resource.unknown, array.slice(p, 0, n), false) == true
}

# value(resource, path, fallback) is the after value at path, or fallback when absent or null.
# Contract: value(r, "a" | ["a", 0, "b"], fallback) -> any.
value(resource, path, fallback) := v if {
	v := object.get(resource.values, _path(path), null)
	v != null
} else := fallback

# blocks(resource, key) is a nested block list (e.g. inline security group rules), or [] when
# the attribute is absent, null, or not a list.
blocks(resource, key) := value if {
	value := resource.values[key]
	is_array(value)
} else := []

# block(resource, key) is the first (single) nested block of a list-nested block, or {}.
# Contract: block(r, "vpc_config") -> object.
block(resource, key) := b if {
	b := resource.values[key][0]
	is_object(b)
} else := {}

# strings(value) is the list of strings in a list attribute, ignoring nulls and wrong types.
strings(value) := [s |
	some s in value
	is_string(s)
] if is_array(value)

else := []

# string_values(x) is the set of strings in x when x is a string or a list, else empty.
# Contract: string_values("a" | ["a", null] | other) -> set of strings.
string_values(x) := {x} if is_string(x)

else := {s | some s in strings(x)}

# truthy(x) holds for true and the provider's string booleans ("true"), e.g. launch templates'
# network_interfaces.associate_public_ip_address, which the AWS provider types as a string.
truthy(x) if x == true

truthy(x) if {
	is_string(x)
	lower(x) == "true"
}

# tags(resource) is the resource's tags merged over provider default tags (tags_all), or {}.
# Contract: tags(r) -> object of string values.
tags(resource) := object.union(
	_object_or_empty(object.get(resource.values, "tags_all", {})),
	_object_or_empty(object.get(resource.values, "tags", {})),
)

# module_path(resource) is the list of module call names the resource is nested in, with
# count/for_each instance keys removed: "module.a[0].module.b" -> ["a", "b"].
module_path(resource) := _module_names(resource.module_address)

_module_names(address) := [] if address == ""

else := [parts[i] |
	parts := split(regex.replace(address, `\[[^\]]*\]`, ""), ".")
	some i in numbers.range(1, count(parts) - 1)
	i % 2 == 1
]

_module_prefix(names) := concat("", [sprintf("module.%s.", [n]) | some n in names])

# config_address(resource) is the address of the resource block in the configuration, without
# instance keys: "module.net[0].aws_subnet.private[2]" -> "module.net.aws_subnet.private".
# Contract: config_address(r) -> string.
config_address(resource) := sprintf("%s%s.%s", [_module_prefix(module_path(resource)), resource.type, resource.name])

# _module_config(names) is the configuration of a module by call names (root for []).
_module_config(names) := object.get(
	plan, array.concat(["configuration", "root_module"], [x |
		some n in names
		some x in ["module_calls", n, "module"]
	]),
	{},
)

# configuration(resource) is the configuration block of a resource ({"expressions", ...}), or {}.
# Contract: configuration(r) -> object.
configuration(resource) := [c |
	some c in _module_config(module_path(resource)).resources
	is_object(c)
	c.mode == "managed"
	c.type == resource.type
	c.name == resource.name
][0]

default configuration(_) := {}

# expression(resource, path) is the configuration expression of an attribute ({"constant_value"}
# or {"references"}); nested blocks are lists in the configuration, so paths read like
# ["vpc_config", 0, "subnet_ids"]. Undefined when the configuration does not set the attribute.
# Contract: expression(r, "a" | [path]) -> object.
expression(resource, path) := e if {
	e := object.get(configuration(resource), array.concat(["expressions"], _path(path)), null)
	is_object(e)
}

# configured(resource, path) holds when the configuration sets the attribute at path: it tells
# a value the user wrote (and that is unknown) from a computed default the plan cannot show.
configured(resource, path) if expression(resource, path)

configured(resource, path) if {
	e := object.get(configuration(resource), array.concat(["expressions"], _path(path)), null)
	is_array(e)
}

# references(resource, path) is the set of resource addresses the attribute's expression refers
# to, made absolute with the module prefix and followed through module outputs
# ("module.net.vpc_id") and module input variables ("var.subnet_ids" inside a module) up to four
# hops. Addresses are configuration addresses ("module.net.aws_vpc.this", or with an instance
# key when the reference has one); match them with refers_to.
# Contract: references(r, "vpc_id" | ["vpc_config", 0, "subnet_ids"]) -> set of strings.
references(resource, path) := addresses if {
	start := {{"names": module_path(resource), "ref": ref} |
		some ref in expression(resource, path).references
		is_string(ref)
	}
	s1 := _step(start)
	s2 := _step(s1.pending)
	s3 := _step(s2.pending)
	s4 := _step(s3.pending)
	addresses := ((s1.done | s2.done) | s3.done) | s4.done
} else := set()

_not_resources := {"var", "local", "module", "data", "count", "each", "path", "terraform", "self"}

# _step(terms) resolves one hop: resource references are done, module outputs and variables
# become new pending terms in the module that defines them.
_step(terms) := {
	"done": {address |
		some t in terms
		parts := split(t.ref, ".")
		count(parts) >= 2
		not parts[0] in _not_resources
		address := sprintf("%s%s.%s", [_module_prefix(t.names), parts[0], parts[1]])
	},
	"pending": (_outputs(terms) | _variables(terms)),
}

_outputs(terms) := {{"names": names, "ref": ref} |
	some t in terms
	parts := split(t.ref, ".")
	count(parts) >= 3
	parts[0] == "module"
	call := regex.replace(parts[1], `\[.*$`, "")
	names := array.concat(t.names, [call])
	some ref in _module_config(names).outputs[parts[2]].expression.references
	is_string(ref)
}

_variables(terms) := {{"names": parent, "ref": ref} |
	some t in terms
	count(t.names) > 0
	parts := split(t.ref, ".")
	count(parts) >= 2
	parts[0] == "var"
	parent := array.slice(t.names, 0, count(t.names) - 1)
	call := t.names[count(t.names) - 1]
	some ref in _module_config(parent).module_calls[call].expressions[parts[1]].references
	is_string(ref)
}

# refers_to(addresses, target) holds when one of the resolved addresses names the target
# resource: its configuration address (any instance) or its exact instance address.
refers_to(addresses, target) if config_address(target) in addresses

refers_to(addresses, target) if target.address in addresses

# linked(resource, path, type) is the set of existing resources of `type` that the attribute at
# path points to: by known ID value (values.id, or values.arn/name where IDs are those) or,
# when the value is known only after apply, through configuration references.
# Contract: linked(r, "vpc_id" | ["vpc_config", 0, "subnet_ids"], "aws_vpc") -> set of resources.
linked(resource, path, type) := {t |
	some t in existing_of_type(type)
	_links(resource, path, t)
}

_links(resource, path, target) if {
	some v in string_values(object.get(resource.values, _path(path), null))
	some key in ["id", "arn", "name", "bucket"]
	v == target.values[key]
}

_links(resource, path, target) if refers_to(references(resource, path), target)

# decided(resource, path) holds when the attribute is known in the plan or resolves through the
# configuration; a rule that needs a join reports `unknown` when this does not hold.
decided(resource, path) if not is_unknown(resource, path)

decided(resource, path) if count(references(resource, path)) > 0

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
	some cidr in strings(b[key])
	e := _sg_entry(r, sprintf("%s[%d].%s", [direction, i, key]), cidr, b)
} | {e |
	some r in of_type("aws_security_group_rule")
	r.values.type == direction
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in strings(r.values[key])
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
aws_sg_unknown(direction) := (({{"resource": r, "attribute": direction} |
	some r in resources
	r.type in _aws_inline_sg_types
	object.get(r.unknown, direction, false) == true
	configured(r, direction)
} | {{"resource": r, "attribute": sprintf("%s[%d].%s", [direction, i, key])} |
	some r in resources
	r.type in _aws_inline_sg_types
	some i, b in object.get(r.unknown, direction, [])
	some key in ["cidr_blocks", "ipv6_cidr_blocks"]
	_any_true(object.get(b, key, false))
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

_any_true(x) if x == true

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
