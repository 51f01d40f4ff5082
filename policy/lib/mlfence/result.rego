# METADATA
# description: |
#   One shape for every finding, in every engine. A rule passes rego.metadata.chain() so the
#   rule ID, severity and remediation come from its METADATA block and are written only once.
#   The shape is Gatekeeper's violation: {"msg", "details"}.
package lib.mlfence.result

# The annotations of the rule package: the nearest entry in the chain that carries an ID.
rule_annotations(chain) := [a |
	some entry in chain
	a := entry.annotations
	a.custom.id
][0]

# violation(chain, resource, message) is a failing finding.
violation(chain, resource, message) := finding(chain, resource, message, "fail")

# unknown(chain, resource, message) is a finding whose value is known only after apply: it is
# reported as a warning named "unknown", never passed silently.
unknown(chain, resource, message) := finding(chain, resource, message, "unknown")

# warning(chain, resource, message) is an advisory finding.
warning(chain, resource, message) := finding(chain, resource, message, "warn")

finding(chain, resource, message, status) := {
	"msg": sprintf("%s: %s", [meta.custom.id, message]),
	"details": {
		"rule_id": meta.custom.id,
		"severity": meta.custom.severity,
		"title": meta.title,
		"resource": resource,
		"remediation": meta.custom.recommended_action,
		"status": status,
	},
} if {
	meta := rule_annotations(chain)
}

# with_severity(chain, resource, message, severity) is a failing finding whose severity differs
# from the rule's default, e.g. an open port that is a known ML service.
with_severity(chain, resource, message, severity) := object.union(
	violation(chain, resource, message),
	{"details": object.union(violation(chain, resource, message).details, {"severity": severity})},
)
