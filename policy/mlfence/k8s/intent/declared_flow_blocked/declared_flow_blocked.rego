# METADATA
# title: Declared flow blocked by the NetworkPolicies
# description: >-
#   The settings declare a flow from this workload's component to another component (`flows.allow`
#   in .mlfence.yaml), but the NetworkPolicies in the inventory do not let this workload reach a
#   workload of that component on the declared ports: the pipeline or service that depends on it
#   will fail, or the declaration is out of date.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
# custom:
#   id: MLF-K8S-061
#   long_id: k8s-declared-flow-blocked
#   severity: medium
#   target: kubernetes
#   kind_groups: [running-workloads]
#   kinds: [Sandbox]
#   recommended_action: >-
#     Allow the flow in both directions: an egress rule on the source's policy and an ingress rule
#     on the destination's (the message names the isolating policies), or remove the declaration.
package mlfence.k8s.intent.declared_flow_blocked

import data.lib.mlfence.intent
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# A warning: a blocked flow breaks the platform, it does not expose it.
violation contains result.warning(rego.metadata.chain(), k8s.resource, msg) if {
	some msg in intent.blocked_messages
}
