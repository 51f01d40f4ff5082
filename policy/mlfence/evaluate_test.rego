package mlfence_test

import data.mlfence
import data.mlfence.k8s.istio.gateway_plaintext

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

# The Services a Gateway is matched against are listed once per inventory (evaluate.rego hands
# gateway_exposure.selecting_services in): two documents judged with two inventories in one
# evaluation each get their own inventory's Services, as the rule alone with each inventory does.
_plaintext_gateway := {
	"apiVersion": "networking.istio.io/v1",
	"kind": "Gateway",
	"metadata": {"name": "g", "namespace": "ml-serving"},
	"spec": {"selector": {"istio": "edge"}, "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]},
}

_edge_service(type) := {"namespace": {"gw": {"v1": {"Service": {"edge": {
	"metadata": {"name": "edge", "namespace": "gw"},
	"spec": {"type": type, "selector": {"istio": "edge", "app": "edge"}, "ports": [{"port": 80}]},
}}}}}}

_gateway_statuses(inventory) := {f.status |
	some f in mlfence.document_findings(_plaintext_gateway, inventory)
	f.rule_id == "MLF-K8S-050"
}

_rule_statuses(inventory) := {f.details.status |
	some f in gateway_plaintext.violation with input as {"review": {"object": _plaintext_gateway}, "parameters": mlfence.params}
		with data.inventory as inventory
}

test_gateway_judged_with_the_services_of_its_own_inventory if {
	published := _gateway_statuses(_edge_service("LoadBalancer"))
	published == _rule_statuses(_edge_service("LoadBalancer"))
	published == {"fail"}
	behind_cluster_ip := _gateway_statuses(_edge_service("ClusterIP"))
	behind_cluster_ip == _rule_statuses(_edge_service("ClusterIP"))
	without_service := _gateway_statuses({})
	without_service == _rule_statuses({})
	count({published, behind_cluster_ip, without_service}) == 3
}
