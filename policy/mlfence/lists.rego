package mlfence

import data.lib.mlfence.result

# A Kubernetes List (`kind: List`, or any `*List` kind, with `items`) stands for its items:
# `kubectl apply` flattens it, Lists inside Lists included. Rego has no recursion, so the
# adapters unroll a fixed number of levels; a List still nested deeper than that is refused
# (nested_list_finding), never passed with nothing checked.

# METADATA
# title: List nesting bound
# description: How many levels of Kubernetes Lists the adapters flatten before refusing.
max_list_nesting := 4

is_list(doc) if {
	is_object(doc)
	is_string(doc.kind)
	endswith(doc.kind, "List")
	is_array(doc.items)
}

_items(doc) := doc.items if is_list(doc)

else := [doc]

# flatten_lists(doc) is the objects a document stands for: a List's items, four levels deep
# (a List that is still there after that is left in place for flattened_findings to refuse).
flatten_lists(doc) := [d4 |
	some d1 in _items(doc)
	some d2 in _items(d1)
	some d3 in _items(d2)
	some d4 in _items(d3)
]

# flattened_findings(doc, inventory) is document_findings for an object that came out of a List.
flattened_findings(doc, inventory) := [nested_list_finding] if is_list(doc)

else := document_findings(doc, inventory)

nested_list_finding := {
	"rule_id": "MLF-INPUT-002",
	"severity": "high",
	"status": "fail",
	"title": "List nested too deeply",
	"resource": "",
	"message": result.with_rule_id("MLF-INPUT-002", _nested_list_text),
	"text": _nested_list_text,
	"remediation": concat(" ", [
		"Flatten the List (kubectl get -o yaml and kustomize build write flat Lists),",
		"or scan it with `mlfence check`, which flattens without a bound.",
	]),
}

_nested_list_text := sprintf("a List nested more than %d levels deep is not checked", [max_list_nesting])
