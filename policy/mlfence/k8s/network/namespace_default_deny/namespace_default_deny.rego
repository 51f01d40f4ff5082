# METADATA
# title: Namespace has no effective default-deny NetworkPolicy
# description: >-
#   Without a NetworkPolicy that selects every pod and allows nothing, pods that no other policy
#   selects accept traffic from anywhere and send traffic anywhere. Allow rules only mean
#   something on top of a default deny for both directions, and an allow-all policy for every
#   pod cancels it. A recommendation: whether each workload is isolated is MLF-K8S-009's finding,
#   which a policy selecting the workload satisfies as well.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
# custom:
#   id: MLF-K8S-008
#   long_id: k8s-namespace-default-deny
#   severity: medium
#   target: kubernetes
#   kinds: [Namespace]
#   gatekeeper_enforcement: dryrun
#   recommended_action: >-
#     Add to the namespace a NetworkPolicy `default-deny-all` with `podSelector: {}`,
#     `policyTypes: [Ingress, Egress]` and no ingress or egress rules, then allow what each
#     workload needs (DNS to the cluster DNS first) with further policies.
package mlfence.k8s.network.namespace_default_deny

import data.lib.mlfence.k8s
import data.lib.mlfence.result

# Audit only in Gatekeeper: a new Namespace cannot hold its policies yet. The inventory holds
# the NetworkPolicies Gatekeeper synced, or those scanned together with the Namespace. A warning:
# pods isolated by policies that select them are safe without it (MLF-K8S-009 judges them).
violation contains result.warning(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "Namespace"
	k8s.api_group(k8s.review_object) == "" # the core Namespace, not a kind of that name of another API group
	k8s.name != ""
	not k8s.is_system_namespace(k8s.name)
	gaps := k8s.default_deny_gaps(_policies)
	count(gaps) > 0
	msg := sprintf("Namespace %s has no effective default deny: %s; add %s", [
		k8s.name, concat("; ", sort(gaps)), k8s.default_deny_policy(k8s.name),
	])
}

default _policies := {}

_policies := _inventory.namespace[k8s.name]["networking.k8s.io/v1"].NetworkPolicy

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory
