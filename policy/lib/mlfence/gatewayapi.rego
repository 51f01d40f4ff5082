# METADATA
# description: |
#   Gateway API (gateway.networking.k8s.io) helpers: Gateway listeners and whether a Gateway is
#   internal, and the backends of HTTPRoute, GRPCRoute and TLSRoute rules. Encodes the Gateway
#   API v1.0-v1.3 specification (listener hostname matching, allowedRoutes defaults).
package lib.mlfence.gatewayapi

import data.lib.mlfence.config
import data.lib.mlfence.exposure
import data.lib.mlfence.k8s

group := "gateway.networking.k8s.io"

# is_kind(obj, kind) holds for an object of that Gateway API kind, any version.
is_kind(obj, kind) if {
	obj.kind == kind
	k8s.api_group(obj) == group
}

# listeners(obj) is the list of [index, listener] of a Gateway's listeners that are objects.
listeners(obj) := [[i, l] |
	some i, l in k8s.as_array(k8s.field(obj, ["spec", "listeners"], []))
	is_object(l)
]

# protocol(listener) is the listener's protocol, upper-cased; "" when absent or not a string.
default protocol(_) := ""

protocol(listener) := upper(listener.protocol) if is_string(listener.protocol)

# GKE's internal Gateway classes (their load balancers get private addresses only).
_builtin_internal_classes := {
	"gke-l7-rilb",
	"gke-l7-rilb-mc",
	"gke-l7-regional-internal-managed",
	"gke-l7-cross-regional-internal-managed-mc",
}

# internal_gateway(obj) holds for a Gateway reachable only from private networks: its class is
# internal (GKE's, or one of internal_gateway_classes), or spec.infrastructure.annotations carry
# the cloud's internal load balancer annotation, which Istio, Envoy Gateway and others copy onto
# the Service they create for the Gateway.
internal_gateway(obj) if {
	class := k8s.field(obj, ["spec", "gatewayClassName"], "")
	is_string(class)
	class in (_builtin_internal_classes | {c | some c in k8s.as_array(config.value("internal_gateway_classes"))})
}

internal_gateway(obj) if {
	infra := k8s.field(obj, ["spec", "infrastructure", "annotations"], {})
	is_object(infra)
	exposure.internal_load_balancer({"metadata": {"annotations": infra}})
}

# route_kinds: the route kinds whose rules carry backendRefs.
route_kinds := {"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}

# backends(obj) is the set of {"path", "name", "namespace", "port"} of a route's Service
# backends (backendRefs without a kind or group, or kind Service in the core group).
backends(obj) := {{"path": sprintf("spec.rules[%d].backendRefs[%d]", [i, j]), "name": ref.name, "port": port} |
	some i, rule in k8s.as_array(k8s.field(obj, ["spec", "rules"], []))
	some j, ref in k8s.as_array(k8s.field(rule, ["backendRefs"], []))
	is_object(ref)
	is_string(ref.name)
	object.get(ref, "kind", "Service") == "Service"
	object.get(ref, "group", "") == ""
	port := object.get(ref, "port", null)
}

# console(backend) names the unauthenticated ML console a backend reaches, from its port
# (ml_console_ports) or its Service name (ml_console_services, globs); undefined otherwise.
console(backend) := name if {
	is_number(backend.port)
	name := k8s.object_or_empty(config.value("ml_console_ports"))[format_int(backend.port, 10)]
	is_string(name)
} else := name if {
	some pattern, name in k8s.object_or_empty(config.value("ml_console_services"))
	is_string(name)
	glob.match(pattern, [], backend.name)
}
