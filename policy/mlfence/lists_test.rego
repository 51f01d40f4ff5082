package mlfence_test

import data.mlfence

_host_pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "ml"},
	"spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "i"}]},
}

_list(items) := {"apiVersion": "v1", "kind": "List", "items": items}

test_deny_list_holding_a_host_network_pod if {
	decision := mlfence.decision with input as _list([_host_pod])
	not decision.allowed
	decision.input_kind == "kubernetes_list"
	"MLF-K8S-002" in {f.rule_id | some f in decision.findings}
}

test_deny_typed_list_inside_a_list if {
	inner := {"apiVersion": "v1", "kind": "PodList", "items": [_host_pod]}
	decision := mlfence.decision with input as _list([inner])
	not decision.allowed
	"MLF-K8S-002" in {f.rule_id | some f in decision.findings}
}

test_deny_list_deeper_than_the_bound if {
	deep := _list([_list([_list([_list([_list([_host_pod])])])])])
	decision := mlfence.decision with input as deep
	not decision.allowed
	"MLF-INPUT-002" in {f.rule_id | some f in decision.findings}
}

test_deny_garbage_items if {
	decision := mlfence.decision with input as _list([5])
	not decision.allowed
	{f.rule_id | some f in decision.findings} == {"MLF-INPUT-001"}
}

# The findings the adapters make themselves carry the message without the ID as data too.
test_adapter_findings_carry_text if {
	deep := _list([_list([_list([_list([_list([_host_pod])])])])])
	nested := mlfence.decision.findings with input as deep
	garbage := mlfence.decision.findings with input as _list([5])
	findings := array.concat(nested, garbage)
	{f.rule_id | some f in findings} == {"MLF-INPUT-001", "MLF-INPUT-002"}
	every f in findings {
		f.message == concat("", [f.rule_id, ": ", f.text])
	}
}

test_allow_empty_list if {
	decision := mlfence.decision with input as _list([])
	decision.allowed
	decision.findings == []
}

test_flatten_lists_keeps_other_documents if {
	mlfence.flatten_lists(_host_pod) == [_host_pod]
	mlfence.flatten_lists({"kind": "List", "items": "x"}) == [{"kind": "List", "items": "x"}]
	mlfence.flatten_lists(null) == [null]
}
