# METADATA
# description: |
#   Terraform plan JSON (`terraform show -json PLAN`) normaliser. Rules never walk the plan
#   themselves: they ask for resources of a type and get the after-state with its address.
#   The plan is read from input.plan, which the adapters fill in every engine.
package lib.mlfence.tfplan

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

# resources contains one entry per managed resource instance that the plan creates or updates,
# keyed by its full address (modules, count and for_each instances stay distinct).
resources[address] := {
	"address": address,
	"type": change.type,
	"name": change.name,
	"module_address": object.get(change, "module_address", ""),
	"values": _after(change),
	"unknown": _after_unknown(change),
	"actions": change.change.actions,
} if {
	some change in plan.resource_changes
	is_object(change)
	change.mode == "managed"
	address := change.address
	is_string(address)
	not change.change.actions in _skipped_actions
}

_after(change) := change.change.after if is_object(change.change.after)

default _after(_) := {}

_after_unknown(change) := change.change.after_unknown if is_object(change.change.after_unknown)

default _after_unknown(_) := {}

# of_type(type) is the set of resources of one Terraform resource type.
of_type(type) := [r |
	some r in resources
	r.type == type
]

# is_unknown(resource, path) holds when the value at path is known only after apply.
is_unknown(resource, path) if object.get(resource.unknown, path, false) == true

# blocks(resource, key) is a nested block list (e.g. inline security group rules), or [] when
# the attribute is absent, null, or not a list.
blocks(resource, key) := value if {
	value := resource.values[key]
	is_array(value)
} else := []

# strings(value) is the list of strings in a list attribute, ignoring nulls and wrong types.
strings(value) := [s |
	some s in value
	is_string(s)
] if is_array(value)

else := []
