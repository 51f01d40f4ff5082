# METADATA
# description: |
#   The connectivity model of core Kubernetes NetworkPolicy over a set of objects in Gatekeeper's
#   data.inventory shape ({"namespace": {ns: {apiVersion: {kind: {name: obj}}}}, "cluster": ...}),
#   which Gatekeeper syncs and the CLI and conftest adapters build from what they scan. For every
#   workload (every pod template lib.mlfence.k8s knows, plus agent-sandbox Sandbox and
#   SandboxTemplate) it says which policies select it, whether each direction is isolated, and
#   which workloads and address blocks it may reach or be reached from, on which ports, allowed
#   by which policies. Policies only select pods of their own namespace, so selection is
#   computed per namespace (no join across namespaces); only peers with a namespaceSelector look
#   beyond it. Objects without a namespace (a kustomize base, a chart rendered without one) form
#   the pseudo-namespace "" together with the policies written beside them: their namespace is
#   known only after rendering, and the model says so (namespace_known: false).
package lib.mlfence.connectivity

import data.lib.mlfence.k8s
import data.lib.mlfence.selector

# --- pure helpers: also used at admission, where the reviewed object is not in the inventory -----

# protocols NetworkPolicy knows; a port entry without a protocol means TCP.
protocols := ["TCP", "UDP", "SCTP"]

# all_ports is every port of every protocol: what an unisolated direction or a rule without
# `ports` allows.
all_ports := [{"protocol": p, "from": 1, "to": 65535} | some p in protocols]

# policy_types(policy) is the effective policy types, with the API server's defaulting
# (lib.mlfence.k8s: an empty `egress: []` does not make an egress policy).
policy_types(policy) := k8s.policy_types(policy)

# pod_selector(policy) is the policy's podSelector; an absent or null one is the empty selector,
# which is what the API server stores for it (every pod of the namespace).
pod_selector(policy) := policy.spec.podSelector if {
	is_object(policy.spec.podSelector)
} else := {} if {
	is_object(policy.spec)
	object.get(policy.spec, "podSelector", null) == null
}

# selects(policy, labels) holds when the policy applies to pods with these labels.
selects(policy, labels) if selector.matches(pod_selector(policy), labels)

_direction_key := {"Ingress": "ingress", "Egress": "egress"}

_peer_key := {"Ingress": "from", "Egress": "to"}

# rules_of(policy, direction) is the policy's rules for "Ingress" or "Egress", [] when the policy
# does not list that type (its rules are then ignored, as the API server ignores them).
# (The rules are read with one comprehension, not as_array(object.get(...)): a call per lookup.)
rules_of(policy, direction) := [r | is_array(policy.spec[key]); some r in policy.spec[key]] if {
	direction in k8s.policy_types(policy)
	is_object(policy.spec)
	key := _direction_key[direction]
} else := []

# isolation(labels, policies) is, for pods with these labels and the NetworkPolicies of their
# namespace (a name -> policy object, as in data.inventory, or a list), {direction: {names of
# the selecting policies that list the direction}}: a direction is isolated when that set is
# not empty.
isolation(labels, policies) := {direction: {_name(p) |
	some p in _collection(policies)
	is_object(p)
	selects(p, labels)
	direction in k8s.policy_types(p)
} |
	some direction in ["Ingress", "Egress"]
}

# open_rules(labels, policies, direction) is the set of "policy rule i" texts of selecting
# policies whose rule admits every peer on every port (`ingress: [{}]`): a direction isolated
# by such a policy is as open as an unisolated one.
open_rules(labels, policies, direction) := {sprintf("%s rule %d", [_name(p), i]) |
	some p in _collection(policies)
	is_object(p)
	selects(p, labels)
	some i, rule in rules_of(p, direction)
	_admits_everyone(rule, direction)
}

_admits_everyone(rule, direction) if {
	is_object(rule)
	count(k8s.as_array(object.get(rule, _peer_key[direction], []))) == 0
	count(k8s.as_array(object.get(rule, "ports", []))) == 0
}

_admits_everyone(null, _)

_collection(x) := x if is_object(x)

else := x if is_array(x)

else := []

_name(p) := p.metadata.name if is_string(p.metadata.name)

else := "(unnamed)"

# --- workloads --------------------------------------------------------------------------------

# Templates that stand for pods in whatever namespace uses them: no pod runs in their own.
_cluster_templates := {"ClusterServingRuntime", "ClusterTrainingRuntime", "ClusterWorkflowTemplate"}

# pod_templates(obj) is lib.mlfence.k8s's pod templates plus agent-sandbox's Sandbox and
# SandboxTemplate (spec.podTemplate).
# (Most kinds are no Sandbox: their templates are k8s's as they are, without a union with an empty set.)
pod_templates(obj) := k8s.pod_templates(obj) if {
	not _sandbox_groups[obj.kind]
} else := k8s.pod_templates(obj) | _sandbox(obj)

_sandbox_groups := {"Sandbox": "agents.x-k8s.io", "SandboxTemplate": "extensions.agents.x-k8s.io"}

_sandbox(obj) := {e |
	group := _sandbox_groups[obj.kind] # a lookup first: most kinds are no Sandbox
	k8s.api_group(obj) == group
	template := obj.spec.podTemplate
	is_object(template)
	is_object(template.spec)
	e := {
		"path": "spec.podTemplate.spec", "spec": template.spec,
		"metadata": k8s.object_or_empty(object.get(template, "metadata", {})),
		"metadata_path": "spec.podTemplate.metadata", "partial": false,
		"containers": {{"path": sprintf("spec.podTemplate.spec.%s[%d]", [list, i]), "container": c} |
			some list in ["containers", "initContainers"]
			some i, c in k8s.as_array(template.spec[list])
			is_object(c)
		},
	}
} if {
	is_object(obj)
	is_string(obj.kind)
} else := set()

# workload_entries(obj, ns) is the set of workloads (one per full pod template) an object runs
# in namespace ns ("" when unknown): {"id", "resource", "namespace", "namespace_known", "kind",
# "name", "path", "labels", "ports"}. Partial templates (overrides, patches, runtimes merged into
# other objects' pods) and cluster-wide templates run no pods of their own.
workload_entries(obj, ns) := {{
	"id": resource,
	"resource": resource,
	"namespace": ns,
	"namespace_known": ns != "",
	"kind": obj.kind,
	"name": name,
	"path": "spec.template.spec",
	"labels": object.get({false: {}}, is_object(labels), labels),
	"ports": object.union_n([{p.name: {"port": p.containerPort, "protocol": _protocol(p)}} |
		some c in _containers_of(template.spec)
		ports := c.ports
		is_array(ports)
		some p in ports
		is_string(p.name)
		is_number(p.containerPort)
	]),
	"service_account": object.get({null: "default"}, account, account),
}} if { # The built-in kinds with one pod template at spec.template (most workloads of a cluster): the
	# entry read from the template itself, without building pod_templates' entry (each container
	# with its path) or calling pod_labels and _named_ports, whose answers for these kinds it
	# spells out; _template_entries gives the same set (connectivity_test.rego compares them).
	template := k8s.spec_template(obj)
	raw_name := object.get(obj, ["metadata", "name"], "")
	name := object.get({null: ""}, raw_name, raw_name)
	resource := sprintf("%s/%s/%s", [ns, obj.kind, name])
	labels := object.get(template, ["metadata", "labels"], {})
	account := object.get(template.spec, "serviceAccountName", null)
} else := _template_entries(obj, ns)

# _containers_of(spec) is the set of a pod spec's containers, init and ephemeral containers: a set,
# as pod_templates' container entries are (ordered by container first), so that the named ports'
# union meets the containers in the same order on both paths.
_containers_of(spec) := {c |
	some list in ["containers", "initContainers", "ephemeralContainers"]
	cs := spec[list]
	is_array(cs)
	some c in cs
	is_object(c)
}

# _template_entries(obj, ns) is workload_entries(obj, ns) from pod_templates: every kind.
_template_entries(obj, ns) := {{
	"id": id,
	"resource": resource,
	"namespace": ns,
	"namespace_known": ns != "",
	"kind": obj.kind,
	"name": name,
	"path": t.path,
	"labels": pod_labels(obj, t),
	"ports": _named_ports(t),
	"service_account": k8s.field(t.spec, ["serviceAccountName"], "default"),
} |
	# One comprehension, the object's name and resource read once for all its templates: every
	# workload of the model's namespaces is built here. (workload_templates(obj) written out: a
	# call per object costs more than its two tests.)
	is_object(obj)
	not obj.kind in _cluster_templates
	full := [t | some t in pod_templates(obj); not t.partial]
	count(full) > 0
	several := count(full) > 1

	# k8s.field(obj, ["metadata", "name"], "") without the call: "" when absent or null.
	raw_name := object.get(obj, ["metadata", "name"], "")
	name := object.get({null: ""}, raw_name, raw_name)
	resource := sprintf("%s/%s/%s", [ns, obj.kind, name])
	some t in full

	# resource, or resource#role when the object runs several pod templates; without a call.
	id := concat("#", array.concat([resource], [_role(t.path) | several]))
}

# workload_templates(obj) is the full pod templates behind workload_entries(obj, _), one per workload.
workload_templates(obj) := [t | some t in pod_templates(obj); not t.partial] if {
	is_object(obj)
	not obj.kind in _cluster_templates
} else := []

# _role(path) is a template's place without the boilerplate around it: "pytorchReplicaSpecs.Worker",
# "workerGroupSpecs[0]", "predictor".
_role(path) := trim_suffix(trim_suffix(trim_prefix(path, "spec."), ".spec"), ".template")

# pod_labels(obj, template) is the labels its pods carry: the template's, plus those the
# controllers add that policies commonly select on (KServe copies the object's labels and names
# the service; the training operator names the job and replica type; KubeRay the cluster and
# node type; a bare Pod is its own template).
# Most workloads are none of those: their labels are the template's as they are, found in this
# one call (each helper call costs more than the tests it makes; every workload of the model's
# namespaces is built), without the controllers' cases tried and merged in.
pod_labels(obj, t) := t.metadata.labels if {
	not obj.kind in _labelling_kinds
	not contains(t.path, "ReplicaSpecs")
	is_object(t.metadata.labels)
} else := {} if {
	not obj.kind in _labelling_kinds
	not contains(t.path, "ReplicaSpecs")
} else := object.union(_controller_labels(obj, t), _template_labels(t))

# The kinds _controller_labels names; its other case is a template under "<x>ReplicaSpecs".
_labelling_kinds := {"InferenceService", "RayCluster"}

_template_labels(t) := t.metadata.labels if is_object(t.metadata.labels)

else := {}

_controller_labels(obj, t) := object.union(k8s.labels(obj), {
	"serving.kserve.io/inferenceservice": obj.metadata.name,
	"component": split(t.path, ".")[1],
}) if {
	obj.kind == "InferenceService"
	is_string(obj.metadata.name)
} else := {
	"training.kubeflow.org/job-name": obj.metadata.name,
	"training.kubeflow.org/replica-type": lower(split(t.path, ".")[2]),
} if {
	startswith(t.path, "spec.")
	endswith(split(t.path, ".")[1], "ReplicaSpecs")
	is_string(obj.metadata.name)
} else := {"ray.io/cluster": obj.metadata.name, "ray.io/node-type": _ray_node_type(t.path)} if {
	obj.kind == "RayCluster"
	is_string(obj.metadata.name)
} else := {}

_ray_node_type(path) := "head" if contains(path, "headGroupSpec")

else := "worker"

# _named_ports(t) is {name: {"port", "protocol"}} of the template's containers' named ports, which
# a NetworkPolicy port given by name resolves against (on the destination pod).
# (The ports are read without k8s.field and k8s.as_array: a call costs more than the tests it
# makes, and every workload of the model goes through here.)
_named_ports(t) := object.union_n([{p.name: {"port": p.containerPort, "protocol": _protocol(p)}} |
	some c in t.containers
	ports := c.container.ports
	is_array(ports)
	some p in ports
	is_string(p.name)
	is_number(p.containerPort)
])

_protocol(p) := upper(p.protocol) if is_string(p.protocol)

else := "TCP"

# _own_labels(obj) is k8s.labels(obj): the object's labels, {} when absent or not a map.
_own_labels(obj) := obj.metadata.labels if is_object(obj.metadata.labels)

else := {}

# --- the policy kinds of the dialects, read straight from the inventory ---------------------------

# _policy_groups is data.inventory's {ns: {apiVersion: {kind: {name: obj}}}} ("" for objects without
# a namespace), read here rather than through the model's reader of the inventory
# (connectivity_model.rego), so that a rule asking only whether policies isolate a pod
# (MLF-K8S-009) does not make Gatekeeper sync every workload kind.
_policy_groups[ns] := groups if {
	is_object(_raw_inventory.namespace) # not k8s.object_or_empty: see connectivity_model.rego's _groups
	some ns, groups in _raw_inventory.namespace
	is_object(groups)
}

_policy_groups[""] := _raw_inventory.cluster if is_object(_raw_inventory.cluster)

# _groups_of(ns) is namespace ns's groups ("" the cluster-scoped objects). A lookup: passing the
# whole _policy_groups to object.get builds it for every namespace, and a scan evaluates the
# rules once per document (`with input`), so a walk over all namespaces per workload made the
# scan quadratic in the number of namespaces.
_groups_of(ns) := groups if {
	groups := _policy_groups[ns]
} else := {}

# nothing_synced holds when the inventory holds no object at all, as in a sidecar nobody feeds
# cluster state: every policy lookup of every dialect is then empty, so a rule may skip them (at
# admission, finding nothing in the Cilium, admin-tier and Calico lookups cost MLF-K8S-009 about
# 3,000 allocations, most of a Deployment's decision; bench/README.md section 3).
# Exactly count(_policy_groups) == 0, without building _policy_groups: a scan asks this once per
# workload (`with input` per document), and counting built the table of every namespace each
# time (bench corpus, 425 namespaces: a quarter of the scan's evaluation; bench/README.md
# section 15).
nothing_synced if {
	not _some_namespace_groups
	not _cluster_synced # through a rule: `not is_object(x)` of an undefined x is never true
}

_cluster_synced if is_object(_raw_inventory.cluster)

_some_namespace_groups if {
	is_object(_raw_inventory.namespace)
	some groups in _raw_inventory.namespace
	is_object(groups)
}

# dialects_absent(ns) holds when neither namespace ns nor the cluster scope ("") holds an object of
# an API group of the dialects (Cilium, Calico, the admin tiers): every dialect lookup for the
# workloads of ns (cilium_*, calico_*, anp_*) is then empty, and a rule may skip them. One walk
# over the few API versions of two groups, where the lookups walk them once per dialect and
# direction: about 9% of a Pod's evaluation in a scan without dialect policies (bench/README.md
# section 14).
dialects_absent(ns) if {
	not _dialect_group_in(_groups_of(ns))
	not _dialect_group_in(_groups_of(""))
}

_dialect_group_in(groups) if {
	some version, _ in groups
	split(version, "/")[0] in _dialect_groups
}

# The API groups whose policies connectivity_cilium.rego, connectivity_calico.rego and
# connectivity_anp.rego read (a version without a group counts too: a conservative answer).
_dialect_groups := {"cilium.io", "projectcalico.org", "crd.projectcalico.org", "policy.networking.k8s.io"}

default _raw_inventory := {}

_raw_inventory := data.inventory if is_object(data.inventory)

# namespace_labels_of(ns) is the labels of namespace ns (its Namespace object's, when the inventory
# holds it, plus kubernetes.io/metadata.name), as `namespaces` has them.
namespace_labels_of(ns) := selector.namespace_labels(ns, k8s.labels(obj)) if {
	obj := _raw_inventory.cluster.v1.Namespace[ns]
	is_object(obj)
} else := selector.namespace_labels(ns, {})
