# METADATA
# title: Gateway API route publishes an unauthenticated ML console
# description: >-
#   An HTTPRoute, GRPCRoute or TLSRoute whose backend is the Ray dashboard, Jupyter, MLflow,
#   TensorBoard, Triton or Kubeflow's central dashboard publishes a service that, as ML platforms
#   deploy it, checks no credentials: Ray's dashboard and job API have none, Kubeflow runs
#   notebooks without a token and its dashboard trusts the identity header its own gateway sets.
#   Whoever reaches this Gateway submits Ray jobs, runs notebook code or reads models.
# related_resources:
#   - ref: https://gateway-api.sigs.k8s.io/reference/spec/#gateway.networking.k8s.io/v1.HTTPBackendRef
#   - ref: https://docs.ray.io/en/latest/ray-security/index.html
# custom:
#   id: MLF-K8S-055
#   long_id: k8s-gatewayapi-route-ml-console
#   severity: critical
#   target: kubernetes
#   kinds: [HTTPRoute, GRPCRoute, TLSRoute]
#   platform: >-
#     Gateway API v1.0-v1.3 route backendRefs; Ray 2.x dashboard 8265, Jupyter Server 8888, MLflow
#     5000, TensorBoard 6006, Triton 8000-8002, Kubeflow central dashboard 8082
#   verified_against:
#     - repo: kubernetes-sigs/gateway-api
#       path: apis/v1/gateway_types.go
#       commit: aead4456b9a59545af18fd7540e912bb81053cbd
#       version: release not established (index commit; also read at 00068f38)
#       facts: >-
#         Listener.hostname: "When unspecified, all hostnames are matched", `*.` is a suffix match;
#         allowedRoutes defaults to {namespaces: {from: Same}}; tls must not be set for HTTP, TCP, UDP;
#         HTTPS tls mode is Terminate; Passthrough only for TLS listeners (TLSRoute)
#     - repo: kubernetes-sigs/gateway-api
#       path: apis/v1/shared_types.go
#       commit: 1c3cc4c418e2ff53635012467a4f0237b05999ff
#       version: release not established (index commit)
#       facts: >-
#         Hostname: MinLength 1, pattern with at most a leading `*.` label, so "" and a bare "*" are
#         refused by the CRD schema
#     - repo: kubernetes-sigs/gateway-api
#       path: pkg/consts/consts.go
#       commit: 00cfc55f1d2df679e477c8a6e0f82ae0f40da8e8
#       version: BundleVersion v1.6.0-rc.1 at that commit
#       facts: >-
#         the stored tree is the v1.6 development line; the field semantics above are unchanged since
#         v1.0 per the API reference (not re-read per release here)
#   recommended_action: >-
#     Do not route to the console from a Gateway; reach it with kubectl port-forward, or put an
#     authenticating proxy (oauth2-proxy, Istio RequestAuthentication + AuthorizationPolicy with
#     requestPrincipals) in front of it and route to the proxy instead.
package mlfence.k8s.gatewayapi.route_ml_console

import data.lib.mlfence.gatewayapi
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	some kind in {"HTTPRoute", "GRPCRoute", "TLSRoute"}
	gatewayapi.is_kind(obj, kind)
	some backend in gatewayapi.backends(obj)
	console := gatewayapi.console(backend)
	msg := sprintf("%s %s routes %s to Service %s port %v, the %s, which does not authenticate callers itself; %s", [
		kind, k8s.resource, backend.path, backend.name, backend.port, console, _fix,
	])
}

_fix := "reach it with kubectl port-forward or route to an authenticating proxy in front of it"
