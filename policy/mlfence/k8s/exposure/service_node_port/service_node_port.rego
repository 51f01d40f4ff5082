# METADATA
# title: Service opens a port on every node
# description: >-
#   A Service of type NodePort listens on every node's address, so the workload is reachable by
#   anything that can reach a node: other VPC tenants, peered networks, or the internet when
#   nodes have public IPs. Node ports also slip past load balancer source ranges and WAFs.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
# custom:
#   id: MLF-K8S-031
#   long_id: k8s-service-node-port
#   severity: medium
#   target: kubernetes
#   kinds: [Service]
#   recommended_action: >-
#     Use type ClusterIP and reach the workload through the approved ingress or edge gateway; if
#     this Service is that gateway, list it in the edge_gateways parameter.
package mlfence.k8s.exposure.service_node_port

import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "Service"
	obj := k8s.review_object
	k8s.api_group(obj) == ""
	obj.spec.type == "NodePort"
	not exposure.edge_gateway(obj, k8s.namespace)
	msg := sprintf(
		"Service %s has type NodePort, which opens %s on every node; %s",
		[k8s.resource, _ports(obj), "use type ClusterIP behind the approved ingress or edge gateway"],
	)
}

_ports(obj) := sprintf("node port(s) %s", [concat(", ", [sprintf("%v", [p.nodePort]) |
	some p in obj.spec.ports
	p.nodePort != null
])]) if {
	some p in obj.spec.ports
	p.nodePort != null
} else := "a node port"
