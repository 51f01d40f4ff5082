# METADATA
# description: |
#   One shape for every finding, in every engine. A rule passes rego.metadata.chain() so the
#   rule ID, severity and remediation come from its METADATA block and are written only once.
#   The shape is Gatekeeper's violation: {"msg", "details"}.
package lib.mlfence.result

import data.lib.mlfence.config

# The annotations of the rule package: the nearest entry in the chain that carries an ID.
rule_annotations(chain) := [entry.annotations |
	some entry in chain
	entry.annotations.custom.id
][0]

# violation(chain, resource, message) is a failing finding.
violation(chain, resource, message) := finding(chain, resource, message, "fail")

# unknown(chain, resource, message) is a finding whose value is known only after apply: it is
# reported as a warning named "unknown", never passed silently.
unknown(chain, resource, message) := finding(chain, resource, message, "unknown")

# warning(chain, resource, message) is an advisory finding.
warning(chain, resource, message) := finding(chain, resource, message, "warn")

# Without exemptions (the common case, and every admission without a bundle.yaml exemption)
# a finding is the plain literal: the exemption lookup and merges cost most of a finding.
finding(chain, resource, message, status) := _plain(rule_annotations(chain), resource, message, status) if {
	not _exemptions_given
} else := {
	"msg": concat("", [plain.msg, _exemption_note(exemption)]),
	"details": object.union_n([plain.details, {"status": _status(status, exemption)}, _exemption_detail(exemption)]),
} if {
	meta := rule_annotations(chain)
	plain := _plain(meta, resource, message, status)
	exemption := exemption_for(meta.custom.id, resource)
}

_plain(meta, resource, message, status) := {
	"msg": concat(": ", [meta.custom.id, message]),
	"details": {
		"rule_id": meta.custom.id,
		"severity": meta.custom.severity,
		"title": meta.title,
		"resource": resource,
		"remediation": meta.custom.recommended_action,
		"status": status,
	},
}

_exemptions_given if count(config.value("exemptions")) > 0

# exemption_for(rule_id, resource) is the matching exemption with its state ("active" or
# "expired"), or {} when none matches. An active exemption wins over an expired one, and
# among equals the one that expires last.
exemption_for(rule_id, resource) := {"state": "active", "entry": entry} if {
	some entry in _matching(rule_id, resource)
	entry.expires >= _today
} else := {"state": "expired", "entry": entry} if {
	some entry in _matching(rule_id, resource)
} else := {}

_matching(rule_id, resource) := [entry |
	some entry in config.value("exemptions")
	is_object(entry)
	entry.rule in {rule_id, "*"}
	is_string(entry.resource)
	glob.match(entry.resource, [], resource)
	is_string(entry.expires)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, entry.expires)
]

# An exemption is valid through the whole day it expires on (UTC). ISO dates compare as
# strings, which also avoids time.parse_ns overflowing past the year 2262.
_today := sprintf("%04d-%02d-%02d", time.date(time.now_ns()))

_status(status, exemption) := "exempted" if exemption.state == "active"

else := status

_exemption_note(exemption) := sprintf(" [exempted until %s: %s, owner %s]", [
	exemption.entry.expires,
	exemption.entry.reason,
	exemption.entry.owner,
]) if {
	exemption.state == "active"
} else := sprintf(" [exemption expired on %s]", [exemption.entry.expires]) if {
	exemption.state == "expired"
} else := ""

_exemption_detail(exemption) := {"exemption": object.union(exemption.entry, {"state": exemption.state})} if {
	exemption.state
} else := {}

# with_severity(chain, resource, message, severity) is a failing finding whose severity differs
# from the rule's default, e.g. an open port that is a known ML service.
with_severity(chain, resource, message, severity) := object.union(
	violation(chain, resource, message),
	{"details": object.union(violation(chain, resource, message).details, {"severity": severity})},
)
