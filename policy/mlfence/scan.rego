package mlfence

# METADATA
# title: Scan
# description: >-
#   The CLI's entrypoint: many documents in one evaluation, so scanning a thousand files
#   costs one OPA process. input.documents is a list of {"path", "index", "document"}; every
#   Kubernetes object among them also feeds the inventory that cross-object rules read.
# entrypoint: true
scan := [_answer(entry) |
	some entry in _entries
	not entry.context_only == true
	_in_shard(entry.index)
]

# The scanned entries, each namespace-less object placed in the namespace the settings file
# declares for its folder (entry.namespace) or, failing that, the `namespace:` of the
# Kustomization in its folder, as kustomize would place it.
_entries := placed(input.documents)

# Kustomize patches (`$patch: delete` documents, strategic-merge patch files) are not objects:
# they are skipped like other documents mlfence does not judge.
_answer(entry) := {"path": entry.path, "index": entry.index, "input_kind": "unrecognised", "findings": []} if {
	is_patch(entry, _layout)
} else := object.union(
	{
		"path": entry.path,
		"index": entry.index,
		"input_kind": document_kind(entry.document),
		"findings": document_findings(entry.document, inventory_for(entry, _scoped, _layout)),
	},
	unchanged_summary(entry.document),
)

_layout := layout(_entries)

_scoped := scoped_inventory(_entries, _layout)

# `mlfence check` may split a run over several OPA processes: each gets every document (the
# inventory is built from all of them) and data.mlfence.scan_shard = [k, n], and answers for
# the documents whose index is k modulo n. Split by namespace instead, a process gets the
# documents of its namespaces and, marked context_only, those it reads for them but another
# process answers for.
_sharded if is_array(data.mlfence.scan_shard)

_in_shard(_) if not _sharded

_in_shard(index) if index % data.mlfence.scan_shard[1] == data.mlfence.scan_shard[0]

# scan_inventory has the shape of Gatekeeper's data.inventory, built from the scanned objects.
scan_inventory := inventory_of([entry.document | some entry in _entries])

# --- many folders in one scan -------------------------------------------------------------------
# An object without metadata.namespace lands in whatever namespace it is applied to. Objects of
# one kustomization (a folder holding a kustomization.yaml) or of one file are applied together,
# so their namespace-less objects share a scope; those of different folders or files never meet
# in one namespace here: one folder's default-deny must not silence another folder's findings.
# Entries are {"path", "document"} (plus "scope" when the caller knows better, e.g. a Helm
# chart's release).

# placed(entries) is the entries with declared_namespace applied, the namespace coming from the
# caller (entry.namespace) or from the `namespace:` of a Kustomization in the entry's folder.
placed(entries) := [declared_namespace(e) | some e in entries] if {
	count(_kustomize_namespaces(entries)) == 0 # the common case: no folder path to look up
} else := [declared_namespace(_with_kustomize_namespace(e, namespaces)) | some e in entries] if {
	namespaces := _kustomize_namespaces(entries)
}

_kustomize_namespaces(entries) := {dir_of(e.path): e.document.namespace |
	some e in entries
	_kustomization(e.document)
	is_string(e.document.namespace)
	e.document.namespace != ""
}

_with_kustomize_namespace(entry, namespaces) := object.union(entry, {"namespace": namespace}) if {
	not _has_namespace(entry)
	namespace := namespaces[dir_of(entry.path)]
} else := entry

_has_namespace(entry) if is_string(entry.namespace)

# declared_namespace(entry) is the entry with its document moved into entry.namespace when the
# caller declares one (the settings file's `namespaces:` for the entry's folder) and the document
# is a namespace-less object of a namespaced kind. Such objects are then judged with, and only
# with, the objects of that namespace: never pooled with other folders' namespace-less objects.
declared_namespace(entry) := object.union(entry, {"document": object.union(
	entry.document,
	{"metadata": {"namespace": entry.namespace}},
)}) if {
	is_string(entry.namespace)
	entry.namespace != ""
	document_kind(entry.document) == "kubernetes_object"
	is_object(entry.document.metadata)
	_namespace_of(entry.document) == ""
	not entry.document.kind in cluster_scoped_kinds
} else := entry

# Kinds the API server keeps outside namespaces (kustomize's namespace transformer skips them
# too): a declared folder namespace never applies to them.
cluster_scoped_kinds := {
	"Namespace", "Node", "PersistentVolume", "StorageClass", "PriorityClass", "RuntimeClass",
	"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "APIService",
	"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
	"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "IngressClass", "GatewayClass",
	"ClusterIssuer", "ClusterServingRuntime", "ClusterStorageContainer", "ClusterTrainingRuntime",
	"ClusterWorkflowTemplate", "CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy",
	"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy",
	"ConstraintTemplate", "ClusterLocalModel",
}

# layout(entries) is {"kustomize_dirs": folders holding a Kustomization, "patches": files a
# Kustomization names as patches}.
layout(entries) := {
	"kustomize_dirs": {dir_of(e.path) | some e in entries; _kustomization(e.document)},
	"patches": {concat("/", [dir_of(e.path), trim_prefix(p, "./")]) |
		some e in entries
		_kustomization(e.document)
		some p in _patch_paths(e.document)
	},
}

_kustomization(doc) if {
	is_object(doc)
	doc.kind == "Kustomization"
	startswith(doc.apiVersion, "kustomize.config.k8s.io/")
}

_patch_paths(k) := {p | some p in _strings(k.patchesStrategicMerge)} | {p.path |
	some p in _array_or_empty(k.patches)
	is_string(p.path)
}

default _array_or_empty(_) := []

_array_or_empty(x) := x if is_array(x)

_strings(x) := [s | some s in _array_or_empty(x); is_string(s)]

# dir_of(path) is the folder of a path ("" for a bare file name).
dir_of(path) := concat("/", array.slice(parts, 0, count(parts) - 1)) if {
	is_string(path)
	parts := split(path, "/")
} else := ""

# scope_of(entry, lay) is where the entry's namespace-less objects belong.
scope_of(entry, lay) := entry.scope if {
	is_string(entry.scope)
} else := dir_of(entry.path) if {
	dir_of(entry.path) in lay.kustomize_dirs
} else := entry.path

# is_patch(entry, lay) holds for a kustomize patch: a document carrying `$patch`, or a document
# of a file a Kustomization lists under patchesStrategicMerge or patches[].path.
is_patch(entry, _) if {
	is_object(entry.document)
	_ = entry.document["$patch"] # the key, whatever its value (object.keys would build every key)
}

is_patch(entry, lay) if entry.path in lay.patches

# A workload in a kustomize tree that no build uses and that the API server would refuse as an
# object (apps/v1 requires spec.selector) is a patch kept for later: kubebuilder scaffolds
# manager_*_patch.yaml files beside `default/kustomization.yaml`, some commented out, naming the
# placeholder namespace `system`. The CLI marks files read beside a kustomization
# (entry.kustomize_tree); with conftest --combine the Kustomization documents show the folders.
is_patch(entry, lay) if {
	_in_kustomize_tree(entry, lay)
	_workload_fragment(entry.document)
}

_in_kustomize_tree(entry, _) if entry.kustomize_tree == true

_in_kustomize_tree(entry, lay) if {
	some dir in lay.kustomize_dirs
	_under(entry.path, dir)
}

_under(_, "")

_under(path, dir) if startswith(path, concat("", [dir, "/"]))

_workload_fragment(doc) if {
	is_object(doc)
	doc.apiVersion == "apps/v1"
	doc.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
	not is_object(object.get(doc, ["spec", "selector"], null))
}

# scoped_inventory(entries, lay) is {"namespace": the namespaced objects of every entry,
# "cluster": {scope: the namespace-less objects of that scope}, "global": the webhook
# configurations of every scope}, patches left out.
scoped_inventory(entries, lay) := {
	"namespace": inventory_of(docs).namespace,
	"cluster": object.union_n([{scope_of(e, lay): _at_version_kind(e.document)} |
		some e in kept
		_namespace_of(e.document) == "" # first: most entries of a large scan have a namespace
		e.document in _objects([e.document])
	]),
	"global": object.union_n([_at_version_kind(e.document) |
		some e in kept
		e.document.kind in _global_kinds
		e.document in _objects([e.document])
	]),
} if {
	kept := [e | some e in entries; not is_patch(e, lay)]
	docs := [e.document | some e in kept]
}

# inventory_for(entry, scoped, lay) is the Gatekeeper-shaped inventory the entry is judged with:
# the namespace-less objects of its scope, plus the webhook configurations of every scope (they
# are cluster-scoped objects, and name the namespace of the Service they call).
inventory_for(entry, scoped, lay) := {
	"namespace": scoped.namespace,
	"cluster": object.union(scoped.global, object.get(scoped.cluster, scope_of(entry, lay), {})),
} if {
	count(scoped.cluster) > 0
} else := {"namespace": scoped.namespace, "cluster": scoped.global} # no scope to look up

_global_kinds := {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}

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
	"v1": {"Namespace", "Service"},
	"networking.k8s.io/v1": {"NetworkPolicy", "Ingress"},
	"cilium.io/v2": {"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"},
	"policy.networking.k8s.io/v1alpha1": {"AdminNetworkPolicy", "BaselineAdminNetworkPolicy"},
	"policy.networking.k8s.io/v1alpha2": {"ClusterNetworkPolicy"},
	"projectcalico.org/v3": {"NetworkPolicy", "GlobalNetworkPolicy"},
	"security.istio.io/v1": {"PeerAuthentication"},
	"admissionregistration.k8s.io/v1": {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"},
	"mlops.seldon.io/v1alpha1": {"SeldonConfig"},
}

_objects(docs) := [d |
	some d in docs
	document_kind(d) == "kubernetes_object"
	_indexed(d)
	is_string(d.metadata.name)
]

_indexed(d) if d.kind in synced_kinds[d.apiVersion]

_indexed(d) if d.kind in model_synced_kinds[d.apiVersion]

# As PeerAuthentication: older AuthorizationPolicy versions count too (Gatekeeper syncs v1).
_indexed(d) if {
	d.kind == "AuthorizationPolicy"
	startswith(d.apiVersion, "security.istio.io/")
}

# Istio serves PeerAuthentication in v1 and v1beta1 alike; Gatekeeper syncs one version of it, and
# rules read every security.istio.io version, so older manifests count too.
_indexed(d) if {
	d.kind == "PeerAuthentication"
	startswith(d.apiVersion, "security.istio.io/")
}

# Scanned only, never synced (Gatekeeper would have to replicate every ConfigMap): KServe's
# controller settings and Knative's config-domain, which decide whether InferenceServices and
# Knative Services are published. In Gatekeeper the kserve_ingress and
# knative_default_visibility parameters declare them.
_indexed(d) if {
	d.apiVersion == "v1"
	d.kind == "ConfigMap"
	d.metadata.name in {"inferenceservice-config", "config-domain"}
}

# model_synced_kinds are the workload kinds the connectivity model reads for the declared-flow
# rules (lib.mlfence.intent), each at the version Gatekeeper syncs (mlfence.gatekeeper.
# MODEL_SYNCED; a test keeps the two equal). Objects of another version of these kinds are not
# in the inventory, as in a cluster whose sync replicates the version listed here.
model_synced_kinds := {
	"v1": {"Pod"},
	"apps/v1": {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"},
	"batch/v1": {"Job", "CronJob"},
	"kubeflow.org/v1": {"PyTorchJob", "TFJob", "XGBoostJob", "PaddleJob", "JAXJob", "Notebook"},
	"kubeflow.org/v2beta1": {"MPIJob"},
	"trainer.kubeflow.org/v1alpha1": {"TrainJob"},
	"jobset.x-k8s.io/v1alpha2": {"JobSet"},
	"leaderworkerset.x-k8s.io/v1": {"LeaderWorkerSet"},
	"serving.kserve.io/v1beta1": {"InferenceService"},
	"machinelearning.seldon.io/v1": {"SeldonDeployment"},
	"ray.io/v1": {"RayCluster", "RayJob", "RayService"},
	"argoproj.io/v1alpha1": {"Workflow", "CronWorkflow"},
	"batch.volcano.sh/v1alpha1": {"Job"},
	"agents.x-k8s.io/v1alpha1": {"Sandbox"},
	"security.istio.io/v1": {"AuthorizationPolicy"},
}

_namespace_of(obj) := obj.metadata.namespace if is_string(obj.metadata.namespace)

else := ""

_at_version_kind(obj) := {obj.apiVersion: {obj.kind: {obj.metadata.name: obj}}}
