# METADATA
# description: |
#   conftest's entrypoint (its default namespace is `main`), so a plain
#   `conftest test -p policy -d data FILE` runs every mlfence rule. With --combine, input is the
#   list of {path, contents} and the scanned Kubernetes objects form the inventory that
#   cross-object rules read. A List (`kind: List`, `*List` with items) is its items, as kubectl
#   applies it. Documents that are neither objects nor plans are a warning, not a failure: CI
#   trees hold other YAML too.
package main

import data.mlfence

# With --combine conftest sends [{path, contents}]; a multi-document file's contents is a list.
_combined if {
	is_array(input)
	every entry in input {
		is_object(entry)
		is_string(entry.path)
	}
}

_documents := [doc |
	some entry in input
	some listed in _as_list(entry.contents)
	some doc in mlfence.flatten_lists(listed)
] if {
	_combined
}

else := [doc |
	some listed in _as_list(input)
	some doc in mlfence.flatten_lists(listed)
]

_as_list(value) := value if is_array(value)

else := [value]

default _inventory := {}

_inventory := mlfence.inventory_of(_documents) if _combined

_findings contains f if {
	some doc in _documents
	doc != null
	mlfence.document_kind(doc) != "unrecognised"
	some f in mlfence.flattened_findings(doc, _inventory)
}

deny contains _conftest_result(f) if {
	some f in _findings
	mlfence.is_failing(f)
}

warn contains _conftest_result(f) if {
	some f in _findings
	not mlfence.is_failing(f)
}

warn contains {"msg": "MLF-INPUT-001: document is neither a Kubernetes object nor a Terraform plan; not checked"} if {
	some doc in _documents
	doc != null
	mlfence.document_kind(doc) == "unrecognised"
}

# conftest prints `msg`; the other keys reach its JSON, SARIF and JUnit output as metadata.
_conftest_result(f) := object.union(f, {"msg": f.message})
