package mlfence

# METADATA
# title: Scan
# description: >-
#   The CLI's entrypoint: many documents in one evaluation, so scanning a thousand files
#   costs one OPA process. input.documents is a list of {"path", "index", "document"}; every
#   Kubernetes object among them also feeds the inventory that cross-object rules read.
# entrypoint: true
scan := [object.union(
	{
		"path": entry.path,
		"index": entry.index,
		"input_kind": document_kind(entry.document),
		"findings": document_findings(entry.document, scan_inventory),
	},
	unchanged_summary(entry.document),
) |
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
# which are all any rule reads from data.inventory. Each object becomes its own one-path
# document, merged by object.union_n in one linear pass (grouping with a comprehension per
# namespace was quadratic: 2,000 namespaces took 1.5 s). An object scanned twice under the
# same namespace, kind and name (two overlays of one policy) is kept once, the last one read,
# where the cluster would also hold one.
inventory_of(docs) := {
	"namespace": object.union_n([{ns: _at_version_kind(o)} |
		some o in objs
		ns := _namespace_of(o)
		ns != ""
	]),
	"cluster": object.union_n([_at_version_kind(o) | some o in objs; _namespace_of(o) == ""]),
} if {
	objs := _objects(docs)
}

synced_kinds := {
	"v1": {"Namespace"},
	"networking.k8s.io/v1": {"NetworkPolicy"},
	"security.istio.io/v1": {"PeerAuthentication"},
}

_objects(docs) := [d |
	some d in docs
	document_kind(d) == "kubernetes_object"
	_indexed(d)
	is_string(d.metadata.name)
]

_indexed(d) if d.kind in synced_kinds[d.apiVersion]

# Istio serves PeerAuthentication in v1 and v1beta1 alike; Gatekeeper syncs one version of it, and
# rules read every security.istio.io version, so older manifests count too.
_indexed(d) if {
	d.kind == "PeerAuthentication"
	startswith(d.apiVersion, "security.istio.io/")
}

# Scanned only, never synced (Gatekeeper would have to replicate every ConfigMap): KServe's
# controller settings, which decide whether InferenceServices are published. In Gatekeeper the
# kserve_ingress parameter declares them.
_indexed(d) if {
	d.apiVersion == "v1"
	d.kind == "ConfigMap"
	d.metadata.name == "inferenceservice-config"
}

_namespace_of(obj) := obj.metadata.namespace if is_string(obj.metadata.namespace)

else := ""

_at_version_kind(obj) := {obj.apiVersion: {obj.kind: {obj.metadata.name: obj}}}
