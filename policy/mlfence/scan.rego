package mlfence

# METADATA
# title: Scan
# description: >-
#   The CLI's entrypoint: many documents in one evaluation, so scanning a thousand files
#   costs one OPA process. input.documents is a list of {"path", "index", "document"}; every
#   Kubernetes object among them also feeds the inventory that cross-object rules read.
# entrypoint: true
scan := [{
	"path": entry.path,
	"index": entry.index,
	"input_kind": document_kind(entry.document),
	"findings": document_findings(entry.document, scan_inventory),
} |
	some entry in input.documents
]

# scan_inventory has the shape of Gatekeeper's data.inventory, built from the scanned objects.
scan_inventory := inventory_of([entry.document | some entry in input.documents])

# inventory_of(docs) indexes Kubernetes objects the way Gatekeeper's sync does.
inventory_of(docs) := _inventory_from(_objects(docs))

# Objects grouped by namespace in one pass over the objects (was: one pass per namespace,
# each re-running document_kind over every document).
_inventory_from(objs) := {
	"namespace": {ns: _by_version_kind(members) |
		some ns, members in _group_by_namespace(objs)
		ns != ""
	},
	"cluster": _by_version_kind(object.get(_group_by_namespace(objs), "", [])),
}

_group_by_namespace(objs) := {ns: [o | some o in objs; _namespace_of(o) == ns] |
	some ns in {_namespace_of(o) | some o in objs}
}

_objects(docs) := [d |
	some d in docs
	document_kind(d) == "kubernetes_object"
	is_string(d.metadata.name)
]

_namespace_of(obj) := obj.metadata.namespace if is_string(obj.metadata.namespace)

else := ""

_namespaced(docs, ns) := _by_version_kind([d | some d in _objects(docs); _namespace_of(d) == ns])

_by_version_kind(objs) := {version: {kind: {o.metadata.name: o |
	some o in objs
	o.apiVersion == version
	o.kind == kind
} |
	some kind in {o.kind | some o in objs; o.apiVersion == version}
} |
	some version in {o.apiVersion | some o in objs}
}
