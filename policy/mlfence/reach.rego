package mlfence

import data.lib.mlfence.connectivity
import data.lib.mlfence.intent

# METADATA
# title: Reach
# description: >-
#   `mlfence reach`'s entrypoint: the connectivity model (lib.mlfence.connectivity) of every
#   Kubernetes object in input.documents ({"path", "index", "document"}, as for scan). Every
#   object is indexed, not only the kinds Gatekeeper syncs: the model needs the workloads too.
#   With declared flows (the `flows` parameter, as for MLF-K8S-060) the answer also holds
#   `undeclared`: the flows and address blocks the declaration does not allow.
# entrypoint: true
reach := object.union(answer.model, {"undeclared": answer.undeclared}) if {
	answer := _model_and_intent with data.inventory as reach_inventory with input.parameters as params
}

# One `with` for both, so the model is computed once (intent reads it too).
_model_and_intent := {"model": connectivity.model, "undeclared": _undeclared}

# _undeclared is what MLF-K8S-060 would report on each workload, as data for drawing:
# {"declared": whether the settings declare flows, "flows": [{"from", "to", "ports"}],
# "external": [entries of connectivity.external]}.
default _undeclared := {"declared": false, "flows": [], "external": []}

_undeclared := {"declared": true, "flows": _undeclared_flows, "external": _undeclared_external} if intent.enabled

_undeclared_flows := [{"from": f.src.id, "to": f.dst.id, "ports": f.pieces} |
	some f in _undeclared_connected
]

# _undeclared_connected is intent.undeclared_pairs of every workload, asked only of the pairs with an
# open connection: the model's flows whose NetworkPolicies and AuthorizationPolicies let something
# through (every pair where a side's policies decide, ports computed) and every unisolated source
# with every unisolated destination (open_egress x open_ingress, which flows leaves out). Any other
# pair has no connection, so nothing undeclared (intent.undeclared needs an open one): asking every
# workload about every workload took ~95 s and 6 GB for bench/reach's 1,000 workloads with flows
# declared, a million pairs of which a few thousand connect.
_undeclared_connected contains {"src": src, "dst": dst, "pieces": pieces} if {
	some pair in _connected_pairs
	src := connectivity.workloads[pair[0]]
	dst := connectivity.workloads[pair[1]]
	pieces := intent.undeclared(src, dst)
	count(pieces) > 0
}

_connected_pairs := {[f.from, f.to] | some f in connectivity.flows; count(f.ports) > 0} | {[src, dst] |
	some src in connectivity.open_egress
	some dst in connectivity.open_ingress
}

_undeclared_external := [e |
	some id, _ in connectivity.workloads
	some e in intent.undeclared_external(id)
]

# reach_inventory is data.inventory's shape built from every scanned Kubernetes object, in one
# linear object.union_n pass as inventory_of does.
reach_inventory := {
	"namespace": object.union_n([{ns: _at_version_kind(o)} |
		some o in objs
		ns := _namespace_of(o)
		ns != ""
	]),
	"cluster": object.union_n([_at_version_kind(o) | some o in objs; _namespace_of(o) == ""]),
} if {
	objs := [entry.document |
		some entry in input.documents
		document_kind(entry.document) == "kubernetes_object"
		is_string(entry.document.metadata.name)
	]
}
