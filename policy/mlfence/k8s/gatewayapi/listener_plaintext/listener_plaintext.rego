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
#   platform: Gateway API v1.0-v1.3 (Listener.protocol HTTP/HTTPS/TLS, spec.infrastructure)
#   verified_against: >-
#     kubernetes-sigs/gateway-api apis/v1/gateway_types.go at 00068f38 (Listener.hostname: "When
#     unspecified, all hostnames are matched", `*.` is a suffix match; allowedRoutes defaults to
#     {namespaces: {from: Same}}; tls must not be set for HTTP/TCP/UDP, HTTPS tls mode is
#     Terminate, TLS needs a mode). Not verified here: the release tag of that commit.
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
