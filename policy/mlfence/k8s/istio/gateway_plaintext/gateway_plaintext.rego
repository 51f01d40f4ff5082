# METADATA
# title: Istio Gateway serves plain HTTP
# description: >-
#   A Gateway server on protocol HTTP without tls.httpsRedirect serves the published routes
#   unencrypted at the edge: prompts, predictions, tokens and notebook sessions can be read and
#   altered on the way, and clients are never sent to HTTPS. The rule fails when the server is
#   reachable from outside: a Service selecting the gateway pods is of type LoadBalancer or
#   NodePort, has externalIPs, or is an Ingress backend, on the server's port. A gateway behind
#   ClusterIP Services only (cluster-local gateways, where the mesh's mTLS carries the traffic)
#   passes, and without such a Service in the input the verdict is unknown. Cross-object by
#   design: the Gateway alone never proves exposure, so conftest without --combine reports it
#   "not judged".
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
# custom:
#   id: MLF-K8S-050
#   long_id: k8s-istio-gateway-plaintext
#   severity: medium
#   target: kubernetes
#   kinds: [Gateway]
#   platform: >-
#     Istio Gateway (networking.istio.io); its selector picks gateway pods in every namespace
#     (PILOT_SCOPE_GATEWAY_TO_NAMESPACE off by default), and a server port equal to a Service port
#     listens on that port's targetPort (Istio's gateway port translation; Services labelled
#     experimental.istio.io/disable-gateway-port-translation take no part)
#   verified_against:
#     - repo: istio/istio
#       path: pilot/pkg/model/gateway.go
#       commit: ee3833fe886eb0eabb526348b78a62c98183a32a
#       version: release not established (index commit)
#       facts: >-
#         resolvePorts: for label-selected gateways a server port equal to a Service port of the
#         gateway workload listens on that port's targetPort (first match), Services labelled
#         experimental.istio.io/disable-gateway-port-translation skipped; no match listens on the number
#     - repo: istio/istio
#       path: pilot/pkg/features/pilot.go
#       commit: 00aecd27
#       version: release not established (index commit)
#       facts: >-
#         PILOT_SCOPE_GATEWAY_TO_NAMESPACE defaults to false: a gateway workload selects Gateway
#         resources of every namespace
#     - repo: kubeflow/manifests
#       path: common/istio/istio-install/base/install.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: Istio 1.29.1 istio-ingress chart
#       facts: >-
#         istio-ingressgateway Service type LoadBalancer, ports 80 -> 8080 and 443 -> 8443 (Kubeflow's
#         base kustomization renders it ClusterIP)
#     - repo: kubeflow/manifests
#       path: common/knative/knative-serving/base/upstream/net-istio.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: Knative net-istio 1.21.1
#       facts: >-
#         knative-local-gateway Service type ClusterIP, port 80 -> 8081, labelled
#         experimental.istio.io/disable-gateway-port-translation
#   recommended_action: >-
#     Serve HTTPS (protocol HTTPS with tls.mode SIMPLE and a credentialName) and keep port 80 only
#     with tls.httpsRedirect: true.
package mlfence.k8s.istio.gateway_plaintext

import data.lib.mlfence.gateway_exposure
import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	some found in _plain_servers
	found.published.state == "published"
	msg := sprintf(
		"Gateway %s servers[%d] serves %s on port %v %s and is published by %s; %s",
		[k8s.resource, found.index, found.protocol, found.port, _plain, concat(", ", found.published.by), _fix],
	)
}

# Without the Service in front of the gateway pods nobody can tell whether the plain listener
# faces the outside: unknown, never a claim that it is published.
violation contains result.unknown(rego.metadata.chain(), k8s.resource, msg) if {
	some found in _plain_servers
	found.published.state == "unknown"
	msg := sprintf(
		"Gateway %s servers[%d] serves %s on port %v %s; whether it is published is unknown: %s; %s",
		[k8s.resource, found.index, found.protocol, found.port, _plain, found.published.why, _fix],
	)
}

_plain_servers contains {"index": pair[0], "protocol": upper(protocol), "port": port, "published": published} if {
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "Gateway")
	some pair in istio.object_items(k8s.field(obj, ["spec", "servers"], []))
	server := pair[1]
	protocol := k8s.field(server, ["port", "protocol"], "")
	is_string(protocol)
	upper(protocol) in {"HTTP", "HTTP2", "GRPC"}
	k8s.field(server, ["tls", "httpsRedirect"], false) != true
	port := k8s.field(server, ["port", "number"], "?")
	published := gateway_exposure.server_publication(obj, server)
}

_plain := "without TLS or an HTTPS redirect"

_fix := "serve HTTPS with a credentialName, or set tls.httpsRedirect: true"
