# METADATA
# description: |
#   Terraform plan JSON (`terraform show -json PLAN`) normaliser. Rules never walk the plan
#   themselves: they ask for resources of a type and get the after-state with its address.
#   The plan is read from input.plan, which the adapters fill in every engine.
#   Resource changes are the source of truth (they carry after_unknown); a plan without them
#   (some tools strip the diff) falls back to planned_values, walking child_modules at any depth,
#   and a state (`values` only) is read the same way, every resource unchanged (posture).
#   Configuration references (`configuration.root_module`, `module_calls`) resolve values that are
#   known only after apply to the resources they come from, so joins (a flow log and its VPC, a
#   notebook and its subnet) still decide when the IDs do not exist yet.
package lib.mlfence.tfplan

import data.lib.mlfence.config

default plan := {}

plan := input.plan if is_object(input.plan)

# is_plan(doc) holds for a document shaped like `terraform show -json` output: a plan, or a
# state (`terraform show -json` without a plan file: `values` only), which is judged as posture.
is_plan(doc) if {
	is_object(doc)
	is_string(doc.format_version)
	_has_plan_body(doc)
}

_has_plan_body(doc) if is_array(doc.resource_changes)

_has_plan_body(doc) if is_object(doc.planned_values)

_has_plan_body(doc) if _is_state(doc)

# object.get: a negated call on a missing field would make the whole body undefined.
_is_state(doc) if {
	is_object(doc.values.root_module)
	not is_array(object.get(doc, "resource_changes", null))
	not is_object(object.get(doc, "planned_values", null))
}

# Actions that leave nothing to judge: the resource goes away or is only read.
_skipped_actions := {["delete"], ["read"]}

# Actions after which the resource does not exist (joins ignore them).
_gone_actions := {["delete"], ["read"]}

# resources contains one entry per managed resource instance that is judged, keyed by its full
# address (modules, count and for_each instances stay distinct): every one the plan creates or
# updates, and the unchanged (no-op) ones a changed resource depends on (the security group of
# a new instance, the subnet of a new notebook, the bucket a new policy attaches to). In
# posture mode (parameter all_resources, and always for a state) every existing one.
resources[address] := r if {
	some address, r in _changed
}

resources[address] := r if {
	some address, r in _all
	r.actions == ["no-op"]
	_judged_unchanged(r)
}

_changed[address] := r if {
	some address, r in _all
	not r.actions in _skipped_actions
	r.actions != ["no-op"]
}

_judged_unchanged(_) if posture

_judged_unchanged(r) if r.address in _depended_on

_judged_unchanged(r) if config_address(r) in _depended_on

_judged_unchanged(r) if {
	some key in ["id", "arn"]
	r.values[key] in _changed_strings
}

# posture holds when everything in the plan is judged, changed or not: the all_resources
# parameter (`mlfence check --all-resources`, data.mlfence.config in the bundle and conftest)
# or a state file, which has no changes at all.
posture if config.value("all_resources") == true

posture if _is_state(plan)

# unchanged_not_judged is the number of unchanged resources left out of the review: nothing
# changed depends on them and posture mode is off. Reports print it so a reviewer knows.
unchanged_not_judged := count([a |
	some a, r in _all
	r.actions == ["no-op"]
	not resources[a]
])

# Every string a changed resource holds (IDs of what it attaches to are among them).
_changed_strings contains s if {
	some r in _changed
	walk(r.values, [_, s])
	is_string(s)
}

# Configuration addresses a changed resource refers to, in its own module or through the
# outputs of the modules it calls.
_depended_on contains address if {
	some r in _changed
	some address in _refers(r)
}

_refers(r) := (s1.done | s2.done) | s3.done if {
	start := {{"names": module_path(r), "ref": ref} |
		walk(object.get(configuration(r), "expressions", {}), [path, refs])
		count(path) > 0
		path[count(path) - 1] == "references"
		is_array(refs)
		some ref in refs
		is_string(ref)
	}
	s1 := _step(start)
	s2 := _step(s1.pending)
	s3 := _step(s2.pending)
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
	_first(address, i)
}

# Without resource_changes, planned_values is all there is: values known after apply are simply
# absent there, so rules see them as omitted. Plans from `terraform show -json` always carry
# resource_changes; this path exists for stripped plans and is documented as weaker.
_all[address] := {
	"address": address,
	"type": res.type,
	"name": res.name,
	"module_address": _module_address_at(root, path),
	"values": _object_or_empty(res.values),
	"unknown": {},
	"actions": actions,
} if {
	not is_array(object.get(plan, "resource_changes", null))
	some [root, actions] in _value_roots
	walk(root, [path, res])
	count(path) >= 2
	path[count(path) - 2] == "resources"
	is_object(res)
	res.mode == "managed"
	address := res.address
	is_string(address)
	is_string(res.type)
}

# A change document repeated under the same address (never in real plans) counts once, so odd
# input never makes the index conflict. Finding the first of each address compares every change
# with every other, so it is done only when some address repeats: with distinct addresses (every
# real plan) each change is the first of its address.
_first(_, _) if _addresses_distinct

_first(address, i) if {
	not _addresses_distinct
	_first_change[address] == i
}

# Over every change, usable or not: distinct there, distinct among the usable ones.
_addresses_distinct if {
	addresses := [change.address | some change in plan.resource_changes]
	count(addresses) == count({a | some a in addresses})
}

_first_change[address] := min(indices) if {
	some change in plan.resource_changes
	_usable_change(change)
	address := change.address
	indices := {i | some i, c in plan.resource_changes; c.address == address; _usable_change(c)}
}

_usable_change(change) if {
	is_object(change)
	change.mode == "managed"
	not change.deposed
	is_string(change.address)
	is_string(change.type)
	is_array(change.change.actions)
}

# Module trees to read without resource_changes: planned values (a plan whose diff was
# stripped) or a state's values (all unchanged).
_value_roots contains [plan.planned_values.root_module, ["planned"]] if is_object(plan.planned_values.root_module)

_value_roots contains [plan.values.root_module, ["no-op"]] if _is_state(plan)

_module_address_at(root, path) := address if {
	address := object.get(root, array.slice(path, 0, count(path) - 2), {}).address
	is_string(address)
} else := ""

default _module_address_of(_) := ""

_module_address_of(change) := change.module_address if is_string(change.module_address)

default _object_or_empty(_) := {}

_object_or_empty(x) := x if is_object(x)

default _after(_) := {}

_after(change) := change.change.after if is_object(change.change.after)

default _after_unknown(_) := {}

_after_unknown(change) := change.change.after_unknown if is_object(change.change.after_unknown)

# of_type(type) is the set of resources of one Terraform resource type, in address order.
# Rules ask for ~50 types per plan: the resources are grouped by type once (_by_type, evaluated
# once and cached for the plan), where filtering all of them on every call cost a pass each.
of_type(type) := [r | some r in object.get(_by_type, type, {})]

# {type: {address: resource}}: each resource becomes a one-path object, merged in one pass.
_by_type := object.union_n([{r.type: {address: r}} | some address, r in resources])

# existing_of_type(type) is every resource of a type that exists after apply (join partners).
existing_of_type(type) := [r | some r in object.get(_existing_by_type, type, {})]

_existing_by_type := object.union_n([{r.type: {address: r}} | some address, r in existing])

# _path(p) turns "attr" or ["a", 0, "b"] into an array path.
_path(p) := p if is_array(p)

else := [p]

# is_unknown(resource, path) holds when the value at path (a key or an array path such as
# ["vpc_config", 0, "subnet_ids"]) is known only after apply, including when a whole enclosing
# block is unknown.
is_unknown(resource, path) if {
	p := _path(path)

	# Every prefix starts with the first key: when after_unknown does not list it (or lists it as
	# known), nothing below it is unknown. Most attributes rules ask about are known, and this
	# skips slicing the path once per prefix for them.
	resource.unknown[p[0]] != false
	some n in numbers.range(1, count(p))

	# The path is computed at run time, so no reference can replace object.get here.
	# regal ignore:superfluous-object-get
	object.get(resource.unknown, array.slice(p, 0, n), false) == true
}

# value(resource, path, fallback) is the after value at path, or fallback when absent or null.
# Contract: value(r, "a" | ["a", 0, "b"], fallback) -> any.
value(resource, path, fallback) := v if {
	v := object.get(resource.values, _path(path), null)
	v != null
} else := fallback

# blocks(resource, key) is a nested block list (e.g. inline security group rules), or [] when
# the attribute is absent, null, or not a list. A block that is not an object (never in a real
# plan) reads as {}, so callers can look into every block and its index stays the plan's.
# Contract: blocks(r, "ingress") -> list of objects.
blocks(resource, key) := [_object_or_empty(b) | some b in value] if {
	value := resource.values[key]
	is_array(value)
} else := []

# block(resource, key) is the first (single) nested block of a list-nested block, or {}.
# Contract: block(r, "vpc_config") -> object.
block(resource, key) := b if {
	b := resource.values[key][0]
	is_object(b)
} else := {}

# text(resource, path) is the after value at path when it is a string, else "": for string
# builtins (endswith, split...), which raise an error on any other type.
# Contract: text(r, "a" | ["a", 0, "b"]) -> string.
text(resource, path) := v if {
	v := value(resource, path, "")
	is_string(v)
} else := ""

# string_list(value) is the list of strings in a list attribute, ignoring nulls and wrong types.
string_list(value) := [s |
	some s in value
	is_string(s)
] if {
	is_array(value)
}

else := []

# string_values(x) is the set of strings in x when x is a string or a list, else empty.
# Contract: string_values("a" | ["a", null] | other) -> set of strings.
string_values(x) := {x} if is_string(x)

else := {s | some s in string_list(x)}

# truthy(x) holds for true and the provider's string booleans ("true"), e.g. launch templates'
# network_interfaces.associate_public_ip_address, which the AWS provider types as a string.
truthy(true)

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

else := [name |
	parts := split(regex.replace(address, `\[[^\]]*\]`, ""), ".")
	some i, name in parts
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
default configuration(_) := {}

configuration(resource) := [c |
	some c in _module_config(module_path(resource)).resources
	is_object(c)
	c.mode == "managed"
	c.type == resource.type
	c.name == resource.name
][0]

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
