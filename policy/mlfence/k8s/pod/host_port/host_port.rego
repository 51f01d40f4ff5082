# METADATA
# title: Container binds a port on the node (hostPort)
# description: >-
#   A hostPort publishes the container on the node's address. Traffic to it arrives through
#   the node, where many CNIs' port mapping bypasses NetworkPolicy, and it exposes the workload
#   wherever the node is reachable: a model server or debug port becomes a node service.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
# custom:
#   id: MLF-K8S-010
#   long_id: k8s-pod-host-port
#   severity: medium
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   recommended_action: >-
#     Remove `hostPort` and keep only `containerPort`; expose the workload through a ClusterIP
#     Service (and an ingress gateway if it must be reached from outside).
package mlfence.k8s.pod.host_port

import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	some c in k8s.pod_containers(k8s.review_object)
	some j, port in k8s.as_array(k8s.field(c.container, ["ports"], []))
	is_number(port.hostPort)
	port.hostPort > 0
	msg := sprintf("%s sets %s.ports[%d].hostPort: %v, which publishes the container on the node's address", [
		k8s.resource, c.path, j, port.hostPort,
	])
}
