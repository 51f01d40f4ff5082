# METADATA
# title: Pods handling personal data may send traffic outside the cluster
# description: >-
#   A NetworkPolicy that selects pods labelled as processing personal data (default
#   data-classification=pii) and allows egress with no `to` or to any non-internal ipBlock
#   gives those pods a path to the internet. Policies add up, so one such rule is enough for
#   training data or inference payloads with PII to leave.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
# custom:
#   id: MLF-K8S-007
#   long_id: k8s-netpol-pii-egress-external
#   severity: high
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   kinds: [NetworkPolicy]
#   recommended_action: >-
#     Keep PII pods' egress inside the cluster: `to` entries with podSelector/namespaceSelector
#     or internal CIDRs only. Send data out through a reviewed in-cluster service (an egress
#     gateway or proxy that enforces destinations and logs), never from the PII pods directly.
package mlfence.k8s.network.pii_egress_external

import data.lib.mlfence.config
import data.lib.mlfence.k8s
import data.lib.mlfence.ranges
import data.lib.mlfence.result
import data.lib.mlfence.selector

# A NetworkPolicy whose podSelector pins a PII label.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.is_network_policy
	count(external_egress(k8s.review_object)) > 0 # first: most policies reach nothing outside, then no label is looked up
	some key, value in _pinned_pii(k8s.field(k8s.review_object, ["spec", "podSelector"], null))
	some why in external_egress(k8s.review_object)
	msg := sprintf("NetworkPolicy %s selects pods labelled %s=%s and %s; keep PII pods' egress inside the cluster", [
		k8s.resource, key, value, why,
	])
}

# A workload with PII-labelled pods in a namespace where a NetworkPolicy of the inventory
# selects them and allows external egress (Gatekeeper syncs NetworkPolicies; `mlfence check`
# and conftest --combine index the files scanned together).
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.kind != "NetworkPolicy"
	some pod in k8s.pod_metadata(k8s.review_object)
	labels := k8s.metadata_map(pod.metadata, "labels")
	some key, value in _pii_labels_of(labels)
	some policy_name, policy in _inventory_policies
	selector.matches(k8s.field(policy, ["spec", "podSelector"], null), labels)
	some why in external_egress(policy)
	msg := sprintf(
		"%s runs pods labelled %s=%s (%s) that NetworkPolicy %s selects, and it %s; %s",
		[k8s.resource, key, value, pod.path, policy_name, why, "keep PII pods' egress inside the cluster"],
	)
}

_pii[key] := {v | some v in values} if {
	some key, values in config.value("pii_labels")
	is_array(values)
}

_pii_labels_of(labels) := {key: labels[key] |
	some key, values in _pii
	labels[key] in values
}

_pinned_pii(sel) := {key: value |
	some key, values in _pii
	some value in values
	selector.requires(sel, key, value)
}

default _inventory_policies := {}

_inventory_policies := _inventory.namespace[k8s.namespace]["networking.k8s.io/v1"].NetworkPolicy

# external_egress(policy) is the set of reasons the policy lets its pods reach beyond the
# cluster: an egress rule with no `to`, or an ipBlock that is not internal (its `except`
# entries still leave the rest of the block reachable).
external_egress(policy) := {sprintf("egress rule %d has no `to`, so it reaches every destination", [i]) |
	some i, rule in k8s.egress_rules(policy)
	is_object(rule)
	count(k8s.peers(rule, "to")) == 0
} | {sprintf("egress rule %d allows ipBlock %s outside the cluster", [i, block.cidr]) |
	some i, rule in k8s.egress_rules(policy)
	is_object(rule)
	some block in k8s.ip_blocks(rule, "to")
	not ranges.egress_class(block.cidr).class in {"internal", "invalid", "link_local", "loopback"}
}

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory
