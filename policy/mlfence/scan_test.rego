package mlfence_test

import data.mlfence

_deny_all := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "default-deny-all"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}

_job := {
	"apiVersion": "batch/v1",
	"kind": "Job",
	"metadata": {"name": "train"},
	"spec": {"template": {"spec": {"serviceAccountName": "train", "containers": [{"name": "c", "image": "i"}]}}},
}

_kustomization := {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": ["job.yaml", "deny.yaml"]}

_ids(results, index) := {f.rule_id | some r in results; r.index == index; some f in r.findings}

# Namespace-less objects of two unrelated folders never share a namespace.
test_scan_namespace_less_objects_do_not_pool_across_folders if {
	docs := [
		{"path": "team-a/deny.yaml", "index": 0, "document": _deny_all},
		{"path": "team-b/job.yaml", "index": 1, "document": _job},
	]
	results := mlfence.scan with input as {"documents": docs}
	"MLF-K8S-009" in _ids(results, 1)
}

# A kustomization applies its folder into one namespace; one file is applied together too.
test_scan_pools_within_a_kustomization_and_a_file if {
	kustomized := [
		{"path": "base/kustomization.yaml", "index": 0, "document": _kustomization},
		{"path": "base/deny.yaml", "index": 1, "document": _deny_all},
		{"path": "base/job.yaml", "index": 2, "document": _job},
	]
	not "MLF-K8S-009" in _ids(mlfence.scan, 2) with input as {"documents": kustomized}
	one_file := [
		{"path": "app.yaml", "index": 0, "document": _deny_all},
		{"path": "app.yaml", "index": 1, "document": _job},
	]
	not "MLF-K8S-009" in _ids(mlfence.scan, 1) with input as {"documents": one_file}
	without_kustomization := [
		{"path": "base/deny.yaml", "index": 0, "document": _deny_all},
		{"path": "base/job.yaml", "index": 1, "document": _job},
	]
	"MLF-K8S-009" in _ids(mlfence.scan, 1) with input as {"documents": without_kustomization}
}

# Kustomize patches are not objects: never judged, never in the inventory.
test_scan_skips_kustomize_patches if {
	deleted := object.union(_deny_all, {"$patch": "delete"})
	k := object.union(_kustomization, {"patches": [{"path": "patches/job.yaml"}], "patchesStrategicMerge": ["./deny.yaml"]})
	docs := [
		{"path": "overlay/kustomization.yaml", "index": 0, "document": k},
		{"path": "overlay/deny.yaml", "index": 1, "document": _deny_all},
		{"path": "overlay/patches/job.yaml", "index": 2, "document": _job},
		{"path": "overlay/job.yaml", "index": 3, "document": _job},
		{"path": "overlay/gone.yaml", "index": 4, "document": deleted},
	]
	results := mlfence.scan with input as {"documents": docs}
	{r.index | some r in results; r.input_kind == "unrecognised"} == {1, 2, 4}
	count(_ids(results, 2)) == 0

	# The patch file's and the deleted document's policies do not count for the job.
	"MLF-K8S-009" in _ids(results, 3)
}

# A caller that knows the release (a Helm chart) sets the scope itself.
test_scan_caller_scope if {
	docs := [
		{"path": "chart/templates/deny.yaml", "index": 0, "document": _deny_all, "scope": "chart"},
		{"path": "chart/templates/job.yaml", "index": 1, "document": _job, "scope": "chart"},
	]
	not "MLF-K8S-009" in _ids(mlfence.scan, 1) with input as {"documents": docs}
}

test_dir_of if {
	mlfence.dir_of("a/b/c.yaml") == "a/b"
	mlfence.dir_of("c.yaml") == ""
	mlfence.dir_of(3) == ""
}

_namespaced_deny := object.union(_deny_all, {"metadata": {"namespace": "ml-train"}})

_finding_resources(results, index) := {f.resource | some r in results; r.index == index; some f in r.findings}

# A folder namespace declared in the settings file places the folder's namespace-less objects in
# that namespace: judged with that namespace's policies, named by it, and never pooled with
# another folder's namespace-less objects.
test_scan_declared_folder_namespace if {
	isolated := [
		{"path": "ns/deny.yaml", "index": 0, "document": _namespaced_deny},
		{"path": "train/job.yaml", "index": 1, "document": _job, "namespace": "ml-train"},
	]
	results := mlfence.scan with input as {"documents": isolated}
	not "MLF-K8S-009" in _ids(results, 1)

	# Another namespace's deny policy does not isolate it.
	elsewhere := [
		{"path": "ns/deny.yaml", "index": 0, "document": object.union(_deny_all, {"metadata": {"namespace": "other"}})},
		{"path": "train/job.yaml", "index": 1, "document": _job, "namespace": "ml-train"},
	]
	open_results := mlfence.scan with input as {"documents": elsewhere}
	"MLF-K8S-009" in _ids(open_results, 1)
	"ml-train/Job/train" in _finding_resources(open_results, 1)

	# A namespace-less deny policy of another folder is not pooled into the declared namespace,
	# nor the declared folder's own objects into the other folder's scope.
	pooled := [
		{"path": "team-a/kustomization.yaml", "index": 0, "document": _kustomization},
		{"path": "team-a/deny.yaml", "index": 1, "document": _deny_all},
		{"path": "team-a/job.yaml", "index": 2, "document": _job, "namespace": "ml-train"},
	]
	"MLF-K8S-009" in _ids(mlfence.scan, 2) with input as {"documents": pooled}
}

# The declared namespace never applies to cluster-scoped kinds, nor overrides an explicit one.
test_declared_namespace_leaves_cluster_scoped_and_explicit_objects if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
	mlfence.declared_namespace({"path": "a.yaml", "document": ns, "namespace": "ml"}).document == ns
	explicit := mlfence.declared_namespace({"path": "a.yaml", "document": _namespaced_deny, "namespace": "ml"})
	explicit.document.metadata.namespace == "ml-train"
	placed := mlfence.declared_namespace({"path": "a.yaml", "document": _job, "namespace": "ml"})
	placed.document.metadata.namespace == "ml"
	mlfence.declared_namespace({"path": "a.yaml", "document": _job}).document == _job
}

# A Kustomization's `namespace:` places the namespace-less objects of its folder, as kustomize
# would; a namespace declared by the caller (the settings file) wins; other folders are untouched.
test_scan_kustomization_namespace if {
	k := object.union(_kustomization, {"namespace": "ml-train"})
	docs := [
		{"path": "ns/deny.yaml", "index": 0, "document": _namespaced_deny},
		{"path": "train/kustomization.yaml", "index": 1, "document": k},
		{"path": "train/job.yaml", "index": 2, "document": _job},
		{"path": "other/job.yaml", "index": 3, "document": _job},
	]
	results := mlfence.scan with input as {"documents": docs}
	not "MLF-K8S-009" in _ids(results, 2)
	"MLF-K8S-009" in _ids(results, 3)
	"/Job/train" in _finding_resources(results, 3)

	declared := array.concat(array.slice(docs, 0, 2), [{"path": "train/job.yaml", "index": 2, "document": _job, "namespace": "elsewhere"}])
	"elsewhere/Job/train" in _finding_resources(mlfence.scan, 2) with input as {"documents": declared}
}

# kubebuilder's manager_*_patch.yaml beside default/kustomization.yaml, left out of the build
# (apps/v1 without spec.selector: no object the API server accepts): a patch, never judged.
_fragment := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "controller-manager", "namespace": "system"},
	"spec": {"template": {"spec": {"containers": [{"name": "kube-rbac-proxy", "image": "quay.io/brancz/kube-rbac-proxy"}]}}},
}

test_scan_skips_workload_fragments_in_a_kustomize_tree if {
	# The CLI marks a file read beside a kustomization it renders.
	marked := [{"path": "default/manager_auth_proxy_patch.yaml", "index": 0, "document": _fragment, "kustomize_tree": true}]
	[r.input_kind | some r in mlfence.scan] == ["unrecognised"] with input as {"documents": marked}

	# conftest --combine sees the Kustomization document of the folder (or of a parent folder).
	combined := [
		{"path": "upstream/kustomization.yaml", "index": 0, "document": _kustomization},
		{"path": "upstream/default/manager_auth_proxy_patch.yaml", "index": 1, "document": _fragment},
	]
	{r.index | some r in mlfence.scan; r.input_kind == "unrecognised"} == {1} with input as {"documents": combined}
}

# Attribute omitted or set: the same Deployment outside a kustomize tree is judged (hand-written
# manifests omit the selector too), and inside one, a Deployment with a selector is an object.
test_scan_judges_fragments_outside_a_kustomize_tree_and_objects_inside if {
	alone := [{"path": "deploy/manager.yaml", "index": 0, "document": _fragment}]
	[[r.input_kind, count(r.findings) > 0] | some r in mlfence.scan] == [["kubernetes_object", true]] with input as {"documents": alone}

	whole := json.patch(_fragment, [{"op": "add", "path": "/spec/selector", "value": {"matchLabels": {"app": "m"}}}])
	marked := [{"path": "default/manager.yaml", "index": 0, "document": whole, "kustomize_tree": true}]
	[r.input_kind | some r in mlfence.scan] == ["kubernetes_object"] with input as {"documents": marked}

	# extensions/v1beta1 defaulted the selector from the template: not a fragment.
	old := json.patch(_fragment, [{"op": "replace", "path": "/apiVersion", "value": "extensions/v1beta1"}])
	legacy := [{"path": "default/m.yaml", "index": 0, "document": old, "kustomize_tree": true}]
	[r.input_kind | some r in mlfence.scan] == ["kubernetes_object"] with input as {"documents": legacy}
}
