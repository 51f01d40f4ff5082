package main_test

import data.main

_open_egress := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "open", "namespace": "ml-serving"},
	"spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]},
}

_pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "ml-serving"},
	"spec": {"serviceAccountName": "p", "containers": [{"name": "c", "image": "i"}]},
}

_default_deny := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "default-deny-all", "namespace": "ml-serving"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}

test_deny_carries_msg_and_metadata if {
	denials := main.deny with input as _open_egress
	some d in denials
	d.rule_id == "MLF-K8S-001"
	startswith(d.msg, "MLF-K8S-001: ")
	d.msg == concat("", ["MLF-K8S-001: ", d.text])
	d.remediation != ""
}

test_warn_on_documents_that_are_not_objects_or_plans if {
	count(main.deny) == 0 with input as {"replicas": 3}
	warnings := main.warn with input as {"replicas": 3}
	some w in warnings
	startswith(w.msg, "MLF-INPUT-001: ")
	w.rule_id == "MLF-INPUT-001"
	w.msg == concat("", ["MLF-INPUT-001: ", w.text])
}

test_allow_empty_document if {
	count(main.deny) == 0 with input as null
	count(main.warn) == 0 with input as null
}

# Without --combine every document stands alone: the workload's namespace looks bare, but the
# policies may be in the same file, so the cross-object rule is not judged (a warning), not failed.
# The index names the rules that read the inventory (written by `mlfence docs`; set here so the
# test does not depend on the shipped data).
_index_with_cross_object := {"kubernetes": {"cross_object": ["MLF-K8S-009"]}}

test_warn_workload_alone_not_judged if {
	ids := {d.rule_id | some d in main.deny} with input as _pod with data.mlfence.rule_index as _index_with_cross_object
	not "MLF-K8S-009" in ids
	some w in main.warn with input as _pod with data.mlfence.rule_index as _index_with_cross_object
	w.rule_id == "MLF-K8S-009"
	w.status == "unknown"
	contains(w.msg, "not judged")
	contains(w.msg, "--combine")
	w.msg == concat("", ["MLF-K8S-009: ", w.text])
}

# Without the rule index (no -d data) nothing is known about the rules: the finding stays.
test_deny_workload_alone_without_rule_index if {
	ids := {d.rule_id | some d in main.deny} with input as _pod with data.mlfence.rule_index as {}
	"MLF-K8S-009" in ids
}

# Rules that do not read the inventory are judged alone as before.
test_deny_alone_for_rules_that_read_only_the_object if {
	ids := {d.rule_id | some d in main.deny} with input as _open_egress
	"MLF-K8S-001" in ids
}

# With --combine the default-deny scanned beside the workload counts.
test_allow_combined_with_default_deny if {
	combined := [
		{"path": "pod.yaml", "contents": _pod},
		{"path": "netpol.yaml", "contents": [_default_deny]},
	]
	ids := {d.rule_id | some d in main.deny} with input as combined
	not "MLF-K8S-009" in ids
}

test_deny_combined_multi_document_file if {
	combined := [{"path": "all.yaml", "contents": [_pod, _open_egress]}]
	ids := {d.rule_id | some d in main.deny} with input as combined
	"MLF-K8S-001" in ids
}

test_warnings_are_not_denials if {
	plan := {"format_version": "1.2", "resource_changes": [{
		"address": "aws_security_group_rule.mlflow",
		"mode": "managed",
		"type": "aws_security_group_rule",
		"name": "mlflow",
		"change": {"actions": ["create"], "after": {"type": "ingress"}, "after_unknown": {"cidr_blocks": true}},
	}]}
	count(main.deny) == 0 with input as plan
	some w in main.warn with input as plan
	w.status == "unknown"
}

test_deny_list_items_per_document if {
	pod := object.union(_pod, {"spec": {"hostNetwork": true}})
	ids := {d.rule_id | some d in main.deny} with input as {"apiVersion": "v1", "kind": "List", "items": [pod]}
	"MLF-K8S-002" in ids
}

test_deny_nested_list_in_combined_file if {
	pod := object.union(_pod, {"spec": {"hostNetwork": true}})
	nested := {"kind": "List", "apiVersion": "v1", "items": [{"kind": "PodList", "apiVersion": "v1", "items": [pod]}]}
	ids := {d.rule_id | some d in main.deny} with input as [{"path": "l.yaml", "contents": nested}]
	"MLF-K8S-002" in ids
}

# The default deny inside a NetworkPolicyList counts for the workloads scanned with it.
test_allow_default_deny_from_a_list_in_combined_run if {
	combined := [
		{"path": "pod.yaml", "contents": _pod},
		{"path": "np.yaml", "contents": {"kind": "NetworkPolicyList", "apiVersion": "v1", "items": [_default_deny]}},
	]
	ids := {d.rule_id | some d in main.deny} with input as combined
	not "MLF-K8S-009" in ids
}

# With --combine, namespace-less objects of different files do not share a namespace, and a
# kustomization's folder does (MLF-K8S-009 reports a namespace-less workload as unknown: a warning).
test_combined_namespace_less_objects_pool_per_kustomization if {
	job := {
		"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "train"},
		"spec": {"template": {"spec": {"serviceAccountName": "t", "containers": [{"name": "c", "image": "i"}]}}},
	}
	deny := json.patch(_default_deny, [{"op": "remove", "path": "/metadata/namespace"}])
	apart := [{"path": "a/deny.yaml", "contents": deny}, {"path": "b/job.yaml", "contents": job}]
	"MLF-K8S-009" in {d.rule_id | some d in (main.deny | main.warn)} with input as apart
	k := {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": ["deny.yaml", "job.yaml"]}
	together := [{"path": "a/kustomization.yaml", "contents": k}, {"path": "a/deny.yaml", "contents": deny}, {"path": "a/job.yaml", "contents": job}]
	not "MLF-K8S-009" in {d.rule_id | some d in (main.deny | main.warn)} with input as together
	patch := [{"path": "a/deny.yaml", "contents": object.union(deny, {"$patch": "delete"})}, {"path": "a/deny.yaml", "contents": job}]
	"MLF-K8S-009" in {d.rule_id | some d in (main.deny | main.warn)} with input as patch
}
