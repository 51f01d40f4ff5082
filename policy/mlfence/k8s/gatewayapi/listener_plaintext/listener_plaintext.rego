# METADATA
# title: Gateway API Gateway serves plain HTTP on a public listener
# description: >-
#   A Gateway (gateway.networking.k8s.io) listener with protocol HTTP terminates no TLS: on a
#   Gateway whose load balancer is public, prompts, predictions, tokens and notebook sessions
#   cross the internet unencrypted and can be read and altered.
# related_resources:
#   - ref: https://gateway-api.sigs.k8s.io/reference/spec/#gateway.networking.k8s.io/v1.Listener
#   - ref: https://gateway-api.sigs.k8s.io/guides/tls/
# custom:
#   id: MLF-K8S-053
#   long_id: k8s-gatewayapi-listener-plaintext
#   severity: medium
#   target: kubernetes
#   kinds: [Gateway]
#   platform: >-
#     Gateway API v1.1.0-v1.6.3, read in both releases (Listener.protocol HTTP/HTTPS/TLS,
#     spec.infrastructure); Kubeflow's manifests install no Gateway API CRDs
#   verified_against:
#     - repo: kubernetes-sigs/gateway-api
#       path: apis/v1/gateway_types.go, apis/v1/shared_types.go, pkg/consts/consts.go
#       commit: >-
#         not recorded (module zip sigs.k8s.io/gateway-api@v1.1.0 from the Go module proxy,
#         h1:DsLDXCi6jR+Xz8/xd0Z1PYl2Pn0TyaFMOPPZIj4inDM=)
#       version: Gateway API v1.1.0 (BundleVersion v1.1.0 in pkg/consts/consts.go)
#       facts: >-
#         Listener.hostname: "When unspecified, all hostnames are matched", `*.` is a suffix match;
#         allowedRoutes defaults to {namespaces: {from: Same}}; tls must not be set for HTTP, TCP,
#         UDP; HTTPS tls mode is Terminate; Passthrough serves TLSRoutes; spec.infrastructure
#         exists; Hostname has MinLength 1 and a pattern with at most a leading `*.` label, so ""
#         and a bare "*" are refused
#     - repo: kubernetes-sigs/gateway-api
#       path: apis/v1/gateway_types.go, apis/v1/shared_types.go, pkg/consts/consts.go
#       commit: >-
#         not recorded (module zip sigs.k8s.io/gateway-api@v1.6.3 from the Go module proxy,
#         h1:duVnm7nO6oXfMMUWfcDoBph47CYR/ME3NGxccOVglaY=)
#       version: Gateway API v1.6.3 (BundleVersion v1.6.3 in pkg/consts/consts.go)
#       facts: >-
#         the same hostname, allowedRoutes, tls and Hostname rules; a TLS listener must also set
#         tls.mode (added after v1.1.0)
#     - repo: kubernetes-sigs/gateway-api
#       path: apis/v1/gateway_types.go
#       commit: aead4456b9a59545af18fd7540e912bb81053cbd
#       version: >-
#         release not established (an index copy, also read at 00068f38); superseded by the v1.1.0
#         and v1.6.3 release modules above
#       facts: the same Listener rules as the release modules
#   recommended_action: >-
#     Serve protocol HTTPS with tls.certificateRefs (keep an HTTP listener only for a redirect
#     HTTPRoute with a RequestRedirect filter to https), or make the Gateway internal (an internal
#     GatewayClass, internal_gateway_classes, or the cloud's internal load balancer annotation in
#     spec.infrastructure.annotations).
package mlfence.k8s.gatewayapi.listener_plaintext

import data.lib.mlfence.gatewayapi
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	gatewayapi.is_kind(obj, "Gateway")
	not gatewayapi.internal_gateway(obj)
	some pair in gatewayapi.listeners(obj)
	gatewayapi.protocol(pair[1]) == "HTTP"
	msg := sprintf(
		"Gateway %s listener %v (spec.listeners[%d], port %v) serves plain HTTP on a public Gateway; %s",
		[k8s.resource, object.get(pair[1], "name", "?"), pair[0], object.get(pair[1], "port", "?"), _fix],
	)
}

_fix := "serve HTTPS with tls.certificateRefs and redirect HTTP, or make the Gateway internal"
