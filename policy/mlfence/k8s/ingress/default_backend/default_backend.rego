# METADATA
# title: Ingress sets a default backend
# description: >-
#   spec.defaultBackend receives every request that matches no rule: any Host, any path. The
#   service behind it becomes the answer to every scanner that reaches the controller, and
#   unmatched paths of the published hosts fall through to it as well.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/ingress/#default-backend
# custom:
#   id: MLF-K8S-039
#   long_id: k8s-ingress-default-backend
#   severity: medium
#   target: kubernetes
#   kinds: [Ingress]
#   recommended_action: >-
#     Remove spec.defaultBackend and route explicit hosts and paths in spec.rules; leave unmatched
#     requests to the controller's own 404 backend.
package mlfence.k8s.ingress.default_backend

import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	exposure.is_ingress(k8s.review_object)

	# networking.k8s.io/v1 calls it defaultBackend; the removed v1beta1 API called it backend.
	some field in ["defaultBackend", "backend"]
	backend := k8s.review_object.spec[field]
	is_object(backend)
	msg := sprintf(
		"Ingress %s sets spec.%s (%s), which receives every request no rule matches; %s",
		[k8s.resource, field, _target(backend), "remove it and route explicit hosts and paths"],
	)
}

_target(backend) := sprintf("service %v", [backend.service.name]) if {
	backend.service.name
} else := sprintf("service %v", [backend.serviceName]) if {
	backend.serviceName
} else := sprintf("%v %v", [backend.resource.kind, backend.resource.name]) if {
	backend.resource.kind
} else := "a backend"
