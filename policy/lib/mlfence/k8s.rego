# METADATA
# description: |
#   Kubernetes object helpers. Rules read the object from Gatekeeper's input shape
#   (input.review.object); the conftest and bundle adapters build that shape, so these helpers
#   are the only place that knows where the object lives, and where each kind keeps its pods.
package lib.mlfence.k8s

import data.lib.mlfence.config

# The object under review, or {} when the input carries none.
default review_object := {}

review_object := input.review.object if is_object(input.review.object)

default kind := ""

kind := review_object.kind if is_string(review_object.kind)

default name := ""

name := review_object.metadata.name if is_string(review_object.metadata.name)

# The object's namespace; AdmissionReview requests also carry it beside the object.
default namespace := ""

namespace := review_object.metadata.namespace if {
	is_string(review_object.metadata.namespace)
} else := input.review.namespace if {
	is_string(input.review.namespace)
}

# A stable reference for findings and exemptions: "namespace/Kind/name". An object created with
# metadata.generateName has no name until the API server stores it (admission sees none either):
# it is named by its prefix and a `*`, which an exemption glob matches as written.
resource := sprintf("%s/%s/%s", [namespace, kind, _resource_name])

default _resource_name := ""

_resource_name := name if {
	name != ""
} else := sprintf("%s*", [review_object.metadata.generateName]) if {
	is_string(review_object.metadata.generateName)
	review_object.metadata.generateName != ""
}

# in_scope holds unless the object lives in one of the configured system namespaces. Only the
# workload-hygiene rules (pods, their NetworkPolicies) use it: exposure and mesh rules judge
# every namespace, since an edge Gateway or a root-namespace policy in istio-system is exactly
# what they are about. Cluster-scoped objects and objects without a namespace are in scope.
in_scope if not namespace in {ns | some ns in config.value("system_namespaces")}

# is_system_namespace(ns) holds for a namespace of the configured system list.
is_system_namespace(ns) if ns in {n | some n in config.value("system_namespaces")}

# field(obj, path, fallback) is obj at path when every step is an object, else fallback; a
# null value reads as absent, as the API server reads it. Rules use it instead of object.get so
# that a wrong type anywhere never raises an error: obj is checked first because object.get
# errors on anything but an object (a `metadata: null` or `spec: null` object did).
field(obj, path, fallback) := value if {
	is_object(obj)
	value := object.get(obj, path, null)
	value != null
} else := fallback

# size(x) is count(x) for a list, object, set or string, and undefined for any other type, where
# count raises an error: a rule that counts a field of the wrong type finds nothing.
size(x) := count(x) if is_array(x)

else := count(x) if is_object(x)

else := count(x) if is_set(x)

else := count(x) if is_string(x)

# as_array(x) is x when it is a list, else [] (null, missing or a wrong type).
as_array(x) := x if is_array(x)

else := []

# object_or_empty(x) is x when it is an object, else {}.
object_or_empty(x) := x if is_object(x)

else := {}

# labels(obj) and annotations(obj) are the object's own metadata maps, {} when absent or of a
# wrong type. (One lookup, not metadata_map(field(obj, ...)): the model reads every object's
# labels; a reference into anything but an object is undefined, so no type checks are needed.)
labels(obj) := value if {
	value := obj.metadata.labels
	is_object(value)
} else := {}

annotations(obj) := value if {
	value := obj.metadata.annotations
	is_object(value)
} else := {}

# metadata_map(metadata, key) is metadata's "labels" or "annotations" map, {} when absent or
# of a wrong type.
metadata_map(metadata, key) := value if {
	is_object(metadata)
	value := metadata[key]
	is_object(value)
} else := {}

# api_group(obj) is the group part of apiVersion: "" for the core group ("v1") and when
# apiVersion is missing.
api_group(obj) := parts[0] if {
	is_string(obj.apiVersion)
	parts := split(obj.apiVersion, "/")
	count(parts) == 2
} else := ""

# A built-in kind matches with its group or without apiVersion (hand-written test objects);
# custom resources must name their group, because kind names collide (Volcano's Job).
# (One function with an else, not two clauses: OPA evaluates every clause of a function, and a
# `not is_string(obj.apiVersion)` clause is undefined, not true, when there is no apiVersion;
# api_group is spelled out rather than called, a call being most of the cost of the check.)
_builtin(obj, groups) := parts[0] in groups if {
	is_string(obj.apiVersion)
	parts := split(obj.apiVersion, "/")
	count(parts) == 2
} else := "" in groups if {
	is_string(obj.apiVersion)
} else := true

# spec_template(obj) is the PodTemplateSpec of a built-in kind that runs one pod template at
# spec.template (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, batch Job),
# when its spec is an object: the template behind pod_templates(obj)'s one entry (path
# "spec.template.spec"), undefined for every other object. For readers that need the template's
# fields and not the entry's container list with paths (the connectivity model builds a workload
# of every such object of its namespaces).
spec_template(obj) := template if {
	# The common apiVersions looked up with the kind, without _builtin's split: the answer is the
	# else's for these (their group is among the kind's groups).
	_spec_template_versions[obj.apiVersion][obj.kind]
	template := obj.spec.template
	is_object(template.spec)
} else := template if {
	_builtin(obj, _spec_template_kinds[obj.kind])
	template := obj.spec.template
	is_object(template.spec)
}

# {apiVersion: {kind: true}} of the usual apiVersions of _spec_template_kinds.
_spec_template_versions := {
	"apps/v1": {"Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true},
	"v1": {"ReplicationController": true},
	"batch/v1": {"Job": true},
}

# The kinds of spec_template: _templated_kinds and batch's Job (whose kind name Volcano shares).
_spec_template_kinds := {
	"Deployment": {"apps", "extensions"},
	"StatefulSet": {"apps"},
	"DaemonSet": {"apps", "extensions"},
	"ReplicaSet": {"apps", "extensions"},
	"ReplicationController": {""},
	"Job": {"batch"},
}

# --- NetworkPolicy -------------------------------------------------------------------------------

# is_network_policy holds for the reviewed object when it is a Kubernetes NetworkPolicy
# (networking.k8s.io, or no apiVersion in a hand-written object): Calico's projectcalico.org/v3
# NetworkPolicy shares the kind but not the schema, and the connectivity model reads it apart.
is_network_policy if {
	kind == "NetworkPolicy"
	_builtin(review_object, {"networking.k8s.io"})
}

# policy_types(policy) is the effective set of policy types of a NetworkPolicy, applying the
# API's defaulting: Ingress always, Egress only when egress rules are present (an empty
# `egress: []` has none: the API counts rules; netpol-analyzer agrees, tests/test_reach_oracle.py).
# Only strings count: callers pass the types to string builtins, and nothing else names a direction.
policy_types(policy) := {t | some t in types; is_string(t)} if {
	types := policy.spec.policyTypes
	is_array(types)
	count(types) > 0
} else := {"Ingress", "Egress"} if {
	egress := policy.spec.egress
	is_array(egress)
	count(egress) > 0
} else := {"Ingress"}

# egress_rules(policy) is the list of egress rules that take effect.
egress_rules(policy) := policy.spec.egress if {
	"Egress" in policy_types(policy)
	is_array(policy.spec.egress)
} else := []

# ingress_rules(policy) is the list of ingress rules that take effect.
ingress_rules(policy) := policy.spec.ingress if {
	"Ingress" in policy_types(policy)
	is_array(policy.spec.ingress)
} else := []

# peers(rule, key) is the rule's `to` or `from` list; [] when absent, which means "everyone".
peers(rule, key) := as_array(field(rule, [key], []))

# ip_blocks(rule, key) is the set of {"index", "cidr", "except"} of the rule's ipBlock peers.
ip_blocks(rule, key) := {{"index": i, "cidr": peer.ipBlock.cidr, "except": excluded} |
	some i, peer in peers(rule, key)
	is_string(peer.ipBlock.cidr)
	excluded := [e | some e in as_array(object.get(peer.ipBlock, "except", [])); is_string(e)]
}

# allows_port(rule, number, names) holds when the rule admits traffic to that port number or
# to a named port in names: no ports, a port entry without a port, the number, or a range.
allows_port(rule, _, _) if count(as_array(field(rule, ["ports"], []))) == 0

allows_port(rule, number, names) if {
	some p in as_array(field(rule, ["ports"], []))
	_port_entry_allows(p, number, names)
}

_port_entry_allows(p, _, _) if {
	is_object(p)
	not "port" in object.keys(p)
}

_port_entry_allows(p, _, _) if {
	is_object(p)
	p.port == null
}

_port_entry_allows(p, number, _) if p.port == number

_port_entry_allows(p, number, _) if {
	is_number(p.port)
	is_number(p.endPort)
	p.port <= number
	number <= p.endPort
}

_port_entry_allows(p, _, names) if {
	is_string(p.port)
	lower(p.port) in names
}

# allows_port_explicitly(rule, number, names) is allows_port without the "every port" cases:
# the rule names this port.
allows_port_explicitly(rule, number, names) if {
	some p in as_array(field(rule, ["ports"], []))
	is_object(p)
	p.port != null
	_port_entry_allows(p, number, names)
}

# denied_directions(policy), for a policy that selects every pod of its namespace and admits
# nothing: {"policyTypes" it denies}; undefined when it selects a subset or has allow rules.
denied_directions(policy) := {t |
	is_object(policy.spec)
	_selects_all(policy.spec.podSelector)
	some t in policy_types(policy)
	count(as_array(object.get(policy.spec, lower(t), []))) == 0
}

_selects_all(selector) if {
	is_object(selector)
	count(object_or_empty(object.get(selector, "matchLabels", {}))) == 0
	count(as_array(object.get(selector, "matchExpressions", []))) == 0
}

# selects_all_pods(policy) holds when the policy's podSelector is empty: every pod.
selects_all_pods(policy) if _selects_all(policy.spec.podSelector)

# --- default deny --------------------------------------------------------------------------------

# default_deny_gaps(policies) is the set of reasons the NetworkPolicies of one namespace (a
# name -> policy object, as in data.inventory) do not add up to an effective default deny:
# a direction no select-all, rule-less policy denies, or a policy that allows every pod all
# traffic in a direction, which cancels the deny (policies add up). Empty: effective.
default_deny_gaps(policies) := {sprintf("no NetworkPolicy with `podSelector: {}` and no rules denies %s", [t]) |
	some t in ["Ingress", "Egress"]
	not t in _denied(policies)
} | {sprintf("NetworkPolicy %v allows all %s traffic for every pod, cancelling the deny", [name, lower(t)]) |
	some name, policy in _as_collection(policies)
	selects_all_pods(policy)
	some t in _allows_all(policy)
}

_as_collection(x) := x if is_object(x)

else := x if is_array(x)

else := []

_denied(policies) := {t |
	some policy in _as_collection(policies)
	some t in denied_directions(policy)
}

# _allows_all(policy) is the set of directions in which one rule admits every peer on every port.
_allows_all(policy) := {"Ingress" |
	some rule in ingress_rules(policy)
	_open_rule(rule, "from")
} | {"Egress" |
	some rule in egress_rules(policy)
	_open_rule(rule, "to")
}

_open_rule(rule, key) if {
	is_object(rule)
	count(peers(rule, key)) == 0
	count(as_array(field(rule, ["ports"], []))) == 0
}

# default_deny_policy(ns) is the NetworkPolicy to add, as one line of YAML for messages.
default_deny_policy(ns) := sprintf(
	concat("", [
		"NetworkPolicy {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: %s, namespace: %s}, ",
		"spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}",
	]),
	[config.value("default_deny_policy_name"), ns],
)

# --- service mesh --------------------------------------------------------------------------------

# mesh_namespace(ns, namespace_labels) holds when pods of ns belong in the Istio mesh: the
# mesh_namespaces parameter lists it (globs), or is empty, meaning every in-scope namespace
# (opting out of a mesh only matters where there is one, so this is strict without noise), or
# the Namespace's labels ask for injection (istio-injection=enabled, istio.io/rev).
mesh_namespace(_, _) if count(as_array(config.value("mesh_namespaces"))) == 0

mesh_namespace(ns, _) if {
	some pattern in as_array(config.value("mesh_namespaces"))
	is_string(pattern)
	glob.match(pattern, [], ns)
}

mesh_namespace(_, namespace_labels) if namespace_labels["istio-injection"] == "enabled"

mesh_namespace(_, namespace_labels) if is_string(namespace_labels["istio.io/rev"])

# cluster_template(obj) holds for cluster-scoped templates of other objects' pods
# (ClusterServingRuntime, ClusterTrainingRuntime, ClusterWorkflowTemplate): no pod runs in their
# own namespace (they have none); their pods run in the namespace of each object that uses them.
cluster_template(obj) if obj.kind in {"ClusterServingRuntime", "ClusterTrainingRuntime", "ClusterWorkflowTemplate"}
