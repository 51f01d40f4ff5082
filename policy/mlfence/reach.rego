package mlfence

import data.lib.mlfence.connectivity

# METADATA
# title: Reach
# description: >-
#   `mlfence reach`'s entrypoint: the connectivity model (lib.mlfence.connectivity) of every
#   Kubernetes object in input.documents ({"path", "index", "document"}, as for scan). Every
#   object is indexed, not only the kinds Gatekeeper syncs: the model needs the workloads too.
# entrypoint: true
reach := model if {
	model := connectivity.model with data.inventory as reach_inventory
}

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
