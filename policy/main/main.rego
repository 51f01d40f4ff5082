# METADATA
# description: |
#   conftest's entrypoint (its default namespace is `main`), so a plain
#   `conftest test -p policy -d data FILE` runs every mlfence rule. With --combine, input is the
#   list of {path, contents} and the scanned Kubernetes objects form the inventory that
#   cross-object rules read. A List (`kind: List`, `*List` with items) is its items, as kubectl
#   applies it. Documents that are neither objects nor plans are a warning, not a failure: CI
#   trees hold other YAML too.
package main

import data.lib.mlfence.result
import data.mlfence

# With --combine conftest sends [{path, contents}]; a multi-document file's contents is a list.
_combined if {
	is_array(input)
	every entry in input {
		is_object(entry)
		is_string(entry.path)
	}
}

# Each document with the file it came from; without --combine conftest gives one document.
# With --combine, namespace-less objects of a folder whose Kustomization sets `namespace:` are
# placed in it, as in `mlfence check`.
_entries := mlfence.placed([{"path": entry.path, "document": doc} |
	some entry in input
	some listed in _as_list(entry.contents)
	some doc in mlfence.flatten_lists(listed)
]) if {
	_combined
}

else := [{"path": "", "document": doc} |
	some listed in _as_list(input)
	some doc in mlfence.flatten_lists(listed)
]

_as_list(value) := value if is_array(value)

else := [value]

# With --combine the scanned objects form the inventory, as in `mlfence check`: namespaced objects
# for everyone, namespace-less ones only for their own kustomization folder or file. Kustomize
# patches are neither judged nor indexed.
_layout := mlfence.layout(_entries)

_scoped := mlfence.scoped_inventory(_entries, _layout)

_inventory(entry) := mlfence.inventory_for(entry, _scoped, _layout) if _combined

else := {}

_judged := [entry |
	some entry in _entries
	entry.document != null
	not mlfence.is_patch(entry, _layout)
]

_findings contains _seen_alone(found) if {
	some entry in _judged
	mlfence.document_kind(entry.document) != "unrecognised"
	some found in mlfence.flattened_findings(entry.document, _inventory(entry))
}

# Without --combine conftest evaluates each document of a file alone, so a rule that judges an
# object by the objects around it (a workload by the NetworkPolicies that select it, a Namespace
# by its default deny) would see an empty cluster and report as missing what may sit in the same
# file. Its verdict is unknown, not failed: the finding keeps the rule's ID and metadata but
# becomes a warning that says so, never a claim about the other objects.
_needs_combine := concat(" ", [
	"this rule reads the other objects of the scan (NetworkPolicies, Namespaces, PeerAuthentications),",
	"which conftest passes only with --combine",
])

_seen_alone(f) := f if {
	_combined
} else := f if {
	not f.rule_id in mlfence.cross_object_rules
} else := object.union(f, {
	"status": "unknown",
	"message": result.with_rule_id(f.rule_id, _not_judged(f)),
	"text": _not_judged(f),
})

_not_judged(f) := sprintf("%s not judged: %s", [f.resource, _needs_combine])

deny contains _conftest_result(f) if {
	some f in _findings
	mlfence.is_failing(f)
}

warn contains _conftest_result(f) if {
	some f in _findings
	not mlfence.is_failing(f)
}

warn contains {
	"msg": result.with_rule_id("MLF-INPUT-001", _not_checked),
	"rule_id": "MLF-INPUT-001",
	"text": _not_checked,
} if {
	some entry in _judged
	mlfence.document_kind(entry.document) == "unrecognised"
}

_not_checked := "document is neither a Kubernetes object nor a Terraform plan; not checked"

# conftest prints `msg`; the other keys reach its JSON, SARIF and JUnit output as metadata.
_conftest_result(f) := object.union(f, {"msg": f.message})
