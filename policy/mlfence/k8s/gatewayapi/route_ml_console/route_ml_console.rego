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
#     Gateway API v1.1.0-v1.6.3 route backendRefs (read in both releases); Ray 2.x dashboard 8265,
#     Jupyter Server 8888, MLflow 5000, TensorBoard 6006, Triton 8000-8002, Kubeflow central
#     dashboard 8082 (v1.10.0 in Kubeflow's manifests)
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
#     - repo: kubeflow/manifests
#       path: applications/centraldashboard/upstream/base/service.yaml, deployment.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: central-dashboard v1.10.0 (kustomization newTag)
#       facts: the centraldashboard Service targets port 8082, the container's port
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
