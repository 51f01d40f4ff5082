# METADATA
# description: |
#   Whether an Istio Gateway (Knative's local gateway is one) is reachable from outside the
#   cluster. A Gateway only configures the proxies its selector picks; what reaches those pods
#   is decided by the Services in front of them: a LoadBalancer or NodePort Service, externalIPs,
#   or an Ingress naming the Service publish them, a ClusterIP Service does not. Istio matches
#   the selector against gateway pods of every namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE is
#   off by default), so Services of every namespace are read. Reads the Services and Ingresses
#   of data.inventory (synced by Gatekeeper, built from the scanned objects by the CLI and
#   conftest --combine). A gateway the settings declare as an edge gateway (edge_gateways) faces
#   the outside whatever its Service says: the operator publishes it (a cloud load balancer,
#   an Ingress or a tunnel set up outside the scanned manifests).
package lib.mlfence.gateway_exposure

import data.lib.mlfence.config

# server_publication(gateway, server) is, for one server of a Gateway:
#   {"state": "published", "by": ["Service ns/name (type LoadBalancer)", ...]} when a Service
#     selecting the gateway pods is reachable from outside on the server's port;
#   {"state": "internal"} when Services select the gateway pods and none publishes that port;
#   {"state": "unknown", "why": text} when no Service in the inventory selects them.
server_publication(gateway, server) := {"state": "published", "by": sort(by)} if {
	by := _publishers(gateway, server)
	count(by) > 0
} else := {"state": "internal"} if {
	count(_fronting(gateway)) > 0
} else := {"state": "unknown", "why": _unknown_reason(gateway)}

_unknown_reason(gateway) := "its selector names no labels, so which proxies serve it is unknown" if {
	count(_selector(gateway)) == 0
} else := sprintf("no Service selecting its pods (%s) is in the scan", [_labels_text(_selector(gateway))])

_labels_text(labels) := concat(", ", [sprintf("%s: %v", [k, v]) | some k, v in labels])

# The Gateway's workload selector: string labels only (the API refuses anything else).
_selector(gateway) := {k: v |
	some k, v in _object(_object(gateway.spec).selector)
	is_string(v)
}

# _fronting(gateway) is the set of [namespace, name, service] of the Services that
# select the gateway's pods: one selector holds every label of the other, so a pod picked by the
# narrower one is picked by both (pod labels are not in the inventory; such a pod is assumed to
# exist, as the gateway was written for it). Services without a selector front no pods.
_fronting(gateway) := {[ns, name, service] |
	wanted := _selector(gateway)
	count(wanted) > 0
	some [ns, name, service, picks] in selecting_services
	_nested(wanted, picks)
}

# selecting_services is [namespace, name, service, selector] of every Service of the inventory
# with a selector, listed once per evaluation. The inventory is read here, never passed to a
# function: OPA keys its cache of function results by the arguments, so an inventory argument
# is hashed whole on every call (a scan of a few hundred Gateways spent seconds on it). Public
# because it depends on the inventory alone: a scan judges each document under its own `with`,
# which starts OPA's cache afresh, so evaluate.rego lists it once per inventory and hands it in
# (bench corpus, 425 namespaces: a third of a Gateway's evaluation; bench/README.md section 15).
selecting_services := [[ns, name, service, picks] |
	some ns, by_version in _object(_object(_inventory).namespace)
	some name, service in _object(_object(_object(by_version).v1).Service)
	picks := _object(_object(service.spec).selector)
	count(picks) > 0
]

default _inventory := {}

_inventory := data.inventory

# _nested(wanted, picks): one selector holds every label of the other. wanted's values are
# strings (_selector), so object.subset compares each shared key's values for equality, as an
# `every` over the keys would, in one builtin call (a Gateway is matched against every Service).
_nested(wanted, picks) if object.subset(picks, wanted)

_nested(wanted, picks) if object.subset(wanted, picks)

_publishers(gateway, server) := {text |
	listen := _listen_ports(gateway, object.get(_object(server.port), "number", null))
	some [ns, name, service] in _fronting(gateway)
	_serves_port(service, listen)
	some how in (_reachable_from_outside(ns, name, service) | _declared_edge(ns, service, gateway))
	text := sprintf("Service %s/%s (%s)", [ns, name, how])
}

# _listen_ports(gateway, number) is the set of ports the gateway proxies listen on for
# a server port. Istio's gateway port translation (pilot/pkg/model/gateway.go resolvePorts, for
# Gateways that select pods by label): a server port equal to the port of a Service in front of
# the gateway pods listens on that port's targetPort, Services labelled
# experimental.istio.io/disable-gateway-port-translation (Knative's local gateway) left out;
# with no such Service port the proxies listen on the number itself. Istio takes the first
# matching Service, an order the inventory does not hold, so every candidate counts.
_listen_ports(gateway, number) := translated if {
	translated := {_target(entry) |
		some [_, _, service] in _fronting(gateway)
		not _translation_disabled(service)
		some entry in _array(_object(service.spec).ports)
		entry.port == number
	}
	count(translated) > 0
} else := {number}

_translation_disabled(service) if {
	"experimental.istio.io/disable-gateway-port-translation" in object.keys(_object(_object(service.metadata).labels))
}

# A Service port's targetPort: a number, a port name (resolved on the pod), or the port itself
# when omitted.
_target(entry) := entry.targetPort if {
	entry.targetPort != null
	entry.targetPort != 0
	entry.targetPort != ""
} else := entry.port

# A Service reaches a listener when one of its ports targets it. A named targetPort is resolved
# on the pod, which the inventory does not hold: it may be the listener.
_serves_port(service, listen) if {
	some entry in _array(_object(service.spec).ports)
	_target(entry) in listen
}

_serves_port(service, _) if {
	some entry in _array(_object(service.spec).ports)
	is_string(_target(entry))
}

# _reachable_from_outside(ns, name, service) is the set of the ways the Service is
# reached from outside the cluster (empty for a ClusterIP Service nothing routes to).
_reachable_from_outside(ns, name, service) := _by_service(service) | _by_ingress(ns, name)

_by_service(service) := _by_type(service) | _by_address(service)

# The gateway pods carry the labels of both selectors; an edge_gateways entry of the Service's
# namespace whose labels they all carry declares them public.
_declared_edge(ns, service, gateway) := {"declared in edge_gateways" |
	pod_labels := object.union(_object(_object(service.spec).selector), _selector(gateway))
	some entry in config.value("edge_gateways")
	is_object(entry)
	entry.namespace == ns
	is_object(entry.labels)
	every key, value in entry.labels {
		pod_labels[key] == value
	}
}

_by_type(service) := {sprintf("type %s", [service.spec.type]) | service.spec.type in {"LoadBalancer", "NodePort"}}

_by_address(service) := {"externalIPs" | count(_array(service.spec.externalIPs)) > 0}

_by_ingress(ns, name) := {sprintf("backend of Ingress %s/%s", [ns, ingress]) |
	some api_version, kinds in _object(_object(_object(_inventory).namespace)[ns])
	startswith(api_version, "networking.k8s.io/")
	some ingress, obj in _object(_object(kinds).Ingress)
	name in _ingress_backends(obj)
}

# The Service names an Ingress routes to: the default backend and every path's backend
# (networking.k8s.io/v1 `service.name`; the removed v1beta1 `serviceName` in old manifests).
_ingress_backends(obj) := {n |
	some backend in array.concat([object.get(_object(obj.spec), "defaultBackend", null)], [path.backend |
		some rule in _array(_object(obj.spec).rules)
		some path in _array(_object(_object(rule).http).paths)
	])
	v1 := object.get(_object(_object(backend).service), "name", null)
	v1beta1 := object.get(_object(backend), "serviceName", null)
	some n in [v1, v1beta1]
	is_string(n)
}

_object(x) := x if is_object(x)

else := {}

_array(x) := x if is_array(x)

else := []
