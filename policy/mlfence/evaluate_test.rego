package mlfence_test

import data.mlfence

# A Pod that breaks two rules: host network (MLF-K8S-002) and host ports (MLF-K8S-010).
_two_rule_pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "ml-serving"},
	"spec": {"hostNetwork": true, "serviceAccountName": "p", "containers": [{
		"name": "c", "image": "i",
		"ports": [{"containerPort": 8080, "hostPort": 8080}],
	}]},
}

_finding_ids(doc) := {f.rule_id | some f in mlfence.document_findings(doc, {})}

test_index_runs_only_the_rules_listed_for_the_kind if {
	ids := _finding_ids(_two_rule_pod) with mlfence.rule_index as {"kubernetes": {
		"kinds": {"Pod": [["pod", "host_network"]]},
		"any_kind": [],
	}}
	"MLF-K8S-002" in ids
	not "MLF-K8S-010" in ids
}

test_any_kind_rules_run_for_every_indexed_kind if {
	ids := _finding_ids(_two_rule_pod) with mlfence.rule_index as {"kubernetes": {
		"kinds": {"Pod": [["pod", "host_network"]]},
		"any_kind": [["pod", "host_port"]],
	}}
	{"MLF-K8S-002", "MLF-K8S-010"} == ids & {"MLF-K8S-002", "MLF-K8S-010"}
}

test_a_kind_the_index_does_not_name_runs_only_any_kind_rules if {
	# As in Gatekeeper: no Constraint matches a kind no rule lists.
	ids := _finding_ids(_two_rule_pod) with mlfence.rule_index as {"kubernetes": {
		"kinds": {"Service": [["pod", "host_network"]]},
		"any_kind": [["pod", "host_port"]],
	}}
	ids == {"MLF-K8S-010"}
}

test_no_index_runs_every_rule if {
	ids := _finding_ids(_two_rule_pod) with mlfence.rule_index as "not an index"
	{"MLF-K8S-002", "MLF-K8S-010"} == ids & {"MLF-K8S-002", "MLF-K8S-010"}
}
