package lib.mlfence.intent_scope_test

import data.lib.mlfence.intent

# Every case is judged twice: on the cut of the inventory (intent_scope.rego) and on the whole
# inventory with the reviewed object in it, every workload's flows judged (the computation before
# the cuts). The verdicts must be
# the same, and each case also states what they are.

_deployment(ns, name, labels) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}},
}

_policy(ns, name, spec) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
	"metadata": {"name": name, "namespace": ns}, "spec": spec,
}

_namespace(name, labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}

_inventory(objects) := {
	"namespace": object.union_n([{o.metadata.namespace: {o.apiVersion: {o.kind: {o.metadata.name: o}}}} |
		some o in objects
		o.metadata.namespace
	]),
	"cluster": object.union_n([{o.apiVersion: {o.kind: {o.metadata.name: o}}} |
		some o in objects
		not o.metadata.namespace
	]),
}

_flows := {
	"components": [
		{"name": "training", "namespaces": ["ml-training"]},
		{"name": "model-registry", "namespaces": ["model-registry"]},
		{"name": "ci-runners", "namespaces": ["ci"]},
		{"name": "tier-x", "namespace_selector": {"matchLabels": {"tier": "x"}}},
	],
	"allow": [{"from": "ci-runners", "to": "model-registry", "ports": [5000]}],
}

# The platform around the cases: a trainer that may send anywhere, a CI runner, an isolated
# registry, a namespace nobody's flows reach (its objects must not matter), two tier-x namespaces.
_platform := [
	_deployment("ml-training", "trainer", {"app": "trainer"}),
	_policy("ml-training", "trainer-egress", {
		"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
		"egress": [{"to": [{"namespaceSelector": {}}]}],
	}),
	_deployment("ci", "runner", {"app": "runner"}),
	_policy("ci", "deny", {"podSelector": {}, "policyTypes": ["Ingress"]}),
	_deployment("model-registry", "registry", {"app": "registry"}),
	_policy("model-registry", "deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
	_deployment("elsewhere", "bystander", {"app": "bystander"}),
	_policy("elsewhere", "deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
	_namespace("ml-training", {}),
	_namespace("model-registry", {}),
	_namespace("ci", {}),
	_namespace("elsewhere", {}),
	_namespace("team-a", {"tier": "x"}),
	_namespace("team-b", {"tier": "x"}),
	_deployment("team-a", "a", {"app": "a"}),
	_deployment("team-b", "b", {"app": "b"}),
	_policy("team-b", "deny", {"podSelector": {}, "policyTypes": ["Ingress"]}),
]

_from_everywhere := _policy("model-registry", "open", {
	"podSelector": {"matchLabels": {"app": "registry"}}, "policyTypes": ["Ingress"],
	"ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {}}], "ports": [{"port": 5000}]}],
})

_from_ci := _policy("model-registry", "open", {
	"podSelector": {"matchLabels": {"app": "registry"}}, "policyTypes": ["Ingress"],
	"ingress": [{
		"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ci"}}}],
		"ports": [{"port": 5000}],
	}],
})

# _verdicts(objects, obj) is {"scoped": ..., "whole": ...}, each the three rules' messages.
_verdicts(objects, obj) := _verdicts_declaring(objects, obj, _flows)

# _verdicts_declaring(objects, obj, flows) is _verdicts with these declared flows.
_verdicts_declaring(objects, obj, flows) := {"scoped": scoped, "whole": whole} if {
	review := {"review": {"object": obj}, "parameters": {"flows": flows}}
	inventory := _inventory(objects)
	scoped := _messages with input as review with data.inventory as inventory
	patched := intent.patched_inventory with input as review with data.inventory as inventory
	whole := _messages with input as review with data.inventory as inventory
		with intent.scoped_inventory as patched
		with intent.peers_narrowed as false
}

_messages := {
	"undeclared": intent.undeclared_messages,
	"blocked": intent.blocked_messages,
	"empty": intent.empty_components,
	"scope": intent.scope_namespaces,
}

_same(v) if {
	object.remove(v.scoped, ["scope"]) == object.remove(v.whole, ["scope"])
}

test_policy_replaced_by_name_opens_the_registry if {
	v := _verdicts(array.concat(_platform, [_from_ci]), _from_everywhere)
	_same(v)
	v.scoped.scope == {"model-registry", "istio-system", "ci", "elsewhere", "ml-training", "team-a", "team-b"}
	some m in v.scoped.undeclared
	contains(m, "ml-training/trainer (component training) can reach model-registry/registry")
	contains(m, "ingress: NetworkPolicy model-registry/open rule 0")
}

test_policy_replaced_by_name_closes_what_the_old_version_opened if {
	v := _verdicts(array.concat(_platform, [_from_everywhere]), _from_ci)
	_same(v)
	v.scoped.undeclared == set()
	v.scoped.scope == {"model-registry", "istio-system", "ci"}
}

# Without a podSelector the policy selects every pod of its namespace (the API server's default).
test_policy_without_pod_selector_selects_the_whole_namespace if {
	wide := _policy("model-registry", "open", {
		"policyTypes": ["Ingress"],
		"ingress": [{
			"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ml-training"}}}],
			"ports": [{"port": 5000}],
		}],
	})
	v := _verdicts(
		array.concat(_platform, [_deployment("model-registry", "cache", {"app": "cache"}), _from_ci]),
		wide,
	)
	_same(v)
	v.scoped.scope == {"model-registry", "istio-system", "ml-training"}

	# The stored version selected app=registry only: the new one selects the cache too.
	some a in v.scoped.undeclared
	contains(a, "can reach model-registry/cache (component model-registry) on TCP 5000")
	some b in v.scoped.undeclared
	contains(b, "can reach model-registry/registry (component model-registry) on TCP 5000")
}

test_workload_relabelled_into_an_open_policy if {
	v := _verdicts(
		array.concat(_platform, [_from_everywhere, _deployment("model-registry", "registry", {"app": "old"})]),
		_deployment("model-registry", "registry", {"app": "registry"}),
	)
	_same(v)
	not "all" in v.scoped.scope
	some m in v.scoped.undeclared
	contains(m, "ml-training/trainer (component training) can reach model-registry/registry")
}

# The new version drops the label the open policy selects: the stored version's labels must not
# survive into the judged one.
test_workload_relabelled_out_of_an_open_policy if {
	opened := _verdicts(
		array.concat(_platform, [_from_everywhere]),
		_deployment("model-registry", "registry", {"app": "registry"}),
	)
	_same(opened)
	v := _verdicts(
		array.concat(_platform, [_from_everywhere]),
		_deployment("model-registry", "registry", {"role": "registry"}),
	)
	_same(v)
	v.scoped.undeclared == set()
	v.scoped.blocked == set()
	some m in opened.scoped.undeclared
	contains(m, "ml-training/trainer (component training) can reach model-registry/registry")
}

test_workload_with_an_unisolated_direction_uses_the_whole_inventory if {
	v := _verdicts(_platform, _deployment("team-a", "a", {"app": "a"}))
	_same(v)
	"all" in v.scoped.scope
	some m in v.scoped.undeclared
	contains(m, "team-a/a (component tier-x) can reach")
}

test_runner_blocked_from_the_registry if {
	v := _verdicts(_platform, _deployment("ci", "runner", {"app": "runner"}))
	_same(v)
	some m in v.scoped.blocked
	contains(m, "ci/runner (component ci-runners) cannot reach model-registry/registry (component model-registry) on TCP 5000")
}

test_namespace_relabelled_into_a_component if {
	v := _verdicts(_platform, _namespace("elsewhere", {"tier": "x"}))
	_same(v)
	v.scoped.empty == set()
	v.scoped.scope == {"elsewhere", "istio-system", "team-a", "team-b", "ml-training", "model-registry", "ci", ""}
}

test_component_matching_no_workload if {
	objects := [o | some o in _platform; not o.metadata.namespace == "team-b"; not o.metadata.name == "team-b"]
	v := _verdicts(
		array.concat(objects, [_deployment("team-a", "a", {"app": "a"})]),
		_namespace("team-b", {"tier": "x"}),
	)
	_same(v)
	v.scoped.empty == set()
	v2 := _verdicts(_platform, _namespace("team-c", {"tier": "x"}))
	_same(v2)
	v2.scoped.empty == set()
	v3 := _verdicts([o | some o in _platform; not o.kind == "Deployment"], _namespace("team-a", {"tier": "x"}))
	_same(v3)
	v3.scoped.empty == {"tier-x"}
}

test_peers_found_by_namespace_labels if {
	policy := _policy("ml-training", "to-tier-x", {
		"podSelector": {}, "policyTypes": ["Egress"],
		"egress": [{"to": [{"namespaceSelector": {"matchLabels": {"tier": "x"}}}]}],
	})
	v := _verdicts(_platform, policy)
	_same(v)
	v.scoped.scope == {"ml-training", "istio-system", "team-a", "team-b"}
	some m in v.scoped.undeclared
	contains(m, "ml-training/trainer (component training) can reach team-a/a (component tier-x)")
}

test_a_rule_without_peers_uses_the_whole_inventory if {
	policy := _policy("model-registry", "open", {
		"podSelector": {}, "policyTypes": ["Ingress"],
		"ingress": [{"ports": [{"port": 5000}]}],
	})
	v := _verdicts(_platform, policy)
	_same(v)
	"all" in v.scoped.scope
	some m in v.scoped.undeclared
	contains(m, "ml-training/trainer (component training) can reach model-registry/registry")
}

test_objects_without_workloads_judge_nothing if {
	service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "ci"}, "spec": {}}
	v := _verdicts(_platform, service)
	_same(v)
	v.scoped.scope == {"ci", "istio-system"}
	v.scoped.undeclared == set()
}

test_dialect_policies_use_the_whole_inventory if {
	cilium := {
		"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
		"metadata": {"name": "c", "namespace": "ci"},
		"spec": {"endpointSelector": {}, "egress": [{"toEntities": ["world"]}]},
	}
	v := _verdicts(array.concat(_platform, [cilium]), _deployment("ci", "runner", {"app": "runner"}))
	_same(v)
	"all" in v.scoped.scope
	v2 := _verdicts(_platform, cilium)
	_same(v2)
	"all" in v2.scoped.scope
}

# A reviewed NetworkPolicy answers for the flows its own rules decide: another policy's undeclared
# flow into the same workload (team-a/a to the registry on 6000) is not its verdict, and the
# registry's flows are judged with the peers of its rules only (peers_narrowed).
test_policy_judged_on_its_rules_peers if {
	wide := _policy("model-registry", "wide", {
		"podSelector": {"matchLabels": {"app": "registry"}}, "policyTypes": ["Ingress"],
		"ingress": [{
			"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "team-a"}}}],
			"ports": [{"port": 6000}],
		}],
	})
	to_trainer := _policy("model-registry", "from-training", {
		"podSelector": {"matchLabels": {"app": "registry"}}, "policyTypes": ["Ingress"],
		"ingress": [{
			"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ml-training"}}}],
			"ports": [{"port": 5000}],
		}],
	})
	v := _verdicts(array.concat(_platform, [wide]), to_trainer)
	_same(v)
	count(v.scoped.undeclared) == 1
	some m in v.scoped.undeclared
	contains(m, "ml-training/trainer (component training) can reach model-registry/registry (component model-registry) on TCP 5000")
	contains(m, "ingress: NetworkPolicy model-registry/from-training rule 0")
}

# The egress side: the runner's new egress rule opens a flow to team-a only.
test_policy_egress_judged_on_its_rules_peers if {
	runner_out := _policy("ci", "runner-out", {
		"podSelector": {"matchLabels": {"app": "runner"}}, "policyTypes": ["Egress"],
		"egress": [{
			"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "team-a"}}}],
			"ports": [{"port": 7000}],
		}],
	})
	v := _verdicts(_platform, runner_out)
	_same(v)
	v.scoped.scope == {"ci", "istio-system", "team-a"}
	count(v.scoped.undeclared) == 1
	some m in v.scoped.undeclared
	contains(m, "ci/runner (component ci-runners) can reach team-a/a (component tier-x) on TCP 7000")
	contains(m, "egress: NetworkPolicy ci/runner-out rule 0")
}

# An Ingress-only policy selecting two workloads: each is the other's peer, so the decision reads
# both workloads' egress (the source side of a piece its ingress rule decides) as well as their
# ingress (_read_directions), and finds the two undeclared flows between them.
test_policy_judged_between_two_workloads_it_selects if {
	flows := object.union(_flows, {"components": array.concat(_flows.components, [
		{"name": "lab-web", "namespaces": ["lab"], "pods": {"matchLabels": {"app": "web"}}},
		{"name": "lab-db", "namespaces": ["lab"], "pods": {"matchLabels": {"app": "db"}}},
	])})
	lab := _policy("lab", "among-themselves", {
		"podSelector": {}, "policyTypes": ["Ingress"],
		"ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 5432}]}],
	})
	objects := array.concat(_platform, [
		_namespace("lab", {}),
		_deployment("lab", "web", {"app": "web"}),
		_deployment("lab", "db", {"app": "db"}),
	])
	v := _verdicts_declaring(objects, lab, flows)
	_same(v)
	v.scoped.undeclared == {
		concat("", [
			"lab/web (component lab-web) can reach lab/db (component lab-db) on TCP 5432, which no declared ",
			"flow allows; allowed by egress not isolated by any network policy; ingress: NetworkPolicy ",
			"lab/among-themselves rule 0",
		]),
		concat("", [
			"lab/db (component lab-db) can reach lab/web (component lab-web) on TCP 5432, which no declared ",
			"flow allows; allowed by egress not isolated by any network policy; ingress: NetworkPolicy ",
			"lab/among-themselves rule 0",
		]),
	}
}

# A policy listing both directions and selecting two workloads: a piece its egress rule decides
# from one into the other is let in by another policy's ingress rule, so the destination's
# ingress is read with every policy's rules, not the reviewed one's only (_own_rules_only).
test_policy_judged_with_other_policies_rules_between_two_workloads_it_selects if {
	flows := object.union(_flows, {"components": array.concat(_flows.components, [
		{"name": "lab-web", "namespaces": ["lab"], "pods": {"matchLabels": {"app": "web"}}},
		{"name": "lab-db", "namespaces": ["lab"], "pods": {"matchLabels": {"app": "db"}}},
	])})
	both := _policy("lab", "both", {
		"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
		"ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "nobody"}}}]}],
		"egress": [{"to": [{"podSelector": {}}], "ports": [{"port": 5432}]}],
	})
	objects := array.concat(_platform, [
		_namespace("lab", {}),
		_deployment("lab", "web", {"app": "web"}),
		_deployment("lab", "db", {"app": "db"}),
		_policy("lab", "db-in", {
			"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
			"ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 5432}]}],
		}),
	])
	v := _verdicts_declaring(objects, both, flows)
	_same(v)
	v.scoped.undeclared == {concat("", [
		"lab/web (component lab-web) can reach lab/db (component lab-db) on TCP 5432, which no declared ",
		"flow allows; allowed by egress: NetworkPolicy lab/both rule 0; ingress: NetworkPolicy lab/db-in rule 0",
	])}
}

# batch/v1's Job and Volcano's, one name in one namespace: two workloads with their own pods, told
# apart by their groups in the ids; a policy opening Volcano's pods is judged alike on the cut and
# on the whole inventory, and names the Volcano Job.
_volcano_job(ns, name, labels) := {
	"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"tasks": [{"name": "t", "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}}]},
}

_batch_job(ns, name, labels) := {
	"apiVersion": "batch/v1", "kind": "Job",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}},
}

test_jobs_of_two_groups_with_one_name_are_two_workloads if {
	jobs := [_batch_job("model-registry", "sync", {"app": "sync"}), _volcano_job("model-registry", "sync", {"app": "vsync"})]
	opening := _policy("model-registry", "open-vsync", {
		"podSelector": {"matchLabels": {"app": "vsync"}}, "policyTypes": ["Ingress"],
		"ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "trainer"}}}], "ports": [{"port": 9000}]}],
	})
	v := _verdicts(array.concat(_platform, jobs), opening)
	_same(v)
	v.scoped.undeclared == {concat("", [
		"ml-training/trainer (component training) can reach model-registry/sync (Job.batch.volcano.sh) ",
		"(component model-registry) on TCP 9000, which no declared flow allows; allowed by egress: ",
		"NetworkPolicy ml-training/trainer-egress rule 0; ingress: NetworkPolicy model-registry/open-vsync rule 0",
	])}

	# the batch Job reviewed itself: its own id, no flow into it opened
	w := _verdicts(array.flatten([_platform, jobs, [opening]]), jobs[0])
	_same(w)
	w.scoped.undeclared == set()
}
