# METADATA
# description: |
#   One shape for every finding, in every engine. A rule passes rego.metadata.chain() so the
#   rule ID, severity and remediation come from its METADATA block and are written only once.
#   The shape is Gatekeeper's violation: {"msg", "details"}. The rule ID is data
#   (details.rule_id) and the message without it is data too (details.text): only `msg`, which
#   conftest and Gatekeeper print alone, puts the ID in front (with_rule_id). The settings that act on findings
#   (rules enabled and disabled, severity overrides, exemptions, inline suppressions) are applied
#   here, so conftest, the bundle and Gatekeeper apply them with the same code.
package lib.mlfence.result

import data.lib.mlfence.config

# The annotations of the rule package: the nearest entry in the chain that carries an ID.
rule_annotations(chain) := [entry.annotations |
	some entry in chain
	entry.annotations.custom.id
][0]

# With no rule settings, exemptions or suppression marks (the common case, and a sidecar's) every
# rule reports, at its own severity, the bare literal (_bare) directly: each function call costs
# about 50 allocations and the general path below makes five (bench/README.md 3c). The tests
# compare both paths.

# failure(chain, resource, message) is a failing finding.
failure(chain, resource, message) := _bare(meta, resource, message, "fail", meta.custom.severity) if {
	_settings_act_on_nothing
	meta := [entry.annotations | some entry in chain; entry.annotations.custom.id][0]
} else := finding(chain, resource, message, "fail")

# unknown(chain, resource, message) is a finding whose value is known only after apply: it is
# reported as a warning named "unknown", never passed silently.
unknown(chain, resource, message) := _bare(meta, resource, message, "unknown", meta.custom.severity) if {
	_settings_act_on_nothing
	meta := [entry.annotations | some entry in chain; entry.annotations.custom.id][0]
} else := finding(chain, resource, message, "unknown")

# warning(chain, resource, message) is an advisory finding.
warning(chain, resource, message) := _bare(meta, resource, message, "warn", meta.custom.severity) if {
	_settings_act_on_nothing
	meta := [entry.annotations | some entry in chain; entry.annotations.custom.id][0]
} else := finding(chain, resource, message, "warn")

# finding(...) is undefined for a rule the settings turn off, so the rule reports nothing.
finding(chain, resource, message, status) := _finding(meta, resource, message, status) if {
	meta := rule_annotations(chain)
	_reports(meta.custom.id)
}

# _settings_act_on_nothing holds when no setting can change a finding: no rule settings, no
# exemptions, no suppression marks.
_settings_act_on_nothing if {
	not _rule_settings_given
	not _exemptions_given
	not _suppressions_marked
}

# Without exemptions or suppression marks (the common case) a finding is the plain literal: the
# lookups and merges cost most of a finding.
_finding(meta, resource, message, status) := _plain(meta, resource, message, status) if {
	not _exemptions_given
	not _suppressions_marked
} else := {
	"msg": with_rule_id(meta.custom.id, text),
	"details": object.union_n([plain.details, {"status": _status(status, waiver), "text": text}, _detail(waiver)]),
} if {
	plain := _plain(meta, resource, message, status)
	waiver := _waiver(meta.custom.id, resource)
	text := concat("", [message, _note(waiver)])
}

_plain(meta, resource, message, status) := _bare(
	meta, resource, message, status,
	_severity(meta.custom.id, meta.custom.severity),
)

# _bare(...) is the one finding literal. The message is concatenated here rather than through
# with_rule_id: each function call costs about 50 allocations (bench/README.md 3c).
_bare(meta, resource, message, status, severity) := {
	"msg": concat(": ", [meta.custom.id, message]),
	"details": {
		"rule_id": meta.custom.id,
		"severity": severity,
		"title": meta.title,
		"resource": resource,
		"remediation": meta.custom.recommended_action,
		"status": status,
		"text": message,
	},
}

# with_rule_id(rule_id, text) is a finding's message as the engines print it. conftest's text
# output and a Gatekeeper denial show only the message, so it must name the rule; this is the one
# place the ID is written into a message. Everything that has the ID in a field of its own (the
# reports, the finding contract's rule_id) reads `text`, never strips the ID off again.
with_rule_id(rule_id, text) := concat(": ", [rule_id, text])

# with_severity(chain, resource, message, severity) is a failing finding whose severity differs
# from the rule's default, e.g. an open port that is a known ML service. A severity override in
# the settings still wins: it is the platform's judgement of the rule.
with_severity(chain, resource, message, severity) := _bare(meta, resource, message, "fail", severity) if {
	_settings_act_on_nothing
	meta := [entry.annotations | some entry in chain; entry.annotations.custom.id][0]
} else := object.union(
	found,
	{"details": object.union(found.details, {"severity": _severity(found.details.rule_id, severity)})},
) if {
	found := failure(chain, resource, message)
}

# --- rules on and off, severity overrides (settings `rules:`) ---

_rule_settings := config.value("rule_settings")

_rule_list(key) := _rule_settings[key] if is_array(_rule_settings[key])

else := []

_reports(_) if not _rule_settings_given

_reports(id) if {
	_rule_settings_given
	not id in _rule_list("disable")
	_enabled(id)
}

# A parameter of the wrong type (an operator's typo in a Constraint) must not become an
# evaluation error at admission: it counts as not given.
_rule_settings_given if {
	is_object(_rule_settings)
	count(_rule_settings) > 0
}

_enabled(_) if count(_rule_list("enable")) == 0

_enabled(id) if id in _rule_list("enable")

_severity(id, default_severity) := _rule_settings.severity[id] if {
	_rule_settings.severity[id] in {"low", "medium", "high", "critical"}
} else := default_severity

# --- exemptions (settings `exemptions:`) and inline suppressions, together "waivers" ---

_exemptions_given if {
	exemptions := config.value("exemptions")
	is_array(exemptions)
	count(exemptions) > 0
}

# _waiver(rule_id, resource) is what applies to a finding: an active exemption, else an active
# inline suppression, else an expired or invalid one (reported, never exempting), else {}.
_waiver(rule_id, resource) := {"kind": "exemption", "state": "active", "entry": exemption.entry} if {
	exemption := exemption_for(rule_id, resource)
	exemption.state == "active"
} else := suppression if {
	suppression := suppression_for(rule_id, resource)
	suppression.state == "active"
} else := object.union(exemption, {"kind": "exemption"}) if {
	exemption := exemption_for(rule_id, resource)
	exemption.state
} else := suppression if {
	suppression := suppression_for(rule_id, resource)
	suppression.state
} else := {}

# exemption_for(rule_id, resource) is the matching exemption with its state ("active" or
# "expired"), or {} when none matches. An active exemption wins over an expired one.
exemption_for(rule_id, resource) := {"state": "active", "entry": entry} if {
	some entry in _matching(rule_id, resource)
	entry.expires >= _today
} else := {"state": "expired", "entry": entry} if {
	some entry in _matching(rule_id, resource)
} else := {}

# Entries are validated by mlfence before they reach any engine; the same limits are enforced
# again here, so an entry written straight into data or Constraint parameters cannot exempt
# more than mlfence would let it (issue 16 §4).
_matching(rule_id, resource) := [entry |
	some entry in config.value("exemptions")
	_valid_exemption(entry)
	_rule_matches(entry, rule_id)
	glob.match(_literal_glob(entry.resource), null, resource)
]

_valid_exemption(entry) if {
	is_object(entry)
	is_string(entry.rule)
	is_string(entry.resource)
	entry.resource != ""
	real_owner(entry.owner)
	_real_reason(entry.reason)
	is_string(entry.expires)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, entry.expires)
	entry.expires <= _latest_expiry
}

_rule_matches(entry, rule_id) if entry.rule == rule_id

_rule_matches(entry, _) if {
	entry.rule == "*"
	_limits.allow_all_rules == true
	not regex.match(`^[*?]*$`, entry.resource)
}

# `*` and `?` are the only wildcards: every other glob meta character is literal, so an address
# such as aws_instance.gpu[0] matches itself, and with no delimiters `*` crosses "/" and ".",
# the same for Kubernetes names and Terraform addresses.
_literal_glob(pattern) := strings.replace_n(
	{
		"\\": "\\\\",
		"[": "\\[",
		"]": "\\]",
		"{": "\\{",
		"}": "\\}",
	},
	pattern,
)

_limits := object.union({"max_days": 90, "allow_all_rules": false}, config.value("exemption_limits"))

# real_owner(owner) holds for a team, person or address (mlfence.exemptions.real_owner).
real_owner(owner) if {
	is_string(owner)
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._@/+ -]*[A-Za-z0-9]$`, owner)
	not lower(trim_space(owner)) in placeholder_owners
}

placeholder_owners := {
	"me", "you", "tbd", "todo", "none", "nobody", "unknown", "owner", "test", "xx", "xxx", "na", "n-a",
	"someone", "somebody", "team", "admin", "root", "user",
}

_real_reason(reason) if {
	is_string(reason)
	count(trim_space(reason)) >= 10
}

# One "today" for applying and reporting expiry: UTC. An exemption is valid through the whole
# day it expires on. ISO dates compare as strings, which also avoids time.parse_ns overflowing
# past the year 2262.
_today := _day(time.now_ns())

_latest_expiry := _day(time.add_date(time.now_ns(), 0, 0, _limits.max_days))

_day(ns) := sprintf("%04d-%02d-%02d", time.date(ns))

# --- inline suppressions: marks on the object a reviewer sees in the diff ---
# Kubernetes: annotations mlfence.io/suppress (rule IDs, comma or space separated),
# mlfence.io/suppress-reason and optionally mlfence.io/suppress-expires (YYYY-MM-DD).
# Terraform: the same as tags (or GCP labels) mlfence-suppress, mlfence-suppress-reason,
# mlfence-suppress-expires on the resource, read from the plan; or a comment on the resource
# block when mlfence check has the .tf sources (_source_marks).

_marks := {
	"rules": object.get(annotations, "mlfence.io/suppress", null),
	"reason": object.get(annotations, "mlfence.io/suppress-reason", null),
	"expires": object.get(annotations, "mlfence.io/suppress-expires", null),
} if {
	annotations := input.review.object.metadata.annotations
	is_object(annotations)
	is_string(annotations["mlfence.io/suppress"])
}

_plan_marks(resource) := {
	"rules": object.get(tags, "mlfence-suppress", null),
	"reason": object.get(tags, "mlfence-suppress-reason", null),
	"expires": object.get(tags, "mlfence-suppress-expires", null),
} if {
	tags := _plan_tags[resource]
	is_string(tags["mlfence-suppress"])
} else := _source_marks[resource]

# Suppression comments on the resource blocks of the .tf sources (`# mlfence-suppress RULE
# reason="..." expires=YYYY-MM-DD`), by address. The plan JSON has no comments: `mlfence check`
# reads them from the sources (tools/mlfence/tfsource.py) and passes them in beside the plan,
# each with `where` (file:line); they are judged exactly as the tags are.
_source_marks[address] := marks if {
	some address, comment in input.plan.mlfence_source_suppressions
	is_object(comment)
	is_string(comment.rules)

	# Every key present (null when not given), as for tags: a missing reason must read as "no
	# reason", never leave the judgement undefined.
	marks := {k: object.get(comment, k, null) | some k in ["rules", "reason", "expires", "where"]}
}

# Tags of planned resources that carry a suppression, by address (GCP calls them labels).
_plan_tags[change.address] := tags if {
	some change in input.plan.resource_changes
	is_string(change.address)
	some key in ["tags", "labels"]
	tags := change.change.after[key]
	is_object(tags)
	is_string(tags["mlfence-suppress"])
}

_suppressions_marked if _marks

_suppressions_marked if count(_plan_tags) > 0

_suppressions_marked if count(_source_marks) > 0

# suppression_for(rule_id, resource) is the suppression mark that names the rule on the object
# under review (Kubernetes) or on the planned resource the finding is about (Terraform, by
# address), with its state: "active", "expired" or "invalid" (no reason, or an expiry that is not
# a date); {} when no mark names the rule.
suppression_for(rule_id, resource) := _judged(_marks) if {
	rule_id in _named_rules(_marks.rules)
} else := _judged(marks) if {
	marks := _plan_marks(resource)
	rule_id in _named_rules(marks.rules)
} else := {}

_named_rules(text) := {upper(id) |
	some id in regex.split(`[\s,;_]+`, trim_space(text))
	id != ""
}

_judged(marks) := {"kind": "suppression", "state": _suppression_state(marks), "entry": _suppression_entry(marks)}

_suppression_entry(marks) := {k: v |
	some k in ["rules", "reason", "expires", "where"]
	v := marks[k]
	is_string(v)
}

_suppression_state(marks) := "invalid" if {
	not _real_reason(marks.reason)
} else := "invalid" if {
	is_string(marks.expires)
	not regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, marks.expires)
} else := "expired" if {
	is_string(marks.expires)
	marks.expires < _today
} else := "active"

_status(status, waiver) := "exempted" if waiver.state == "active"

else := status

_note(waiver) := sprintf(" [exempted until %s: %s, owner %s]", [
	waiver.entry.expires,
	waiver.entry.reason,
	waiver.entry.owner,
]) if {
	waiver.kind == "exemption"
	waiver.state == "active"
} else := sprintf(" [exemption expired on %s]", [waiver.entry.expires]) if {
	waiver.kind == "exemption"
	waiver.state == "expired"
} else := sprintf(" [suppressed inline: %s]", [waiver.entry.reason]) if {
	waiver.state == "active"
} else := sprintf(" [inline suppression expired on %s]", [waiver.entry.expires]) if {
	waiver.state == "expired"
} else := " [inline suppression ignored: it needs a reason (10+ characters) and a YYYY-MM-DD expiry if any]" if {
	waiver.state == "invalid"
} else := ""

_detail(waiver) := {"exemption": object.union(waiver.entry, {"state": waiver.state})} if {
	waiver.kind == "exemption"
} else := {"suppression": object.union(waiver.entry, {"state": waiver.state})} if {
	waiver.kind == "suppression"
} else := {}
