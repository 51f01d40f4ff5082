# METADATA
# title: Pod uses the node's network namespace
# description: >-
#   A pod with hostNetwork: true shares the node's network stack: NetworkPolicies do not apply
#   to it, it can bind node ports and reach everything the node reaches, including the cloud
#   metadata endpoint. A training or serving pod never needs it.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
# custom:
#   id: MLF-K8S-002
#   long_id: k8s-pod-host-network
#   severity: high
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   recommended_action: >-
#     Remove `hostNetwork: true` (or set it to false). Expose the workload through a Service and
#     reach node-local agents through their Service or a hostPort-free DaemonSet endpoint.
package mlfence.k8s.pod.host_network

import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	some pod in k8s.pod_specs(k8s.review_object)
	pod.spec.hostNetwork == true
	msg := sprintf("%s sets %s.hostNetwork: true, which bypasses every NetworkPolicy", [k8s.resource, pod.path])
}
