# METADATA
# title: Istio Gateway accepts every host
# description: >-
#   A Gateway server with host `*` answers for any Host header and lets a VirtualService in any
#   namespace it exports to publish routes through it, so one team's test route or a notebook
#   service becomes reachable at the edge. Kubeflow's default gateway is set up this way. Only a
#   gateway reachable from outside publishes anything: the rule fails when a Service selecting
#   the gateway pods is of type LoadBalancer or NodePort, has externalIPs, or is an Ingress
#   backend, on the server's port; a gateway behind ClusterIP Services only (Kubeflow's
#   cluster-local-gateway, Knative's knative-local-gateway) passes, and without such a Service in
#   the input the verdict is unknown. Cross-object by design: an Istio Gateway alone never proves
#   exposure (it configures the proxies, the Service decides who reaches them), so conftest
#   without --combine reports it "not judged".
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/gateway/
#   - ref: https://istio.io/latest/docs/ops/best-practices/security/#avoid-overly-broad-hosts-configurations
# custom:
#   id: MLF-K8S-049
#   long_id: k8s-istio-gateway-wildcard-host
#   severity: high
#   target: kubernetes
#   kinds: [Gateway]
#   platform: >-
#     Istio Gateway (networking.istio.io), known to hold for Istio 1.29 (istio.io/api v1.29.1, and
#     Kubeflow's Istio 1.29.1 with net-istio 1.21.1 manifests): its selector picks gateway pods in
#     every namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE off by default), and a server port equal to
#     a Service port listens on that port's targetPort (Istio's gateway port translation, read in an
#     istio/istio copy whose release is not established; Services labelled
#     experimental.istio.io/disable-gateway-port-translation take no part)
#   verified_against:
#     - repo: istio/istio
#       path: pilot/pkg/model/gateway.go
#       commit: ee3833fe886eb0eabb526348b78a62c98183a32a
#       version: >-
#         release not established: no version-bearing file of istio/istio is stored at this commit
#         (Makefile.core.mk, manifests/charts/base/Chart.yaml, go.mod and istio.deps probed) and the
#         Go module proxy serves no tagged istio.io/istio version (1.29.1 refused), so no release
#         tree of istio/istio could be read; the copy uses generic sets.Set and
#         monitoring.CreateLabel, so it is a 2023-or-later tree
#       facts: >-
#         resolvePorts: for label-selected gateways a server port equal to a Service port of the
#         gateway workload listens on that port's targetPort (first match), Services labelled
#         experimental.istio.io/disable-gateway-port-translation skipped; no match listens on the
#         number
#     - repo: istio/api
#       path: networking/v1alpha3/gateway.proto
#       commit: >-
#         not recorded (module zip istio.io/api@v1.29.1 from the Go module proxy,
#         h1:dSure3CSur+mRZYvTYRUNgR/P+TYO5ItlPk1lUu4rU8=)
#       version: Istio 1.29.1 (istio.io/api v1.29.1; Kubeflow's manifests vendor Istio 1.29.1)
#       facts: >-
#         Gateway.selector: "By default workloads are searched across all namespaces based on label
#         selectors"; only PILOT_SCOPE_GATEWAY_TO_NAMESPACE set to true in istiod restricts the
#         search to the Gateway's own namespace
#     - repo: istio/istio
#       path: pilot/pkg/features/pilot.go
#       commit: 00aecd277af1af45c8e0433085044a7ce3f39cee
#       version: >-
#         release not established: Makefile.core.mk is not stored at this commit; an old tree (it
#         still registers PILOT_ENABLED_SERVICE_APIS for service-apis, Gateway API's name before
#         2021); the default is re-read for 1.29.1 in istio/api's gateway.proto (entry above)
#       facts: PILOT_SCOPE_GATEWAY_TO_NAMESPACE is registered with default false
#     - repo: kubeflow/manifests
#       path: common/istio/istio-install/base/install.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: Istio 1.29.1 charts (helm.sh/chart istiod-1.29.1)
#       facts: >-
#         istio-ingressgateway Service type LoadBalancer, ports 80 -> 8080 and 443 -> 8443
#         (Kubeflow's base kustomization renders it ClusterIP); istiod's env does not set
#         PILOT_SCOPE_GATEWAY_TO_NAMESPACE
#     - repo: kubeflow/manifests
#       path: common/knative/knative-serving/base/upstream/net-istio.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: Knative net-istio 1.21.1 (app.kubernetes.io/version)
#       facts: >-
#         knative-local-gateway Service type ClusterIP, port 80 -> 8081, labelled
#         experimental.istio.io/disable-gateway-port-translation: the label net-istio 1.21.1 relies
#         on with Istio 1.29.1
#   recommended_action: >-
#     List the published names in servers[].hosts, qualified by the namespace of the
#     VirtualServices allowed to bind them (e.g. "ml-serving/inference.example.com").
package mlfence.k8s.istio.gateway_wildcard_host

import data.lib.mlfence.gateway_exposure
import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	some found in _wildcard_servers
	found.published.state == "published"
	msg := sprintf(
		"Gateway %s servers[%d] accepts host %s and is published by %s, %s; %s",
		[k8s.resource, found.index, found.host, concat(", ", found.published.by), _reach, _fix],
	)
}

# Without the Service in front of the gateway pods nobody can tell whether `*` faces the
# outside: unknown, never a claim that it is published.
violation contains result.unknown(rego.metadata.chain(), k8s.resource, msg) if {
	some found in _wildcard_servers
	found.published.state == "unknown"
	msg := sprintf(
		"Gateway %s servers[%d] accepts host %s; whether it is published is unknown: %s (%s)",
		[k8s.resource, found.index, found.host, found.published.why, _publishers],
	)
}

_wildcard_servers contains {"index": pair[0], "host": host, "published": published} if {
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "Gateway")
	some pair in istio.object_items(k8s.field(obj, ["spec", "servers"], []))
	not _sni_or_tcp(pair[1])
	some host in istio.string_items(pair[1].hosts)
	_any_host(host)
	published := gateway_exposure.server_publication(obj, pair[1])
}

_reach := "so any Host and any bound VirtualService is reachable from outside"

_fix := "list the published names, qualified by namespace"

_publishers := concat(" ", [
	"a LoadBalancer or NodePort Service, externalIPs or an Ingress",
	"in front of its pods would publish every Host",
])

# "*" or "namespace/*": every name.
_any_host(host) if {
	parts := split(trim_space(host), "/")
	parts[count(parts) - 1] == "*"
}

# TCP servers have no Host to match, and TLS passthrough routes on SNI only, where `*` is how
# Istio's own samples forward every name to the VirtualServices' tls.match.sniHosts: neither is
# a wildcard HTTP host.
_sni_or_tcp(server) if _upper(k8s.field(server, ["port", "protocol"], "")) in {"TCP", "MONGO", "MYSQL", "REDIS"}

_sni_or_tcp(server) if _upper(k8s.field(server, ["tls", "mode"], "")) in {"PASSTHROUGH", "AUTO_PASSTHROUGH"}

default _upper(_) := ""

_upper(x) := upper(x) if is_string(x)
