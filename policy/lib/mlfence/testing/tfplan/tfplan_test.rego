# Test-only plan builders for the Terraform rule and library tests. The file name ends in
# _test.rego, so bundles, Gatekeeper templates, conftest policies and the scanner never load
# it; only `opa test` and `conftest verify` do. Rule tests build their inputs here instead of
# keeping their own copies of a plan's shape.
package lib.mlfence.testing.tfplan

# change(address, type, after, unknown) is one resource_changes entry that creates a resource.
# The address may sit in modules and carry an instance key ("module.a.aws_x.b[0]"): the module
# address and the configuration name ("b") are derived from it as Terraform writes them.
change(address, type, after, unknown) := change_with(address, type, after, unknown, ["create"])

# change_with(address, type, after, unknown, actions) is change(...) with other actions
# (["no-op"], ["update"], ["delete"]...).
change_with(address, type, after, unknown, actions) := {
	"address": address,
	"module_address": module_of(address, type),
	"mode": "managed",
	"type": type,
	"name": name_of(address),
	"change": {"actions": actions, "after": after, "after_unknown": unknown},
}

# module_of(address, type) is the module part of a resource address, "" at the root.
module_of(address, type) := split(address, sprintf(".%s.", [type]))[0] if {
	startswith(address, "module.")
} else := ""

# name_of(address) is the resource's configuration name: the last address part, instance key dropped.
name_of(address) := regex.replace(parts[count(parts) - 1], `\[.*$`, "") if {
	parts := split(address, ".")
}

# plan(changes, config) is a plan whose root module configuration lists `config` (see config).
plan(changes, config) := {
	"format_version": "1.2",
	"resource_changes": changes,
	"configuration": {"root_module": {"resources": config}},
}

# bare_plan(changes) is a plan without any configuration (some tools strip it).
bare_plan(changes) := {"format_version": "1.2", "resource_changes": changes}

# input_for(changes, config, params) is the scanner's input for one plan and rule parameters.
input_for(changes, config, params) := {"plan": plan(changes, config), "parameters": params}

# config(address, type, expressions) is one root-module configuration entry that writes its
# attributes with the given expressions ({"references": ["var.x"]} for a value known only
# after apply). In real plans this is what tells a pending value from a provider default: both
# are listed in after_unknown.
config(address, type, expressions) := {
	"address": address, "mode": "managed", "type": type,
	"name": name_of(address), "expressions": expressions,
}

# written(address, type, expressions) is a configuration listing just that one entry.
written(address, type, expressions) := [config(address, type, expressions)]

# with_config(change, expressions) is a plan of one change whose configuration writes it.
with_config(change, expressions) := plan([change], written(change.address, change.type, expressions))

# pending(names) is the expressions object writing each attribute name from a variable.
pending(names) := {name: {"references": [sprintf("var.%s", [name])]} | some name in names}

# only(findings) is the one finding of a set that must hold exactly one.
only(findings) := f if {
	count(findings) == 1
	some f in findings
}
