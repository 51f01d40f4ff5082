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

# Terraform rules are routed by the resource types of the plan's resource_changes. A plan that
# breaks two rules of two types: a public instance IP (MLF-TF-004) and a public database
# (MLF-TF-025).
_two_rule_plan := {"format_version": "1.2", "resource_changes": [
	_created("aws_instance", "web", {"associate_public_ip_address": true}),
	_created("aws_db_instance", "db", {"publicly_accessible": true}),
]}

_created(type, name, after) := {
	"address": sprintf("%s.%s", [type, name]),
	"mode": "managed",
	"type": type,
	"name": name,
	"change": {"actions": ["create"], "after": after, "after_unknown": {}},
}

_terraform_index(types, prefixes) := {"terraform": {"types": types, "prefixes": prefixes, "any_type": []}}

test_shipped_terraform_index_runs_the_rules_of_each_type if {
	{"MLF-TF-004", "MLF-TF-025"} == _finding_ids(_two_rule_plan) & {"MLF-TF-004", "MLF-TF-025"}
}

test_terraform_index_runs_only_the_rules_listed_for_the_plan_types if {
	ids := _finding_ids(_two_rule_plan) with mlfence.rule_index as _terraform_index(
		{"aws_instance": [["aws", "instance_public_ip"]]},
		{},
	)
	ids == {"MLF-TF-004"}
}

test_terraform_index_skips_a_rule_of_a_type_the_plan_lacks if {
	ids := _finding_ids(_two_rule_plan) with mlfence.rule_index as _terraform_index(
		{"aws_s3_bucket": [["aws", "instance_public_ip"]], "aws_db_instance": [["aws", "rds_public"]]},
		{},
	)
	ids == {"MLF-TF-025"}
}

test_terraform_index_prefix_matches_the_types_it_starts if {
	ids := _finding_ids(_two_rule_plan) with mlfence.rule_index as _terraform_index(
		{},
		{"aws_db_": [["aws", "rds_public"]], "aws_inst": [["aws", "instance_public_ip"]], "aws_s3": [["aws", "s3_bucket_public"]]},
	)
	ids == {"MLF-TF-004", "MLF-TF-025"}
}

test_terraform_any_type_rules_run_for_every_plan if {
	ids := _finding_ids(_two_rule_plan) with mlfence.rule_index as {"terraform": {
		"types": {},
		"prefixes": {},
		"any_type": [["aws", "rds_public"]],
	}}
	ids == {"MLF-TF-025"}
}

test_terraform_without_index_runs_every_rule if {
	ids := _finding_ids(_two_rule_plan) with mlfence.rule_index as "not an index"
	{"MLF-TF-004", "MLF-TF-025"} == ids & {"MLF-TF-004", "MLF-TF-025"}
}

# A plan without resource_changes (planned values only) names its types nowhere the router
# reads: every rule runs, whatever the index says.
test_terraform_plan_without_changes_runs_every_rule if {
	plan := {"format_version": "1.2", "planned_values": {"root_module": {"resources": [{
		"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
		"values": {"publicly_accessible": true},
	}]}}}
	ids := _finding_ids(plan) with mlfence.rule_index as _terraform_index({}, {})
	"MLF-TF-025" in ids
}
