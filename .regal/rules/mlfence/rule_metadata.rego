# METADATA
# description: |
#   Every mlfence rule (policy/mlfence/k8s/<area>/<slug>/<slug>.rego, policy/mlfence/terraform/...) carries the
#   annotations the catalog, docs, Gatekeeper templates and findings are built from: title,
#   description, custom.id (MLF-K8S-NNN / MLF-TF-NNN, never a retired one, never another
#   rule's), long_id, severity, a target that matches the rule's folder, recommended_action,
#   and long kind lists named as a group (custom.kind_groups) instead of copied.
# related_resources:
#   - description: the rule contract
#     ref: docs/writing-rules.md
# schemas:
#   - input: schema.regal.ast
package custom.regal.rules.mlfence["rule-metadata"]

import data.regal.config
import data.regal.result
import data.regal.util

_cfg := config.rules.mlfence["rule-metadata"]

_targets := {"k8s": "kubernetes", "terraform": "terraform"}

_id_prefix := {"kubernetes": "MLF-K8S-", "terraform": "MLF-TF-"}

_severities := {"low", "medium", "high", "critical"}

# The folder a rule file sits in ("k8s" or "terraform"), when the file is a rule: not a test,
# three folders below policy/mlfence/ (the rules live in package mlfence, the bundle's root) and
# named after its own folder.
_folder := parts[count(parts) - 4] if {
	parts := split(input.regal.file.name, "/")
	count(parts) >= 6
	parts[count(parts) - 6] == "policy"
	parts[count(parts) - 5] == "mlfence"
	parts[count(parts) - 4] in object.keys(_targets)
	file := parts[count(parts) - 1]
	not endswith(file, "_test.rego")
	file == sprintf("%s.rego", [parts[count(parts) - 2]])
}

_annotation := [a | some a in input.package.annotations; a.scope == "package"][0]

default _custom := {}

_custom := _annotation.custom if is_object(_annotation.custom)

_where := result.location(input.package.path[1])

_fail(message) := result.fail(rego.metadata.chain(), object.union(_where, {"description": message}))

report contains _fail("rule file without a package METADATA block") if {
	_folder
	not _annotation
}

report contains _fail(sprintf("METADATA needs %s", [name])) if {
	_folder
	_annotation
	some name in ["title", "description"]
	not _text(object.get(_annotation, name, null))
}

report contains _fail(sprintf("METADATA needs custom.%s", [name])) if {
	_folder
	_annotation
	some name in ["id", "long_id", "severity", "target", "recommended_action"]
	not _text(object.get(_custom, name, null))
}

report contains _fail(sprintf("custom.target %q does not match the rule's folder policy/mlfence/%s (%q)", [
	_custom.target, _folder, _targets[_folder],
])) if {
	_text(_custom.target)
	_custom.target != _targets[_folder]
}

report contains _fail(sprintf("custom.id %q is not %sNNN", [_custom.id, _id_prefix[_targets[_folder]]])) if {
	_text(_custom.id)
	not regex.match(sprintf("^%s[0-9]{3}$", [_id_prefix[_targets[_folder]]]), _custom.id)
}

report contains _fail(sprintf("custom.severity %q is not one of low, medium, high, critical", [_custom.severity])) if {
	_folder
	_text(_custom.severity)
	not _custom.severity in _severities
}

report contains _fail(sprintf("custom.id %s is retired: IDs are never reused, take the next free one", [_custom.id])) if {
	_folder
	_custom.id in object.get(_cfg, "retired-ids", [])
}

report contains _fail(sprintf("custom.kind_groups: %q is not a kind group (%s)", [group, concat(", ", groups)])) if {
	_folder
	groups := object.get(_cfg, "kind-groups", [])
	some group in _list(_custom.kind_groups)
	not group in groups
}

report contains _fail(sprintf("custom.kinds lists %d kinds; name a kind group (custom.kind_groups) instead", [
	count(_custom.kinds),
])) if {
	_folder
	count(_list(_custom.kinds)) > object.get(_cfg, "max-kinds", 8)
}

# A rule that encodes a platform's behaviour (custom.platform) names the sources it was checked
# against: custom.verified_against, a list of entries each giving the repository (owner/name),
# where in it (path and commit, or ref: an issue or pull request), the release the source
# belongs to (or why it is not established) and the facts read there.
report contains _fail("custom.platform needs custom.verified_against: the platform sources the rule encodes") if {
	_folder
	_text(_custom.platform)
	not "verified_against" in object.keys(_custom)
}

report contains _fail("custom.verified_against is a non-empty list of sources") if {
	_folder
	"verified_against" in object.keys(_custom)
	not _non_empty_list(_custom.verified_against)
}

report contains _fail(sprintf("custom.verified_against[%d]: %s", [i, problem])) if {
	_folder
	some i, entry in _list(_custom.verified_against)
	some problem in _source_problems(entry)
}

_non_empty_list(x) if {
	is_array(x)
	count(x) > 0
}

_source_problems(entry) := {"is not an object with repo, version and facts"} if not is_object(entry)

_source_problems(entry) := problems if {
	is_object(entry)
	problems := ({problem |
		some name in ["repo", "version", "facts"]
		not _text(object.get(entry, name, null))
		problem := sprintf("needs %s", [name])
	} | _repo_problems(entry)) | _place_problems(entry)
}

_repo_problems(entry) := {sprintf("repo %q is not owner/name", [entry.repo])} if {
	_text(entry.repo)
	not regex.match(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`, entry.repo)
} else := set()

# Where the facts were read: a file at a commit (7 to 40 hex digits, or "not recorded" for a
# vendored snapshot without one), or a ref to an issue or pull request.
_place_problems(entry) := set() if {
	_text(object.get(entry, "ref", null))
} else := {"needs path and commit, or ref"} if {
	not _text(object.get(entry, "path", null))
} else := {sprintf("commit %v is neither 7-40 hex digits nor \"not recorded ...\"", [
	object.get(entry, "commit", null),
])} if {
	not _commit(object.get(entry, "commit", null))
} else := set()

_commit(c) if {
	is_string(c)
	regex.match(`^[0-9a-f]{7,40}$`, c)
}

_commit(c) if {
	is_string(c)
	startswith(c, "not recorded")
}

# IDs across files: collected per file, then compared.
aggregate contains result.aggregate(rego.metadata.chain(), {
	"id": _custom.id,
	"location": object.union(util.to_location_object(input.package.path[1].location), {"file": input.regal.file.name}),
}) if {
	_folder
	_text(_custom.id)
}

# METADATA
# description: an ID two rules carry
# schemas:
#   - input: schema.regal.aggregate
aggregate_report contains violation if {
	some id in {entry.aggregate_data.id | some entry in input.aggregate}
	holders := sort([entry.aggregate_data.location |
		some entry in input.aggregate
		entry.aggregate_data.id == id
	])
	count(holders) > 1
	some holder in array.slice(holders, 1, count(holders))
	violation := result.fail(rego.metadata.chain(), {
		"location": holder,
		"description": sprintf("custom.id %s is also used by %s", [id, holders[0].file]),
	})
}

_text(x) if {
	is_string(x)
	trim_space(x) != ""
}

_list(x) := x if is_array(x)

else := []
