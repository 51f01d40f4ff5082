# METADATA
# title: Flow the declared segmentation does not allow
# description: >-
#   The settings declare the platform's components and the flows allowed between them (the
#   `flows:` section of .mlfence.yaml). This workload, or the pods this NetworkPolicy selects,
#   can reach or be reached by a component's workload on ports no declared flow allows, or can
#   reach (or be reached from) addresses outside the cluster its component does not allow, as
#   the connectivity model computes it from the NetworkPolicies in the inventory. A training job
#   that can reach the model registry, or an inference pod reachable from outside the gateway,
#   is exactly the path the segmentation was meant to close.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
# custom:
#   id: MLF-K8S-060
#   long_id: k8s-undeclared-flow
#   severity: high
#   target: kubernetes
#   kind_groups: [running-workloads]
#   kinds:
#     - Sandbox
#     - NetworkPolicy
#     - CiliumNetworkPolicy
#     - CiliumClusterwideNetworkPolicy
#     - AdminNetworkPolicy
#     - BaselineAdminNetworkPolicy
#     - ClusterNetworkPolicy
#     - GlobalNetworkPolicy
#   recommended_action: >-
#     Narrow the NetworkPolicy that allows the flow (the message names it) to the declared peers
#     and ports, isolate the direction that no policy isolates, or, when the flow is intended,
#     declare it under `flows.allow` in .mlfence.yaml.
package mlfence.k8s.intent.undeclared_flow

import data.lib.mlfence.intent
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# The flows are computed on the inventory with the reviewed object in it (lib.mlfence.intent).
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	some msg in intent.undeclared_messages
}
