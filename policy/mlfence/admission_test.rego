package mlfence_test

import data.mlfence

_review(obj) := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {"uid": "7b0c", "operation": "CREATE", "namespace": "ml-serving", "object": obj},
}

_pod(host_network) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "ml-serving"},
	"spec": {"hostNetwork": host_network, "serviceAccountName": "p", "containers": [{"name": "c", "image": "i"}]},
}

test_deny_echoes_uid_and_lists_findings if {
	response := mlfence.admission.response with input as _review(_pod(true))
	response.uid == "7b0c"
	response.allowed == false
	response.status.code == 403
	contains(response.status.message, "MLF-K8S-002")
}

test_allow_echoes_uid if {
	response := mlfence.admission.response with input as _review(_pod(false))
		with data.inventory as {"namespace": {"ml-serving": {"networking.k8s.io/v1": {"NetworkPolicy": {"d": {
			"apiVersion": "networking.k8s.io/v1",
			"kind": "NetworkPolicy",
			"metadata": {"name": "d", "namespace": "ml-serving"},
			"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
		}}}}}}
	response.uid == "7b0c"
	response.allowed == true
	not response.status
}

test_deny_anything_that_is_not_an_admission_review if {
	response := mlfence.admission.response with input as _pod(false)
	response.allowed == false
	response.uid == ""
	contains(response.status.message, "not an admission.k8s.io/v1 AdmissionReview")
}

test_deny_review_without_request if {
	response := mlfence.admission.response with input as {"kind": "AdmissionReview"}
	response.allowed == false
}

test_warnings_do_not_deny if {
	response := mlfence.admission.response with input as _review(_pod(false))
		with mlfence.config as {
			"exemptions": [{
				"rule": "*", "resource": "ml-serving/*", "reason": "warnings only in this test",
				"owner": "platform", "expires": "2026-07-01",
			}],
			"exemption_limits": {"allow_all_rules": true},
		}
		with time.now_ns as 1781524800000000000
	response.allowed == true
	count(response.warnings) > 0
}

test_decision_fails_closed_on_garbage if {
	d := mlfence.decision with input as [1, 2]
	d.allowed == false
	d.findings[0].rule_id == "MLF-INPUT-001"
}

test_decision_on_plan if {
	plan := {"format_version": "1.2", "resource_changes": [{
		"address": "aws_security_group.a",
		"mode": "managed",
		"type": "aws_security_group",
		"name": "a",
		"change": {"actions": ["create"], "after": {"ingress": [{"cidr_blocks": ["0.0.0.0/0"]}]}, "after_unknown": {}},
	}]}
	d := mlfence.decision with input as plan
	d.input_kind == "terraform_plan"
	d.allowed == false
}

test_scan_builds_inventory_across_documents if {
	docs := [
		{"path": "a.yaml", "index": 0, "document": _pod(false)},
		{"path": "b.yaml", "index": 1, "document": {
			"apiVersion": "networking.k8s.io/v1",
			"kind": "NetworkPolicy",
			"metadata": {"name": "d", "namespace": "ml-serving"},
			"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
		}},
		{"path": "c.yaml", "index": 2, "document": {"replicas": 3}},
	]
	results := mlfence.scan with input as {"documents": docs}
	results[2].input_kind == "unrecognised"
	inventory := mlfence.scan_inventory with input as {"documents": docs}
	inventory.namespace["ml-serving"]["networking.k8s.io/v1"].NetworkPolicy.d
}

test_scan_shard_answers_its_documents_with_the_whole_inventory if {
	docs := [
		{"path": "a.yaml", "index": 0, "document": _pod(false)},
		{"path": "b.yaml", "index": 1, "document": {
			"apiVersion": "networking.k8s.io/v1",
			"kind": "NetworkPolicy",
			"metadata": {"name": "d", "namespace": "ml-serving"},
			"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
		}},
		{"path": "c.yaml", "index": 2, "document": _pod(true)},
	]
	even := mlfence.scan with input as {"documents": docs} with mlfence.scan_shard as [0, 2]
	{r.index | some r in even} == {0, 2}

	# The default deny in document 1 (another shard's) still counts for the pod in document 0.
	every r in even {
		not "MLF-K8S-009" in {f.rule_id | some f in r.findings}
	}
	odd := mlfence.scan with input as {"documents": docs} with mlfence.scan_shard as [1, 2]
	[r.index | some r in odd] == [1]
}

test_scan_reads_context_only_documents_without_answering_for_them if {
	policy := {
		"apiVersion": "networking.k8s.io/v1",
		"kind": "NetworkPolicy",
		"metadata": {"name": "d", "namespace": "ml-serving"},
		"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
	}
	held := [
		{"path": "a.yaml", "index": 0, "document": _pod(false)},
		{"path": "b.yaml", "index": 1, "document": policy, "context_only": true},
	]
	results := mlfence.scan with input as {"documents": held}
	[r.index | some r in results] == [0]

	# The default deny of the context-only document isolates the pod; without it the pod is open.
	not "MLF-K8S-009" in {f.rule_id | some f in results[0].findings}
	alone := mlfence.scan with input as {"documents": [held[0]]}
	"MLF-K8S-009" in {f.rule_id | some f in alone[0].findings}

	# Only the value true withholds the answer.
	other := mlfence.scan with input as {"documents": [object.union(held[1], {"context_only": "yes"})]}
	[r.index | some r in other] == [1]
}

test_scan_inventory_keeps_only_synced_kinds if {
	docs := [
		{"path": "a.yaml", "index": 0, "document": _pod(false)},
		{"path": "b.yaml", "index": 1, "document": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml-serving"}}},
	]
	inventory := mlfence.scan_inventory with input as {"documents": docs}
	inventory.cluster.v1.Namespace["ml-serving"]

	# Pods are synced for the connectivity model (declared flows); a ConfigMap is not.
	inventory.namespace["ml-serving"].v1.Pod
	config_map := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ml-serving"}}
	with_config_map := mlfence.scan_inventory with input as {"documents": [{"path": "c.yaml", "index": 0, "document": config_map}]}
	not with_config_map.namespace["ml-serving"]
}

test_scan_keeps_one_of_two_objects_with_the_same_name if {
	# Two overlays of one policy in one scan: the inventory keeps one, the scan does not fail.
	policy := {
		"apiVersion": "networking.k8s.io/v1",
		"kind": "NetworkPolicy",
		"metadata": {"name": "d", "namespace": "ml-serving"},
		"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
	}
	docs := [
		{"path": "a.yaml", "index": 0, "document": policy},
		{"path": "b.yaml", "index": 1, "document": object.union(policy, {"spec": {"policyTypes": ["Ingress"]}})},
	]
	inventory := mlfence.scan_inventory with input as {"documents": docs}
	inventory.namespace["ml-serving"]["networking.k8s.io/v1"].NetworkPolicy.d.spec.policyTypes == ["Ingress"]
	count(mlfence.scan) == 2 with input as {"documents": docs}
}
