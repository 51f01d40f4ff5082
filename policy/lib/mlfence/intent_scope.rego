# The part of the inventory a reviewed object's declared-flow verdicts can involve. Part of
# lib.mlfence.intent, kept in its own file for size.
#
# The verdicts of MLF-K8S-060/061/062 on one object name flows between a workload the object runs
# or selects and its peers, or the members of a component. A NetworkPolicy selects pods of its own
# namespace only, and a rule's peers are pods of its own namespace or of the namespaces its
# namespaceSelector matches; so these verdicts are decided by the objects of a few namespaces
# (plus the cluster-scoped ones: Namespaces, cluster-wide policy kinds), not by the whole
# inventory. The model (lib.mlfence.connectivity) is computed on that cut: at admission on
# 1,000 workloads and 2,000 policies, one namespace and its peers instead of all of them.
#
# For a reviewed NetworkPolicy the flows judged are cut further, to those of the workloads it
# selects with the peers its rules resolve to (peers_narrowed, at the end of this file): its
# verdicts name only flows its own rules decide.
#
# The cut is exact, not an approximation: every workload a reported flow can involve is in it,
# and whatever decides a flow between two workloads of the cut (their namespaces' policies, the
# cluster-scoped policies, the namespaces' labels, the Istio root namespace's
# AuthorizationPolicies) is in it too. Where the peers cannot be bounded this way (a rule
# without peers, an unisolated direction, the Cilium, Calico and Admin tier kinds, which select
# and admit across namespaces in ways this file does not bound) the whole inventory is used.
package lib.mlfence.intent

import data.lib.mlfence.config
import data.lib.mlfence.connectivity
import data.lib.mlfence.k8s
import data.lib.mlfence.selector

# patched_inventory is data.inventory with the reviewed object in it (as it will be once
# admitted; the CLI and conftest inventories hold it already). The object replaces the stored one
# of its name: object.union alone merges the two, and a field the new version drops (a label, a
# podSelector) would survive from the old one.
patched_inventory := object.union(json.remove(_inventory, [review_path]), _placed) if {
	obj := k8s.review_object
	is_string(obj.apiVersion)
	is_string(obj.kind)
	is_string(obj.metadata.name)
} else := _inventory

# review_path is where the reviewed object sits in data.inventory.
review_path := array.concat(["namespace", k8s.namespace], _object_path) if {
	k8s.namespace != ""
} else := array.concat(["cluster"], _object_path)

_object_path := [k8s.review_object.apiVersion, k8s.kind, k8s.review_object.metadata.name]

default _inventory := {}

_inventory := data.inventory if is_object(data.inventory)

_placed := {"namespace": {k8s.namespace: _entry}} if k8s.namespace != ""

else := {"cluster": _entry}

_entry := {k8s.review_object.apiVersion: {k8s.review_object.kind: {k8s.review_object.metadata.name: k8s.review_object}}}

# scoped_inventory is patched_inventory cut to scope_namespaces, every cluster-scoped object kept.
scoped_inventory := object.union(json.remove(_kept, [review_path]), _placed) if {
	_reviewable
	not _wide
} else := patched_inventory

_reviewable if {
	obj := k8s.review_object
	is_string(obj.apiVersion)
	is_string(obj.kind)
	is_string(obj.metadata.name)
}

_kept := object.union(_cluster_part, {"namespace": {ns: groups |
	some ns in scope_namespaces
	groups := _inventory.namespace[ns]
}})

# The cluster-scoped objects, but for the Namespaces out of scope: a Namespace only gives its
# workloads' peers their labels, and the cut holds none of its workloads. (Inline: a helper
# function taking the Namespaces as an argument would cost time in proportion to their number;
# the kinds but Namespace are a comprehension, not object.remove(kinds, ["Namespace"]), which
# copied the Namespaces it dropped: ~6k allocations per decision for 200 of them.)
default _cluster_part := {}

# The versions without Namespaces are kept whole. (Tested by an empty list: OPA moves the
# undefined `kinds.Namespace` out of a `not is_object(...)`, which then dropped every such version,
# and with it the cluster-wide policy kinds: AdminNetworkPolicy, Cilium's and Calico's
# cluster-scoped policies were not seen by a reviewed NetworkPolicy's verdicts.)
_cluster_part := {"cluster": object.union(
	{version: kinds | some version, kinds in _inventory.cluster; [1 | is_object(kinds.Namespace)] == []},
	{version: object.union(
		{kind: objs | some kind, objs in kinds; kind != "Namespace"},
		{"Namespace": {name: obj |
			some name in scope_namespaces
			obj := kinds.Namespace[name]
		}},
	) |
		some version, kinds in _inventory.cluster
		is_object(kinds.Namespace)
	},
)} if {
	is_object(_inventory.cluster)
} else := {"cluster": _inventory.cluster} if {
	"cluster" in object.keys(_inventory)
}

# "all" stands for every namespace: the cut is then the whole inventory.
_wide if "all" in scope_namespaces

# scope_namespaces is the namespaces whose objects can decide the reviewed object's verdicts:
# its own, the Istio root namespace, and those named by scope_reason's case.
scope_namespaces := {k8s.namespace, config.value("istio_root_namespace")} | _reached

default _reached := {"all"}

_reached := _policy_peers if {
	_is_core_policy
} else := _workload_peers if {
	count(_review_entries) > 0
	not _is_policy_kind
} else := _component_namespaces if {
	k8s.kind == "Namespace"
} else := set() if {
	# No workload, no selection: no flow is judged (review_ids is empty).
	not _is_policy_kind
}

_is_core_policy if {
	k8s.kind == "NetworkPolicy"
	k8s.api_group(k8s.review_object) == "networking.k8s.io"
}

_review_entries := [e |
	count(k8s.as_array(k8s.field(k8s.review_object, ["metadata", "ownerReferences"], []))) == 0
	some e in connectivity.workload_entries(k8s.review_object, k8s.namespace)
]

# --- a NetworkPolicy: the namespaces of its rules' peers ------------------------------------------

_policy_peers := union({rule_namespaces(rule, direction, k8s.namespace) |
	some direction in ["Ingress", "Egress"]
	some rule in connectivity.rules_of(k8s.review_object, direction)
})

_peer_key := {"Ingress": "from", "Egress": "to"}

# rule_namespaces(rule, direction, ns) is the namespaces of the workloads a rule of a policy of
# namespace ns admits (connectivity.peer_workloads): {"all"} for a rule without peers.
rule_namespaces(rule, direction, ns) := {"all"} if {
	count(k8s.as_array(object.get(k8s.object_or_empty(rule), _peer_key[direction], []))) == 0
} else := union({_peer_namespaces(peer, ns) |
	some peer in k8s.as_array(object.get(k8s.object_or_empty(rule), _peer_key[direction], []))
})

_peer_namespaces(peer, ns) := {ns} if {
	is_object(peer)
	not "ipBlock" in object.keys(peer)
	not "namespaceSelector" in object.keys(peer)
	is_object(peer.podSelector)
} else := {name} if {
	# Every namespace carries its name in this label: the one it names is the only candidate.
	name := peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]
	is_string(name)
	not "ipBlock" in object.keys(peer)
} else := {other |
	some other, labels in connectivity.namespaces
	selector.matches(peer.namespaceSelector, labels)
} if {
	is_object(peer)
	not "ipBlock" in object.keys(peer)
	is_object(peer.namespaceSelector)
} else := set()

# --- a workload: the peers its namespace's policies admit, the members of the components its ----
# --- declared flows lead to -------------------------------------------------------------------------

_workload_peers := {"all"} if {
	_dialect_policies
} else := _admitted_peers | _declared_destinations

# The dialects' kinds select and admit across namespaces (cluster-wide kinds, Cilium entities,
# Calico global sets, the Admin tiers): with any of them where they can act on the workload, the
# whole inventory is used.
_dialect_policies if {
	some groups in [_namespace_groups, object.get(_inventory, "cluster", {})]
	some version, _ in k8s.object_or_empty(groups)
	split(version, "/")[0] in _dialect_groups
}

_dialect_groups := {"cilium.io", "projectcalico.org", "crd.projectcalico.org", "policy.networking.k8s.io"}

# The reviewed object's namespace's groups, looked up without passing data.inventory.namespace to a
# function (connectivity_model.rego's _groups says why).
default _namespace_groups := {}

_namespace_groups := groups if {
	groups := _inventory.namespace[k8s.namespace]
	is_object(groups)
}

_namespace_policies := [p |
	some p in k8s.object_or_empty(object.get(_namespace_groups, "networking.k8s.io/v1", {}).NetworkPolicy)
	is_object(p)
]

# An unisolated direction admits every workload of the cluster.
_admitted_peers := union({_direction_peers(e.labels, direction) |
	some e in _review_entries
	some direction in ["Ingress", "Egress"]
})

_direction_peers(labels, direction) := union({rule_namespaces(rule, direction, k8s.namespace) |
	some p in _namespace_policies
	connectivity.selects(p, labels)
	some rule in connectivity.rules_of(p, direction)
}) if {
	some p in _namespace_policies
	connectivity.selects(p, labels)
	direction in connectivity.policy_types(p)
} else := {"all"}

# MLF-K8S-061 checks the workload against every member of the components its declared flows lead
# to: those live in the namespaces the component names (any namespace when it names none).
_declared_destinations contains ns if {
	some e in _review_entries
	some a in allow_entries
	some c in components
	in_component(c, e)
	c.name == a.from
	some to in components
	to.name == a.to
	some ns in _component_scope(to)
}

_component_scope(c) := {ns | some ns, _ in connectivity.namespaces; _namespace_in(c, ns)} if {
	_names_namespaces(c)
} else := {"all"}

# --- a Namespace: the members of the components that name it (MLF-K8S-062) ------------------------

_component_namespaces contains ns if {
	some c in components
	_names_namespaces(c)
	some ns in (_component_scope(c) | {k8s.name})
}

# --- a NetworkPolicy: the workloads judged -----------------------------------------------------

# peers_narrowed holds when the flows judged are those of the reviewed NetworkPolicy's workloads
# with the peers its rules resolve to (_peer_pool), each workload's part of the model computed
# alone (connectivity.workload_among) rather than the model of every workload in scope: at
# admission that is 2 workloads instead of 10 on bench/reach's platform. (A rule, not a function,
# so tests can compare the verdicts without it.)
peers_narrowed if _is_core_policy

# _model_workload(id) is connectivity.workloads[id], computed for that workload alone when the
# peers are narrowed: its rules' pods resolved among the workloads judged only, the only peers
# any flow judged has (a pair of _judged_ids; a rule's other pods are never asked about), and
# only the directions a piece the reviewed policy decides is read in (_read_directions).
_model_workload(id) := connectivity.workload_among(id, _judged_ids, _read_directions(id), _own_rules_only(id)) if {
	peers_narrowed
	is_set(_judged_ids)
} else := connectivity.workloads[id]

# _read_directions(id) is the directions of workload id that the narrowed decision reads. A pair
# is judged when the reviewed policy may decide one of its pieces (_may_carry_review_rules): from
# a workload it selects (review_ids) when it lists Egress, into one when it lists Ingress; and the
# connection needs both sides' grants, the source's egress and the destination's ingress. So a
# workload the policy selects is read in the directions it lists, and any workload (selected or a
# peer) in the opposite ones when it has a selected workload other than itself to pair with (a
# workload is never its own peer, undeclared).
_read_directions(id) := _own_directions(id) | _paired_directions(id)

_own_directions(id) := {d | some d in _review_types; id in review_ids}

_paired_directions(id) := {paired |
	some d in _review_types
	paired := _opposite[d]
	some other in review_ids
	other != id
}

# _own_rules_only(id) is, of the directions a workload the policy selects is read in, those where
# only pieces the policy's own rules decide are kept ({direction: its name}, workload_among's
# `only`): its ingress rules decide a piece into it through the destination's grants, and a
# piece's other grant is the source's egress, so when no other selected workload is paired with it
# in that direction (_paired_directions) the other policies' rules there decide no piece it
# answers for (_decides_piece drops them).
_own_rules_only(id) := {d: k8s.name |
	some d in _own_directions(id)
	not d in _paired_directions(id)
}

_review_types := connectivity.policy_types(k8s.review_object)

_opposite := {"Ingress": "Egress", "Egress": "Ingress"}

# _peer_pool is the workloads whose flows with a workload w judged can carry a verdict on the
# reviewed object: every workload, but for a reviewed NetworkPolicy, which answers only for the
# pieces its own rules decide (_decides_piece). A piece its ingress rule decides comes from a peer of that rule
# into a workload it selects; one its egress rule decides goes from a workload it selects to a
# peer of that rule. So w's peers there are the workloads it selects and the pods its rules
# resolve to (_judged_ids); a rule without peers ("all") admits every workload.
_peer_pool := {id: _model_workload(id) | some id in _judged_ids} if {
	peers_narrowed
	is_set(_judged_ids)
} else := connectivity.workloads

# _judged_ids is the workloads the reviewed NetworkPolicy selects and the pods of its rules (as
# the model resolves them in the namespace's rules), or "all" when one of its rules has no peers.
_judged_ids := "all" if {
	some pods in _review_rule_pods
	pods == "all"
} else := review_ids | union({pods | some pods in _review_rule_pods})

_review_rule_pods := [connectivity.rule_pods(rule, direction, k8s.namespace) |
	some direction in ["Ingress", "Egress"]
	some rule in connectivity.rules_of(k8s.review_object, direction)
]

# The reviewed NetworkPolicy's rules are named "<ns>/<name> rule <i>" (_decided_by_review): built
# once per decision, not per rule or piece.
_review_rule_prefix := sprintf("%s rule ", [_review_policy_ref])

_review_policy_ref := sprintf("%s/%s", [k8s.namespace, k8s.name])
