# METADATA
# title: Workload pods not isolated for ingress or egress
# description: >-
#   A pod that no NetworkPolicy selects for a direction (policyTypes, with the API's defaulting)
#   accepts, or sends, any traffic in that direction; so does one whose selecting policy admits
#   every peer on every port (`ingress: [{}]`). A training job or model server deployed that way
#   is reachable from every pod in the cluster, or can reach the internet.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
# custom:
#   id: MLF-K8S-009
#   long_id: k8s-workload-default-deny
#   severity: high
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   kinds: [Sandbox, SandboxTemplate]
#   recommended_action: >-
#     Isolate the pods in both directions: a NetworkPolicy that selects them with
#     `policyTypes: [Ingress, Egress]` and only the rules they need (a chart can ship its own), or
#     the namespace's default deny `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy,
#     metadata: {name: default-deny-all, namespace: <namespace>}, spec: {podSelector: {},
#     policyTypes: [Ingress, Egress]}}` plus policies that allow what the workload needs (DNS to
#     the cluster DNS, its callers, its dependencies).
package mlfence.k8s.network.workload_default_deny

import data.lib.mlfence.connectivity
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# Objects created by a controller (ownerReferences) are skipped: their owner was checked.
# Cluster-wide templates and fragments run no pods of their own (connectivity.workload_entries).
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	_checked
	k8s.namespace != ""
	count(_undecided) == 0
	msg := sprintf(
		_deny_text,
		[k8s.resource, concat("; ", _gaps), k8s.default_deny_policy(k8s.namespace)],
	)
}

# A manifest without a namespace (a kustomize base, a chart rendered without one) lands in the
# namespace it is applied to, together with the policies written beside it: those isolate it, or
# the namespace's own policies may, which only the rendered tree shows.
violation contains result.unknown(rego.metadata.chain(), k8s.resource, msg) if {
	_checked
	k8s.namespace == ""
	msg := sprintf(
		_unknown_text,
		[k8s.resource, concat("; ", _gaps)],
	)
}

# A Cilium rule whose endpointSelector the model cannot read (reserved: or other label sources)
# may isolate the pods: the finding is unknown, naming it, rather than a failure.
violation contains result.unknown(rego.metadata.chain(), k8s.resource, msg) if {
	_checked
	k8s.namespace != ""
	count(_undecided) > 0
	msg := sprintf(
		"%s runs pods that no policy the model can read isolates: %s; whether %s select them is unknown",
		[k8s.resource, concat("; ", _gaps), concat(", ", sort(_undecided))],
	)
}

# Only a Cilium rule can be undecided: with no policy of any dialect in the namespace or cluster-wide
# (nothing synced included) there is none to look up.
default _undecided := set()

_undecided := connectivity.cilium_undecided(k8s.namespace) if not connectivity.dialects_absent(k8s.namespace)

_checked if {
	k8s.in_scope
	count(k8s.as_array(k8s.field(k8s.review_object, ["metadata", "ownerReferences"], []))) == 0
	count(_gaps) > 0
}

# One text per pod template and open direction, sorted. With nothing synced (a sidecar fed no
# inventory) no policy of any dialect exists: both directions of every workload are open, the same
# texts without the lookups and without the entries' labels and ports, which only they read.
_gaps := sort([_unselected_text(t.path, direction) |
	some t in connectivity.workload_templates(k8s.review_object)
	some direction in ["Ingress", "Egress"]
]) if {
	connectivity.nothing_synced
} else := sort([gap |
	some w in connectivity.workload_entries(k8s.review_object, k8s.namespace)
	some gap in _open(w)
])

# A direction is isolated by a selecting NetworkPolicy or Cilium rule (CiliumNetworkPolicy of the
# namespace, CiliumClusterwideNetworkPolicy), or by an Admin or Baseline tier policy that denies
# every peer it does not allow (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
# ClusterNetworkPolicy), read from the inventory.
_open(w) := {_text(w, direction, isolating, open) |
	isolated := connectivity.isolation(w.labels, _policies)
	some direction in ["Ingress", "Egress"]
	isolating := _isolating(w, isolated, direction)
	open := _admitting_everyone(w, isolating, direction)
	_is_open(isolating, open)
}

# The rules that admit everyone matter only where something isolates: a direction nothing
# isolates is open whatever they say, and a scan judges many such pods.
_admitting_everyone(w, isolating, direction) := set() if {
	count(isolating) == 0
} else := connectivity.open_rules(w.labels, _policies, direction) if {
	connectivity.dialects_absent(w.namespace)
} else := connectivity.open_rules(w.labels, _policies, direction) | connectivity.cilium_open(w, direction)

# Without a dialect policy in the workload's namespace or cluster-wide, only the NetworkPolicies
# can isolate it: the dialect lookups are skipped (they would all be empty).
_isolating(w, isolated, direction) := isolated[direction] if {
	connectivity.dialects_absent(w.namespace)
} else := union({
	isolated[direction],
	connectivity.cilium_isolating(w, direction),
	connectivity.anp_isolating(w, direction),
	connectivity.calico_isolating(w, direction),
})

_is_open(isolating, _) if count(isolating) == 0

_is_open(_, open) if count(open) > 0

_text(w, direction, isolating, open) := sprintf("%s: no network policy selects them for %s", [
	_where(w),
	direction,
]) if {
	count(isolating) == 0
} else := sprintf("%s: %s admits every %s on every port", [
	_where(w), concat(", ", sort(open)), _peer_word[direction],
])

_peer_word := {"Ingress": "source", "Egress": "destination"}

# _unselected_text(path, direction) is _text's text for a direction nothing isolates, written out:
# the sidecar's path (nothing synced) builds it for every template without _text's two calls.
_unselected_text(path, direction) := concat("", ["pods of ", path, ": no network policy selects them for ", direction])

_where(w) := sprintf("pods of %s", [w.path])

# The inventory holds the NetworkPolicies Gatekeeper synced, or those scanned together with the
# object; manifests without a namespace pair with the policies written beside them without one,
# which the CLI and conftest adapters index as cluster-scoped.
default _policies := {}

_policies := _inventory.namespace[k8s.namespace]["networking.k8s.io/v1"].NetworkPolicy if k8s.namespace != ""

_policies := _inventory.cluster["networking.k8s.io/v1"].NetworkPolicy if k8s.namespace == ""

default _inventory := {}

_inventory := data.inventory

_deny_text := concat("", [
	"%s runs pods that are not isolated: %s; add a NetworkPolicy selecting them with policyTypes ",
	"[Ingress, Egress], or %s",
])

_unknown_text := concat("", [
	"%s has no namespace and the policies beside it leave its pods open: %s; whether the namespace ",
	"it is applied to isolates them is known only after rendering",
])
