# Reading values out of resources without ever raising on odd plans, and the reviewed allowlist
# of deliberately public resources (part of lib.mlfence.tfplan; its METADATA block lives in
# tfplan.rego).
package lib.mlfence.tfplan

import data.lib.mlfence.config

# first_block(obj, key) is the first element of a nested block list of any object (Terraform
# renders every nested block as a list), or {} when it is absent, empty, null or of another type.
first_block(obj, key) := value if {
	is_object(obj)
	is_array(obj[key])
	value := obj[key][0]
	is_object(value)
} else := {}

# blocks_of(obj, key) is a nested block list of any object (blocks works on resources).
blocks_of(obj, key) := [b |
	is_object(obj)
	is_array(obj[key])
	some b in obj[key]
	is_object(b)
]

# setting(r, path) is the planned value at path (block lists are indexed by 0), or null.
setting(r, path) := value if {
	value := object.get(r.values, path, null)
} else := null

# is_true(value) accepts the boolean and the string Terraform may carry through a variable.
is_true(true)

is_true("true")

# is_false(value) is the explicit opposite; null (omitted) is neither true nor false.
is_false(false)

is_false("false")

# allowlisted(r) holds for resources the platform team has reviewed and deliberately exposed
# (parameter public_resource_allowlist: full addresses or globs with "." as the separator,
# e.g. "module.demo.**"). Only exposure rules consult it; isolation defaults stay on.
allowlisted(r) if {
	some pattern in _strings(config.value("public_resource_allowlist"))
	_address_matches(pattern, r.address)
}

_address_matches(pattern, address) if pattern == address

_address_matches(pattern, address) if glob.match(pattern, ["."], address)

_strings(value) := [s |
	is_array(value)
	some s in value
	is_string(s)
]
