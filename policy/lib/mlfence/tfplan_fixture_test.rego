# Test-only helpers for Terraform rule tests (loaded by `opa test`, never built into a bundle).
package lib.mlfence.tfplan_fixture_test

# written(address, type, expressions) is a root-module configuration listing one resource that
# writes its attributes with the given expressions ({"references": ["var.x"]} for a value known
# only after apply). In real plans this is what tells a pending value from a provider default:
# both are listed in after_unknown.
written(address, type, expressions) := [{
	"address": address, "mode": "managed", "type": type,
	"name": split(address, ".")[1], "expressions": expressions,
}]

# pending(names) is the expressions object writing each attribute name from a variable.
pending(names) := {name: {"references": [sprintf("var.%s", [name])]} | some name in names}
