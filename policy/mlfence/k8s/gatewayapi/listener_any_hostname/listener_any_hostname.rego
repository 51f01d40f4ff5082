# METADATA
# title: Gateway API listener accepts every hostname
# description: >-
#   A Gateway listener without a hostname matches every Host and SNI name, so any
#   route allowed to attach publishes whatever hostnames it claims through it; with
#   allowedRoutes.namespaces.from All, a route in any namespace (a notebook's, a test service's)
#   is published at the edge.
# related_resources:
#   - ref: https://gateway-api.sigs.k8s.io/reference/spec/#gateway.networking.k8s.io/v1.Listener
#   - ref: https://gateway-api.sigs.k8s.io/guides/multiple-ns/
# custom:
#   id: MLF-K8S-054
#   long_id: k8s-gatewayapi-listener-any-hostname
#   severity: medium
#   target: kubernetes
#   kinds: [Gateway]
#   platform: >-
#     Gateway API v1.1.0-v1.6.3, read in both releases (an unset Listener.hostname matches all
#     hostnames; allowedRoutes defaults to the Gateway's own namespace)
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
#     Set spec.listeners[].hostname to the published names (e.g. inference.example.com) and keep
#     allowedRoutes.namespaces.from Same, or Selector with a label on the approved namespaces.
package mlfence.k8s.gatewayapi.listener_any_hostname

import data.lib.mlfence.gatewayapi
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, severity) if {
	gatewayapi.is_kind(k8s.review_object, "Gateway")
	not gatewayapi.internal_gateway(k8s.review_object)
	some pair in gatewayapi.listeners(k8s.review_object)
	listener := pair[1]

	# TCP and UDP listeners have no hostname; a TLS passthrough listener routes on SNI only.
	gatewayapi.protocol(listener) in {"HTTP", "HTTPS"}
	_any_hostname(object.get(listener, "hostname", null))
	from := _from(listener)
	severity := object.get(_severity, from, "medium")
	msg := sprintf("Gateway %s listener %v (spec.listeners[%d]) matches every hostname and %s; %s", [
		k8s.resource, object.get(listener, "name", "?"), pair[0], object.get(_who, from, "admits routes"), _fix,
	])
}

# Only an absent hostname matches every name: the Hostname type (MinLength 1, at most a leading
# `*.` label) makes the API server refuse "" and a bare "*", and `*.example.com` is a suffix match.
_any_hostname(null)

default _from(_) := "Same"

_from(listener) := listener.allowedRoutes.namespaces.from if is_string(listener.allowedRoutes.namespaces.from)

_severity := {"All": "high", "Selector": "medium", "Same": "medium"}

_who := {
	"All": "admits routes from every namespace",
	"Selector": "admits routes from the selected namespaces",
	"Same": "admits every route of its namespace",
}

_fix := "set listeners[].hostname to the published names"
