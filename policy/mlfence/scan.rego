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
	_in_shard(entry.index)
]

# `mlfence check` may split a run over several OPA processes: each gets every document (the
# inventory is built from all of them) and data.mlfence.scan_shard = [k, n], and answers for
# the documents whose index is k modulo n.
_sharded if is_array(data.mlfence.scan_shard)

_in_shard(_) if not _sharded

_in_shard(index) if index % data.mlfence.scan_shard[1] == data.mlfence.scan_shard[0]

# scan_inventory has the shape of Gatekeeper's data.inventory, built from the scanned objects.
scan_inventory := inventory_of([entry.document | some entry in input.documents])

# inventory_of(docs) indexes Kubernetes objects the way Gatekeeper's sync does: only the kinds
# the generated sync Config replicates (mlfence.gatekeeper.SYNCED; a test keeps the two equal),
# which are all any rule reads from data.inventory. Indexing every scanned object cost most of
# a 2,300-document scan.
inventory_of(docs) := _inventory_from(_objects(docs))

synced_kinds := {"v1": {"Namespace"}, "networking.k8s.io/v1": {"NetworkPolicy"}}

_inventory_from(objs) := {
	"namespace": {ns: _by_version_kind(members) |
		some ns in {pair[0] | some pair in pairs}
		ns != ""

		# Indexed by OPA (comprehension indexing on pair[0]): one pass, not one per namespace.
		members := [pair[1] | some pair in pairs; pair[0] == ns]
	},
	"cluster": _by_version_kind([pair[1] | some pair in pairs; pair[0] == ""]),
} if {
	pairs := [[_namespace_of(o), o] | some o in objs]
}

_objects(docs) := [d |
	some d in docs
	document_kind(d) == "kubernetes_object"
	d.kind in synced_kinds[d.apiVersion]
	is_string(d.metadata.name)
]

_namespace_of(obj) := obj.metadata.namespace if is_string(obj.metadata.namespace)

else := ""

_by_version_kind(objs) := {version: {kind: {o.metadata.name: o |
	some o in objs
	o.apiVersion == version
	o.kind == kind
} |
	some kind in {o.kind | some o in objs; o.apiVersion == version}
} |
	some version in {o.apiVersion | some o in objs}
}
